"""Small-number suppression: the rules, and [c] on pages, in CSV downloads and in packs."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from layouts._runtime import CONFIG_KEY
from metrics.readmodel.publication import suppress_observations
from metrics.readmodel.suppression import SUPPRESSED, secondary, threshold_for
from metrics.registry.loader import Registry
from reports.public import build_public_pack
from reports.scope import resolve_scope
from tests.access.conftest import client_as, dash_post, insert_period, latest_start, render_page

METRIC = "road-casualties-ksi"  # public, a count, by district, districts sum to the county
COUNTY = "E10000028"
# Cannock Chase has 2 (primary); the next smallest, 4 in Stafford, must go too (secondary)
DISTRICTS = {
    "E07000192": 2,
    "E07000193": 9,
    "E07000194": 6,
    "E07000195": 8,
    "E07000196": 7,
    "E07000197": 5,
    "E07000198": 6,
    "E07000199": 7,
}


def test_threshold_comes_from_the_metric_or_the_setting(registry: Registry) -> None:
    assert threshold_for(registry.metric(METRIC), 5) == 5
    assert threshold_for(registry.metric("neet-16-17"), 5) == 10


def test_secondary_suppression_hides_the_next_smallest() -> None:
    assert secondary({"a": 2, "b": 9, "c": 4, "d": 6}, {"a"}) == {"a", "c"}
    assert secondary({"a": 2, "b": 9, "c": 3}, {"a", "c"}) == {"a", "c"}  # two hidden: safe
    assert secondary({"a": 2, "b": None}, {"a"}) == {"a"}


def _period_frame(registry: Registry) -> pd.DataFrame:
    rows = [{"area_code": COUNTY, "value": sum(DISTRICTS.values())}] + [
        {"area_code": code, "value": value} for code, value in DISTRICTS.items()
    ]
    return pd.DataFrame(rows).assign(period_start=date(2030, 1, 1), numerator=None)


def test_a_lone_suppressed_district_cannot_be_recovered_by_subtraction(
    registry: Registry,
) -> None:
    frame = _period_frame(registry).assign(metric_id=METRIC)
    marked = suppress_observations(registry, frame)
    hidden = set(marked.loc[marked["suppressed"], "area_code"])
    assert hidden == {"E07000192", "E07000197"}
    assert marked.loc[marked["suppressed"], "value"].isna().all()
    # A rate does not add up, but its numerators do: the next smallest numerator goes too
    rate = "u75-preventable-mortality"
    frame = _period_frame(registry).assign(metric_id=rate, numerator=[50, 3, 9, 9, 9, 9, 9, 9, 9])
    marked = suppress_observations(registry, frame)
    assert set(marked.loc[marked["suppressed"], "area_code"]) == {"E07000192", "E07000193"}


@pytest.fixture(scope="module")
def small_period(demo_app: dash.Dash) -> date:
    """A new latest period of the public count measure, with small district figures."""
    engine: sa.Engine = demo_app.server.config[CONFIG_KEY].engine
    start = (pd.Timestamp(latest_start(engine, METRIC)) + pd.offsets.MonthBegin(1)).date()
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    values = {COUNTY: sum(DISTRICTS.values()), **DISTRICTS}
    insert_period(
        engine, METRIC, start, end, {c: (float(v), None, None) for c, v in values.items()}
    )
    return start


def test_public_page_shows_c_for_small_districts_and_members_see_figures(
    demo_app: dash.Dash, small_period: date
) -> None:
    public = render_page(client_as(demo_app, "public"), f"/metric/{METRIC}")
    member = render_page(client_as(demo_app, "member"), f"/metric/{METRIC}")
    assert public.count(SUPPRESSED) == 2  # Cannock Chase and, secondarily, Stafford
    assert SUPPRESSED not in member
    district = render_page(client_as(demo_app, "public"), f"/metric/{METRIC}", "?area=E07000192")
    assert SUPPRESSED in district and "chart and SPC reading are not published" in district


def test_public_csv_download_has_c_in_place_of_small_figures(
    demo_app: dash.Dash, small_period: date
) -> None:
    def download(role: str, area: str) -> str:
        response = dash_post(
            client_as(demo_app, role),
            [("metric-download", "data")],
            [("metric-download-button", "n_clicks", 1)],
            [("metric-id", "data", METRIC), ("metric-area", "value", area)],
        )
        assert response.status_code == 200
        return str(response.get_data(as_text=True))

    for area in ("E07000192", "E07000197"):
        text = download("public", area)
        assert f"{small_period.isoformat()}," in text and SUPPRESSED in text, area
        assert ",lpl," not in text.replace('"', "")
    assert SUPPRESSED not in download("member", "E07000192")
    assert SUPPRESSED not in download("public", COUNTY)


def test_public_pack_suppresses_and_drops_everything_internal(
    demo_app: dash.Dash, small_period: date
) -> None:
    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    scope = resolve_scope(registry, "committee", "safe-strong-communities")
    published = build_public_pack(
        registry, base.engine, scope, small_period + pd.Timedelta(days=40)
    )
    ids = {s.metric.id for s in published.sections}
    assert ids and all(registry.metric(i).visibility == "public" for i in ids)
    assert not published.new_flags and not published.milestones and published.data.flags.empty
    section = next(s for s in published.sections if s.metric.id == METRIC)
    hidden = set(section.districts.loc[section.districts["value"] == SUPPRESSED, "area"])
    assert hidden == {"Cannock Chase", "Stafford"}
    assert not section.comments and not section.actions
    # The county's own series hides nothing, so its SPC stands; a district with a hidden
    # figure has none (its mean and limits would give the figure back)
    assert section.view.spc is not None
    cannock = published.data.series(registry.metric(METRIC), "E07000192")
    assert cannock.spc is None and cannock.frame["suppressed"].any()
    data = published.data.observations
    small = data[
        (data["metric_id"] == METRIC) & (data["period_start"] == pd.Timestamp(small_period))
    ]
    assert small.empty or small.loc[small["area_code"] == "E07000192", "value"].isna().all()
    from reports.html import render_html

    html = render_html(published, {})
    assert SUPPRESSED in html and "Cannock Chase" in html


def test_public_xlsx_pack_reads_c_where_figures_are_hidden(
    demo_app: dash.Dash, small_period: date
) -> None:
    import io

    from openpyxl import load_workbook

    from reports.xlsx import render_xlsx

    base = demo_app.server.config[CONFIG_KEY]
    registry: Registry = base.registry
    scope = resolve_scope(registry, "committee", "safe-strong-communities")
    pack = build_public_pack(registry, base.engine, scope, small_period + pd.Timedelta(days=40))
    book = load_workbook(io.BytesIO(render_xlsx(pack)))
    data = next(book[name] for name in book.sheetnames if "data" in name.lower())
    headers = [c.value for c in next(data.iter_rows(max_row=1))]
    rows = [
        dict(zip(headers, (c.value for c in row), strict=True)) for row in data.iter_rows(min_row=2)
    ]
    small = {
        r["Area code"]: r["Value"]
        for r in rows
        if r["Measure id"] == METRIC and str(r["Period start"])[:10] == small_period.isoformat()
    }
    assert small["E07000192"] == SUPPRESSED and small["E07000197"] == SUPPRESSED
    assert small["E07000193"] == 9
