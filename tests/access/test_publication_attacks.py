"""Attacks on what the public sees: no hidden figure comes back by difference across areas,
periods or totals, and a hidden cell publishes no SPC reading or direction.

Each attack is what an anonymous visitor can do with the real app: download every area's CSV,
read the public pack in HTML and XLSX, and read the pages' status rows.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import dash
import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from layouts._runtime import CONFIG_KEY
from metrics.readmodel.judged import published_snapshot, read_model
from metrics.readmodel.suppression import SUPPRESSED
from metrics.registry.loader import Registry
from reports.html import render_html
from reports.public import build_public_pack
from reports.scope import resolve_scope
from reports.xlsx import render_xlsx
from tests.access.conftest import client_as, dash_post, insert_period, latest_start, render_page
from warehouse.snapshot import read_snapshot

COUNTY = "E10000028"
TAMWORTH = "E07000199"
RATE = "neet-16-17"  # public, a percentage of young people, by district, threshold 10
# Tamworth has 4 young people NEET (primary); every other district's numerator is larger
NUMERATORS = {
    "E07000192": 31,
    "E07000193": 44,
    "E07000194": 27,
    "E07000195": 39,
    "E07000196": 25,
    "E07000197": 36,
    "E07000198": 22,
    TAMWORTH: 4,
}
DENOMINATORS = dict.fromkeys(NUMERATORS, 1000)
QUARTERLY = "apprenticeship-starts"  # public, a count, county only, year to date by sum


def _engine(app: dash.Dash) -> sa.Engine:
    engine: sa.Engine = app.server.config[CONFIG_KEY].engine
    return engine


def _next_start(engine: sa.Engine, metric_id: str, months: int) -> date:
    return (pd.Timestamp(latest_start(engine, metric_id)) + pd.DateOffset(months=months)).date()


@pytest.fixture(scope="module")
def small_rate(demo_app: dash.Dash) -> date:
    """A new month of the NEET rate in which Tamworth's numerator is small."""
    engine = _engine(demo_app)
    start = _next_start(engine, RATE, 1)
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    rows = {
        code: (100 * n / DENOMINATORS[code], float(n), float(DENOMINATORS[code]))
        for code, n in NUMERATORS.items()
    }
    total_n, total_d = sum(NUMERATORS.values()), sum(DENOMINATORS.values())
    rows[COUNTY] = (100 * total_n / total_d, float(total_n), float(total_d))
    insert_period(engine, RATE, start, end, rows)
    return start


@pytest.fixture(scope="module")
def small_quarter(demo_app: dash.Dash) -> date:
    """A new quarter of apprenticeship starts with a count of 3, in the same financial year as
    the quarter before it."""
    engine = _engine(demo_app)
    start = _next_start(engine, QUARTERLY, 3)
    if start.month == 4:  # keep a published quarter of the same year before it
        start = (pd.Timestamp(start) + pd.DateOffset(months=3)).date()
        first = (pd.Timestamp(start) - pd.DateOffset(months=3)).date()
        first_end = (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()
        insert_period(engine, QUARTERLY, first, first_end, {COUNTY: (474.0, None, None)})
    end = (pd.Timestamp(start) + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date()
    insert_period(engine, QUARTERLY, start, end, {COUNTY: (3.0, None, None)})
    return start


def _csv(app: dash.Dash, area: str) -> list[dict[str, str]]:
    response = dash_post(
        client_as(app, "public"),
        [("metric-download", "data")],
        [("metric-download-button", "n_clicks", 1)],
        [("metric-id", "data", RATE), ("metric-area", "value", area)],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    content = json.loads(response.get_data(as_text=True))["response"]["metric-download"]["data"]
    return list(csv.DictReader(io.StringIO(content["content"])))


def _number(text: str | None) -> float | None:
    if text in (None, "", SUPPRESSED):
        return None
    try:
        return float(str(text).lstrip("'"))
    except ValueError:
        return None


def test_every_areas_csv_together_cannot_give_back_a_hidden_district(
    demo_app: dash.Dash, small_rate: date
) -> None:
    registry: Registry = demo_app.server.config[CONFIG_KEY].registry
    period = small_rate.isoformat()
    known: dict[str, dict[str, float | None]] = {}
    for area in [a.code for a in registry.areas_for(registry.metric(RATE))]:
        row = next(r for r in _csv(demo_app, area) if r["Period start"].startswith(period))
        known[area] = {c: _number(row[c.title()]) for c in ("value", "numerator", "denominator")}
    assert known[TAMWORTH] == {"value": None, "numerator": None, "denominator": None}
    for column in ("numerator", "denominator"):
        county = known[COUNTY][column]
        unknown = [a for a in NUMERATORS if known[a][column] is None]
        # County minus the published districts leaves at least two unknowns, never one
        assert county is None or len(unknown) != 1, (column, unknown)


def test_the_public_pack_names_no_hidden_figure_in_words_tables_or_xlsx(
    demo_app: dash.Dash, small_rate: date
) -> None:
    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    scope = resolve_scope(registry, "committee", registry.metric(RATE).select_committee)
    pack = build_public_pack(registry, base.engine, scope, small_rate + pd.Timedelta(days=45))
    section = next(s for s in pack.sections if s.metric.id == RATE)
    districts = dict(zip(section.districts["area"], section.districts["value"], strict=True))
    assert districts["Tamworth"] == SUPPRESSED
    hidden_names = {a for a, v in districts.items() if v == SUPPRESSED}
    assert len(hidden_names) >= 2  # Tamworth and the next smallest
    for para in section.paras:
        for name in hidden_names:
            assert f"{name} (" not in para.text, para.text  # "the best figure is Tamworth (0.4%)"
    html = render_html(pack, {})
    assert "0.4%" not in html
    book = load_workbook(io.BytesIO(render_xlsx(pack)))
    data = next(book[n] for n in book.sheetnames if "data" in n.lower())
    headers = [c.value for c in next(data.iter_rows(max_row=1))]
    for row in data.iter_rows(min_row=2, values_only=True):
        record = dict(zip(headers, row, strict=True))
        if record["Measure id"] == RATE and record["Area code"] == TAMWORTH:
            if str(record["Period start"])[:10] == small_rate.isoformat():
                assert record["Value"] == SUPPRESSED and record["Numerator"] == SUPPRESSED


def test_year_to_date_does_not_give_back_a_hidden_quarter(
    demo_app: dash.Dash, small_quarter: date
) -> None:
    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    model = read_model(
        registry, base.engine, [QUARTERLY], small_quarter + pd.Timedelta(days=120), "public"
    )
    row = model.snapshot[model.snapshot["area_code"] == COUNTY].iloc[0]
    assert bool(row["suppressed"]) and pd.isna(row["value"]) and pd.isna(row["ytd_value"])
    year = model.status[model.status["area_code"] == COUNTY]
    fy_start = date(small_quarter.year - (small_quarter.month < 4), 4, 1)
    same_year = year[pd.to_datetime(year["period_start"]) >= pd.Timestamp(fy_start)]
    assert same_year["ytd_value"].isna().all()  # no year to date that sums the hidden quarter
    scope = resolve_scope(registry, "committee", registry.metric(QUARTERLY).select_committee)
    pack = build_public_pack(registry, base.engine, scope, small_quarter + pd.Timedelta(days=120))
    book = load_workbook(io.BytesIO(render_xlsx(pack)))
    sheet = book["Measures"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    mine = [r for r in rows if r["Measure id"] == QUARTERLY]
    assert mine and mine[0]["Value"] == SUPPRESSED and mine[0]["Year to date"] in (None, "")


def test_a_hidden_cell_shows_no_spc_reading_or_direction_on_the_pages(
    demo_app: dash.Dash, small_rate: date
) -> None:
    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    public = published_snapshot(registry, base.engine, read_snapshot(base.engine, [RATE]))
    hidden = public[public["suppressed"]]
    if hidden.empty:  # the stored snapshot predates the small month: judge it as the pages do
        model = read_model(registry, base.engine, [RATE], date.today(), "public")
        hidden = model.snapshot[model.snapshot["suppressed"]]
    assert not hidden.empty
    for column in ("value", "direction", "variation", "assurance", "previous_value"):
        assert hidden[column].isna().all(), column
    assert set(hidden["rag"]) == {"suppressed"}
    # And the drill-down of Tamworth as the public sees it publishes no SPC reading
    page = render_page(client_as(demo_app, "public"), f"/metric/{RATE}", f"?area={TAMWORTH}")
    assert SUPPRESSED in page and "SPC reading are not published" in page


def test_the_pages_fast_path_hides_exactly_what_reading_everything_hides(
    demo_app: dash.Dash, small_rate: date, small_quarter: date
) -> None:
    from metrics.readmodel.publication import hidden_cells, publish_status, suppress_observations
    from warehouse.observations import current_observations

    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    snapshot = read_snapshot(base.engine)
    fast = published_snapshot(registry, base.engine, snapshot)
    everything = current_observations(base.engine, sorted(set(snapshot["metric_id"])))
    full = publish_status(
        registry, snapshot, hidden_cells(suppress_observations(registry, everything))
    )
    columns = ["suppressed", "rag", "value", "direction", "variation", "assurance", "ytd_value"]
    pd.testing.assert_frame_equal(fast[columns], full[columns])
    # The same hidden cells from the small-figure periods alone as from every figure
    from metrics.readmodel.suppression import threshold_for
    from warehouse.observations import periods_with_small_figures

    ids = sorted(set(snapshot["metric_id"]))
    below = max(
        threshold_for(registry.metric(i), int(registry.settings["suppress_below"])) for i in ids
    )
    some = periods_with_small_figures(base.engine, ids, below)
    cells = hidden_cells(suppress_observations(registry, some))
    every = hidden_cells(suppress_observations(registry, everything))
    key = ["metric_id", "area_code", "period_start"]
    assert len(every) and set(map(tuple, cells[key].values)) == set(map(tuple, every[key].values))
