"""The drill-down and its CSV download on the fixtures warehouse: small figures hidden from the
public as [c], shown to councillors; internal measures not found by the public."""

from __future__ import annotations

import csv
import io

import dash
import pytest

from tests.fixtures.warehouse import (
    CASELOAD,
    CLAIMANT_FIGURES,
    CLAIMANTS,
    COUNTY,
    KSI,
    KSI_VALUES,
    TAMWORTH,
)
from tests.layouts.conftest import page, plain, text_of, viewing


def download(app: dash.Dash, role: str, metric_id: str, area: str) -> list[dict[str, str]]:
    """The drill-down's CSV download as `role` receives it, as rows."""
    with viewing(app, role):
        sent = plain(page("metric").download_series)(1, metric_id, area)
    assert sent["filename"] == f"{metric_id}-{area}.csv"
    return list(csv.DictReader(io.StringIO(sent["content"])))


def test_the_public_sees_c_for_a_small_district(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("metric").layout(metric_id=KSI, area=TAMWORTH)
    text = text_of(layout)
    assert "Trend: Tamworth" in text
    assert "shown as [c] and the chart and SPC reading are not published" in text
    assert text.count("[c]") >= len(KSI_VALUES[TAMWORTH])


def test_the_public_csv_has_c_for_every_small_figure(app: dash.Dash) -> None:
    rows = download(app, "public", KSI, TAMWORTH)
    assert len(rows) == len(KSI_VALUES[TAMWORTH])
    assert {row["Value"] for row in rows} == {"[c]"}
    # With a figure hidden the SPC columns go too: limits are worked out from every figure
    spc = {"Average (SPC)", "Lower process limit", "Upper process limit", "SPC reading"}
    assert not spc & set(rows[0])
    county = download(app, "public", KSI, COUNTY)
    assert [float(row["Value"]) for row in county] == list(KSI_VALUES[COUNTY])


def test_a_councillor_gets_the_small_figures(app: dash.Dash) -> None:
    rows = download(app, "member", KSI, TAMWORTH)
    assert [float(row["Value"]) for row in rows] == list(KSI_VALUES[TAMWORTH])


def test_a_rate_downloads_with_its_numerators_and_denominators(app: dash.Dash) -> None:
    rows = download(app, "public", CLAIMANTS, COUNTY)
    figures = [(float(row["Numerator"]), float(row["Denominator"])) for row in rows]
    assert figures == [(float(n), float(d)) for n, d in CLAIMANT_FIGURES[COUNTY]]
    # 2.096...% shown to the measure's one decimal place, as on the page
    assert rows[-1]["Value"] == "2.1"
    assert float(rows[-1]["Value"]) == pytest.approx(100 * 10_900 / 520_000, abs=0.05)


def test_an_internal_measure_asks_the_public_to_sign_in(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("metric").layout(metric_id=CASELOAD)
        assert "Sign in to see this measure" in text_of(layout)
        assert "caseload" not in text_of(layout).lower()
        with pytest.raises(dash.exceptions.PreventUpdate):
            plain(page("metric").download_series)(1, CASELOAD, COUNTY)
    with viewing(app, "member"):
        layout = page("metric").layout(metric_id=CASELOAD)
    assert text_of(layout["metric-title"]) == "Children's social worker average caseload"
