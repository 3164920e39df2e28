"""CSV downloads fit for a committee: names beside ids, readable headings, figures rounded to
the measure's decimals, words instead of True/False, and the public's small figures as [c]."""

from __future__ import annotations

import csv
import io

import dash
import pytest

from reports.downloads import figure_text
from tests.fixtures.warehouse import CLAIMANTS, COUNTY, KSI, TAMWORTH
from tests.layouts.conftest import page, plain, viewing

RAW_HEADINGS = {"lpl", "upl", "mean", "point_type", "special_cause", "period_start", "value"}


def download(app: dash.Dash, role: str, metric_id: str, area: str) -> list[dict[str, str]]:
    with viewing(app, role):
        sent = plain(page("metric").download_series)(1, metric_id, area)
    return list(csv.DictReader(io.StringIO(sent["content"])))


def test_figures_are_rounded_to_the_measure_s_decimals() -> None:
    assert figure_text(2.0961538, 1) == "2.1"
    assert figure_text(8.5, 2) == "8.50"
    assert figure_text(1234567.89, 0) == "1234568"
    assert figure_text(-0.04, 1) == "0.0"
    assert figure_text(float("nan"), 1) == "" and figure_text(None, 1) == ""
    assert figure_text("[c]", 1) == "[c]"


def test_the_series_csv_names_the_measure_and_area_in_words(app: dash.Dash) -> None:
    rows = download(app, "member", CLAIMANTS, COUNTY)
    headings = list(rows[0])
    assert headings[:5] == ["Measure", "Measure id", "Area", "Area code", "Unit"]
    assert not RAW_HEADINGS & set(headings)
    assert {"Lower process limit", "Upper process limit", "SPC reading", "Status"} <= set(headings)
    row = rows[-1]
    assert row["Measure"] == "Claimant rate" and row["Area"] == "Staffordshire"
    assert row["Unit"] == "Per cent" and row["Period"] == "Oct 2024"
    # No True/False anywhere: readings and statuses are words
    cells = {value for r in rows for value in r.values()}
    assert not {"True", "False"} & cells
    assert row["Status"] == "On target"
    assert row["SPC reading"] in {"Common cause", "Not enough data for SPC", ""}
    for r in rows:
        for heading in ("Value", "Target", "Lower process limit", "Upper process limit"):
            if r[heading]:
                assert len(r[heading].split(".")[1]) == 1, (heading, r[heading])


def test_a_district_s_csv_names_the_district_and_the_public_still_gets_c(app: dash.Dash) -> None:
    public = download(app, "public", KSI, TAMWORTH)
    assert {r["Area"] for r in public} == {"Tamworth"}
    assert {r["Value"] for r in public} == {"[c]"}
    assert {r["Status"] for r in public} == {"Not published: small numbers"}
    assert "Lower process limit" not in public[0]
    member = download(app, "member", KSI, TAMWORTH)
    assert {r["Value"] for r in member} != {"[c]"}


def test_the_comparison_table_downloads_with_names(app: dash.Dash) -> None:
    from layouts.metric import download_comparison

    with viewing(app, "public"), pytest.raises(dash.exceptions.PreventUpdate):
        # No comparator group for this measure: nothing to download
        plain(download_comparison)(1, CLAIMANTS)


def test_the_catalogue_csv_leads_with_names_and_words(app: dash.Dash) -> None:
    with viewing(app, "public"):
        sent = plain(page("catalogue").download_catalogue)(1, "claimant")
    rows = list(csv.DictReader(io.StringIO(sent["content"])))
    assert list(rows[0])[:2] == ["Measure", "Measure id"]
    [row] = rows
    assert row["Measure"] == "Claimant rate" and row["Measure id"] == CLAIMANTS
    assert row["Unit"] == "Per cent" and row["Visibility"] == "Published"
    # A source is named as people know it, not by its pipeline id
    assert row["Source"] and "-" not in row["Source"].split()[0]
