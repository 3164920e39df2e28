"""The drill-down's SPC chart and districts chart on the fixtures warehouse: the words count
the points drawn, the ticks name the measure's periods, the limits say where they come from,
an officer recalculates them from a period (a member may not), and the chosen area is
highlighted among the districts."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pytest

from access.identity import Viewer
from access.roles import AccessDenied
from access.writes import guarded
from layouts._runtime import CONFIG_KEY
from tests.fixtures.warehouse import CLAIMANTS, COUNTY, KSI, TAMWORTH
from tests.layouts.conftest import engine_of, page, plain, text_of, triggered, viewing
from warehouse.snapshot import read_snapshot
from warehouse.spc_rebases import read_rebases


def drilldown(app: dash.Dash, role: str, **query: str) -> Any:
    with viewing(app, role):
        return page("metric").layout(**query)


def opened(callback: Any, table: str, *states: str | None) -> Any:
    """The table behind a disclosure as opening it fills it (the summary's first click), with
    the page's metric, area, range and group."""
    states = states + ("",) * (5 - len(states))
    return triggered(callback, {"type": "table-on-open", "table": table}, "n_clicks", 1, *states)


def legend(figure: dict[str, Any]) -> list[str]:
    return [t["name"] for t in figure["data"] if t.get("showlegend", True)]


def test_the_chart_says_where_its_limits_come_from_and_calls_few_points_trial(
    app: dash.Dash,
) -> None:
    layout = drilldown(app, "public", metric_id=CLAIMANTS)
    summary = text_of(layout["spc-summary"])
    assert summary.startswith("Showing 5 points, Jun 2024 to Oct 2024. The latest value, for Oct")
    assert "Mean and trial limits from Jun 2024 to Oct 2024 (5 points)." in summary
    assert "Trial limits are worked out from fewer than 12 points" in summary
    figure = layout["spc-chart"].figure
    assert figure["layout"]["xaxis"]["ticktext"] == [
        "Jun 2024",
        "Jul 2024",
        "Aug 2024",
        "Sep 2024",
        "Oct 2024",
    ]
    assert legend(figure).count("Trial limits") == 1
    assert "Upper process limit" not in legend(figure)
    (note,) = [a["text"] for a in figure["layout"]["annotations"]]
    assert note == "Mean and trial limits from Jun 2024 to Oct 2024 (5 points)"
    assert text_of(layout["spc-limits"]) == note


def test_a_range_ending_early_counts_what_is_drawn_and_names_the_latest_honestly(
    app: dash.Dash,
) -> None:
    layout = drilldown(app, "public", metric_id=KSI, end="2024-04-01")
    summary = text_of(layout["spc-summary"])
    assert summary.startswith(
        "Showing 3 points, Q3 2023-24 to Q1 2024-25. The last value shown, for Q1 2024-25, "
    )
    assert "the latest figure held is for Q2 2024-25." in summary
    assert "SPC variation of the last point shown:" in summary
    assert "Mean and trial limits from Q3 2023-24 to Q1 2024-25 (3 points)." in summary
    figure = layout["spc-chart"].figure
    assert figure["layout"]["xaxis"]["tickvals"] == ["Q3 2023-24", "Q4 2023-24", "Q1 2024-25"]
    # The table behind the chart, built when opened, has the rows drawn
    with viewing(app, "public"):
        table = opened(page("metric").table_on_open, "spc", KSI, COUNTY, "", "2024-04-01")
    assert len(table["spc-table"].children[-1].children) == 3


def test_the_chosen_district_is_highlighted_against_the_others(app: dash.Dash) -> None:
    layout = drilldown(app, "public", metric_id=CLAIMANTS, area=TAMWORTH)
    figure = layout["districts-chart"].figure
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Tamworth"]["line"]["color"] == "#1d70b8"
    assert traces["Tamworth"]["line"]["width"] == 4
    assert traces["Staffordshire (county)"]["line"]["dash"] == "dash"
    others = [t for t in figure["data"] if t.get("legendgroup") == "others"]
    assert len(others) == 2 and legend(figure).count("Other districts") == 1
    assert all(t["line"].get("dash") is None for t in others)  # grey, not told apart by dashes
    assert "Tamworth is drawn in blue;" in text_of(layout["districts-key"])
    assert "Tamworth (highlighted)" in text_of(layout["districts-table"])
    county = drilldown(app, "public", metric_id=CLAIMANTS)["districts-chart"].figure
    assert {t["name"]: t for t in county["data"]}["Staffordshire"]["line"]["color"] == "#1d70b8"


def test_only_officers_see_the_rebase_form(app: dash.Dash) -> None:
    assert "Recalculate the limits" not in text_of(drilldown(app, "member", metric_id=CLAIMANTS))
    assert "Recalculate the limits" not in text_of(drilldown(app, "public", metric_id=CLAIMANTS))
    officer = drilldown(app, "officer", metric_id=CLAIMANTS)
    options = [o["label"] for o in officer["rebase-period"].options]
    assert options == ["Choose a period", "Jul 2024", "Aug 2024", "Sep 2024", "Oct 2024"]


def rebase(app: dash.Dash, role: str, period: str | None, reason: str | None) -> tuple[Any, ...]:
    with viewing(app, role):
        result: tuple[Any, ...] = plain(page("metric").record_rebase)(
            1, CLAIMANTS, COUNTY, "", "", period, reason
        )
        return result


def test_an_officer_recalculates_the_limits_and_the_chart_breaks(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    before = read_snapshot(engine)
    status, summary, *_, body, reason, records = rebase(
        writable_app, "officer", "2024-08-01", "New work coach model"
    )
    assert "Withdraw the rebase from Aug 2024" in text_of(records)
    assert summary is None and reason == ""
    assert "now start again from Aug 2024" in text_of(status)
    stored = read_rebases(engine)
    assert stored[["metric_id", "area_code", "period_start", "reason", "recorded_by"]].to_dict(
        "records"
    ) == [
        {
            "metric_id": CLAIMANTS,
            "area_code": COUNTY,
            "period_start": date(2024, 8, 1),
            "reason": "New work coach model",
            "recorded_by": "Jo Bloggs",  # the signed-in name
        }
    ]
    chart = next(c for c in body if type(c).__name__ == "Figure").children[0].figure
    (shape,) = chart["layout"]["shapes"]
    assert shape["x0"] == 1.5  # between Jul 2024 and Aug 2024
    assert "Limits recalculated" in legend(chart)
    words = text_of(body)
    assert "Limits recalculated from Aug 2024: New work coach model (recorded by Jo Bloggs" in words
    # The evaluation ran again with the rebase: the snapshot is newer
    after = read_snapshot(engine)
    assert after["computed_at"].max() > before["computed_at"].max()
    # The page shows it to the public too, without the officer's name
    public = drilldown(writable_app, "public", metric_id=CLAIMANTS)
    assert "Limits recalculated from Aug 2024: New work coach model." in text_of(public)
    assert "Jo Bloggs" not in text_of(public)


def test_a_rebase_without_period_or_reason_shows_a_linked_error_summary(
    writable_app: dash.Dash,
) -> None:
    status, summary, period_error, reason_error, period_group, reason_group, body, _, _ = rebase(
        writable_app, "officer", "", "  "
    )
    links = [(li.children.href, li.children.children) for li in summary.children[1].children]
    assert links == [
        ("#rebase-period", "Choose the first period of the new limits."),
        ("#rebase-reason", "Say why the process changed: readers see it on the chart."),
    ]
    assert summary.role == "alert"
    assert period_error == "Choose the first period of the new limits."
    assert reason_error.startswith("Say why the process changed")
    assert "pmf-field-with-error" in period_group and "pmf-field-with-error" in reason_group
    assert body is dash.no_update
    assert read_rebases(engine_of(writable_app)).empty


def test_a_member_may_not_rebase(writable_app: dash.Dash) -> None:
    _, summary, *_ = rebase(writable_app, "member", "2024-08-01", "Because")
    assert "Sign in as one of the performance team" in text_of(summary)
    writes = writable_app.server.config[CONFIG_KEY].writes
    member = Viewer("cllr-smith", "Councillor Smith", "member")
    with pytest.raises(AccessDenied):
        guarded(writes, member).record_rebase(
            metric_id=CLAIMANTS,
            area_code=COUNTY,
            period_start=date(2024, 8, 1),
            reason="Because",
            recorded_by="Councillor Smith",
        )
    assert read_rebases(engine_of(writable_app)).empty


def withdraw(app: dash.Dash, role: str, rebase_id: int) -> tuple[Any, ...]:
    with viewing(app, role):
        button: Any = {"type": "rebase-withdraw-yes", "rebase": rebase_id}
        result: tuple[Any, ...] = triggered(
            page("metric").withdraw_rebase, button, "n_clicks", [1], CLAIMANTS, COUNTY, "", ""
        )
        return result


def test_everyone_sees_the_recorded_rebases_and_only_officers_may_withdraw_them(
    writable_app: dash.Dash,
) -> None:
    rebase(writable_app, "officer", "2024-08-01", "New work coach model")
    (rebase_id,) = read_rebases(engine_of(writable_app))["id"]
    officer = drilldown(writable_app, "officer", metric_id=CLAIMANTS)
    listed = text_of(officer["rebase-list"])
    assert (
        "Limits recalculated from Aug 2024: New work coach model (recorded by Jo Bloggs" in listed
    )
    assert "Withdraw the rebase from Aug 2024" in listed
    confirm = officer[{"type": "rebase-confirm", "rebase": int(rebase_id)}]
    assert confirm.hidden is True and "Yes, withdraw it" in text_of(confirm)
    for role in ("member", "public"):
        layout = drilldown(writable_app, role, metric_id=CLAIMANTS)
        words = text_of(layout["rebase-list"])
        assert "Limits recalculated from Aug 2024: New work coach model" in words
        assert "Withdraw" not in words
        assert ("Jo Bloggs" in words) is (role == "member")  # names for signed-in readers only


def test_withdraw_asks_first_and_cancel_hides_the_question(app: dash.Dash) -> None:
    confirm = page("metric").confirm_withdrawal
    ask: Any = {"type": "rebase-withdraw", "rebase": 3}
    assert triggered(confirm, ask, "n_clicks", 1, None) is False
    cancel: Any = {"type": "rebase-withdraw-cancel", "rebase": 3}
    assert triggered(confirm, cancel, "n_clicks", 1, 1) is True


def test_an_officer_withdraws_a_rebase_and_the_chart_loses_its_break(
    writable_app: dash.Dash,
) -> None:
    rebase(writable_app, "officer", "2024-08-01", "New work coach model")
    engine = engine_of(writable_app)
    (rebase_id,) = read_rebases(engine)["id"]
    status, records, body = withdraw(writable_app, "officer", int(rebase_id))
    assert "no longer start again from Aug 2024" in text_of(status)
    assert records == []
    chart = next(c for c in body if type(c).__name__ == "Figure").children[0].figure
    assert not chart["layout"].get("shapes")
    assert "Limits recalculated" not in legend(chart)
    assert "Limits recalculated" not in text_of(body)
    assert read_rebases(engine).empty
    withdrawn = read_rebases(engine, include_withdrawn=True)
    assert list(withdrawn["withdrawn_by"]) == ["Jo Bloggs"]  # kept, marked as the signed-in officer
    # Asked again (a second tab): said in words, nothing redrawn
    again, records, body = withdraw(writable_app, "officer", int(rebase_id))
    assert "already withdrawn by Jo Bloggs" in text_of(again)
    assert records is dash.no_update and body is dash.no_update


def test_a_member_may_not_withdraw_a_rebase(writable_app: dash.Dash) -> None:
    rebase(writable_app, "officer", "2024-08-01", "New work coach model")
    engine = engine_of(writable_app)
    (rebase_id,) = read_rebases(engine)["id"]
    status, records, body = withdraw(writable_app, "member", int(rebase_id))
    assert "Sign in as one of the performance team" in text_of(status)
    assert records is dash.no_update and body is dash.no_update
    assert list(read_rebases(engine)["id"]) == [rebase_id]  # still in force
    fresh: Any = {"type": "rebase-withdraw-yes", "rebase": int(rebase_id)}
    with viewing(writable_app, "officer"):
        with pytest.raises(dash.exceptions.PreventUpdate):  # a freshly drawn, unpressed button
            triggered(
                page("metric").withdraw_rebase,
                fresh,
                "n_clicks",
                [None],
                CLAIMANTS,
                COUNTY,
                "",
                "",
            )
