"""The long tables behind the drill-down's charts are built when opened: the page arrives
without their cells, and opening one gives the rows the chart draws, for the range, area and
group shown, to those who may see them, with small figures still shown as [c]."""

from __future__ import annotations

from typing import Any

import dash
import pytest
from dash.development.base_component import Component

from tests.fixtures.warehouse import CASELOAD, CLAIMANTS, COUNTY, KSI, KSI_VALUES, TAMWORTH
from tests.layouts.conftest import page, text_of, triggered, viewing
from tests.layouts.test_metric_spc import opened


def table_on_open(app: dash.Dash, role: str, table: str, *states: str, clicks: int = 1) -> Any:
    """What opening (or, with an even count, closing) the disclosure gives `role`."""
    with viewing(app, role):
        if clicks == 1:
            return opened(page("metric").table_on_open, table, *states)
        key = {"type": "table-on-open", "table": table}
        states = states + ("",) * (5 - len(states))
        return triggered(page("metric").table_on_open, key, "n_clicks", clicks, *states)


def ids_in(node: Any) -> list[Any]:
    """Every id in a layout."""
    found: list[Any] = []
    if isinstance(node, list | tuple):
        for child in node:
            found += ids_in(child)
    elif isinstance(node, Component):
        if (ident := getattr(node, "id", None)) is not None:
            found.append(ident)
        found += ids_in(getattr(node, "children", None))
    return found


def body_rows(table: Any) -> list[str]:
    """Each body row's text."""
    return [text_of(row) for row in table["spc-table"].children[-1].children]


def test_the_page_arrives_without_the_table_and_opening_it_gives_the_points_drawn(
    app: dash.Dash,
) -> None:
    with viewing(app, "officer"):
        layout = page("metric").layout(metric_id=CLAIMANTS)
    ids = ids_in(layout)
    assert "spc-table" not in ids
    assert {"type": "table-on-open", "table": "spc"} in ids
    summary = text_of(layout["spc-summary"])
    assert summary.startswith("Showing 5 points, Jun 2024 to Oct 2024.")
    rows = body_rows(table_on_open(app, "officer", "spc", CLAIMANTS, COUNTY))
    # Newest first, one row per point drawn
    assert len(rows) == 5
    assert rows[0].startswith("Oct 2024") and rows[-1].startswith("Jun 2024")


def test_the_table_follows_the_area_and_range_chosen(app: dash.Dash) -> None:
    whole = body_rows(table_on_open(app, "member", "spc", KSI, TAMWORTH, "all"))
    assert len(whole) == len(KSI_VALUES[TAMWORTH])
    early = body_rows(table_on_open(app, "member", "spc", KSI, TAMWORTH, "all", "2024-04-01"))
    assert len(early) == len(whole) - 1 and early[0].startswith("Q1 2024-25")


def test_closing_the_table_leaves_it_as_it_is(app: dash.Dash) -> None:
    with pytest.raises(dash.exceptions.PreventUpdate):
        table_on_open(app, "officer", "spc", CLAIMANTS, COUNTY, clicks=2)


def test_the_public_gets_no_table_of_an_internal_measure_or_an_unknown_area(
    app: dash.Dash,
) -> None:
    with pytest.raises(dash.exceptions.PreventUpdate):
        table_on_open(app, "public", "spc", CASELOAD, COUNTY)
    assert body_rows(table_on_open(app, "member", "spc", CASELOAD, COUNTY))
    with pytest.raises(dash.exceptions.PreventUpdate):
        table_on_open(app, "member", "spc", KSI, "E99999999")
    with pytest.raises(dash.exceptions.PreventUpdate):
        table_on_open(app, "member", "no-such-table", KSI, COUNTY)


def test_small_figures_stay_hidden_from_the_public_in_an_opened_table(app: dash.Dash) -> None:
    # A page drawn before the figures were small still opens its table with [c]
    public = table_on_open(app, "public", "spc", KSI, TAMWORTH, "all")
    assert {text.split()[-1] for text in body_rows(public)} == {"[c]"}
    member = body_rows(table_on_open(app, "member", "spc", KSI, TAMWORTH, "all"))
    assert "[c]" not in " ".join(member)
