"""A committee's ranks are the ranks each measure's drill-down gives, for every audience and
group: both read the figures through the read model (our own whole, other councils' only as
far as a comparison reads them), so a committee never reads every council's whole history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest
from dash import dcc, html
from dash.development.base_component import Component

from app import create_app
from metrics.readmodel.judged import AUDIENCES, standings
from metrics.registry.loader import load_registry
from tests.browser.conftest import DEMO_AS_OF
from tests.conftest import CONFIG
from tests.fixtures.national import demo_with_national
from tests.layouts.conftest import (
    ACCOUNTS,
    PASSWORD,
    engine_of,
    page,
    text_of,
    triggered,
    viewing,
)

COMMITTEE = "health-care"
POSITION = re.compile(r"(\d+(?:st|nd|rd|th) of \d+) \(([a-z ]+)\)")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dash.Dash]:
    """The demo with Oflog's published file of every English council's figures."""
    accounts = [(u, PASSWORD, role, name) for role, (u, name) in ACCOUNTS.items()]
    folder: Path = tmp_path_factory.mktemp("committee-ranks")
    yield create_app(CONFIG, demo_with_national(CONFIG, folder, DEMO_AS_OF, accounts))


def committee_positions(layout: Any) -> dict[str, str]:
    """Each measure's rank cell (before its sparkline) in the committee's tables, by the
    measure its row links to."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        if isinstance(node, html.Tr):
            cells = node.children if isinstance(node.children, list) else [node.children]
            links = [c.children for c in cells if isinstance(c, html.Th)]
            if links and isinstance(links[0], dcc.Link):
                found[str(getattr(links[0], "href", "")).removeprefix("/metric/")] = text_of(
                    cells[-2]
                )
            return
        if isinstance(node, Component):
            walk(getattr(node, "children", None))

    walk(layout)
    return found


def drill_down_sentence(metric_id: str, group: str) -> str:
    """The drill-down's sentence on where the council stands in `group`."""
    layout = page("metric").layout(metric_id=metric_id, group=group)

    def find(node: Any) -> str | None:
        if isinstance(node, list | tuple):
            return next((s for child in node if (s := find(child)) is not None), None)
        if getattr(node, "id", None) == "comparison-sentence":
            return text_of(node)
        return find(getattr(node, "children", None)) if isinstance(node, Component) else None

    return find(layout) or ""


@pytest.mark.parametrize("role", ["public", "officer"])
@pytest.mark.parametrize("group", ["", "english-councils"])
def test_a_committees_ranks_are_its_measures_drill_down_ranks(
    app: dash.Dash, role: str, group: str
) -> None:
    with viewing(app, role):
        positions = committee_positions(
            page("committee").layout(committee_id=COMMITTEE, group=group)
        )
        ranked = {m: p for m, p in positions.items() if POSITION.fullmatch(p)}
        # The Oflog measures are ranked: the test compares something
        assert len(ranked) >= 3, positions
        for metric_id, position in ranked.items():
            place, quartile = POSITION.fullmatch(position).groups()  # type: ignore[union-attr]
            sentence = drill_down_sentence(metric_id, group or "")
            # The group named as a sentence names it, not as a heading does
            assert ("of 16 all English councils" if group else "similar councils") in sentence
            assert f"{place} " in sentence and f"({quartile})" in sentence, (
                metric_id,
                position,
                sentence,
            )


def test_the_public_is_not_shown_an_internal_measure(app: dash.Dash) -> None:
    with viewing(app, "public"):
        public = committee_positions(page("committee").layout(committee_id=COMMITTEE))
    with viewing(app, "officer"):
        officer = committee_positions(page("committee").layout(committee_id=COMMITTEE))
    assert "delayed-transfers-of-care" in officer
    assert "delayed-transfers-of-care" not in public
    assert set(public) < set(officer)


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by measure, area and period (each read comes in its measures' order)."""
    key = ["metric_id", "area_code", "period_start"]
    return frame.sort_values(key).reset_index(drop=True)


def test_standings_read_a_few_measures_at_a_time_are_those_of_one_read(app: dash.Dash) -> None:
    registry = load_registry(CONFIG)
    engine = engine_of(app)
    ids = [m.id for m in registry.for_committee(COMMITTEE)]
    for audience in AUDIENCES:
        whole = standings(registry, engine, ids, date.today(), audience, per_read=len(ids))
        in_turn = standings(registry, engine, ids, date.today(), audience, per_read=2)
        assert whole.groups == in_turn.groups
        assert whole.places == in_turn.places
        assert any(p for p in whole.places.values())
        # A chunk with no measure this audience may see has no figures to set a column's type
        pd.testing.assert_frame_equal(in_order(whole.own), in_order(in_turn.own), check_dtype=False)
    nothing = standings(registry, engine, [], date.today(), "public")
    assert nothing.groups == {} and nothing.own.empty


def first_ranked(app: dash.Dash, group: str) -> tuple[str, str]:
    """(measure, '10th of 16') of the committee's first measure with a place in `group`."""
    with viewing(app, "officer"):
        positions = committee_positions(
            page("committee").layout(committee_id=COMMITTEE, group=group)
        )
    metric_id = next(m for m, p in positions.items() if POSITION.fullmatch(p))
    return metric_id, POSITION.fullmatch(positions[metric_id]).group(1)  # type: ignore[union-attr]


def opened_table(app: dash.Dash, role: str, table: str, metric_id: str, group: str) -> Any:
    """What opening one of the drill-down's tables gives `role`, for the page's measure and
    group (whole area and range)."""
    with viewing(app, role):
        key = {"type": "table-on-open", "table": table}
        states = (metric_id, "", "", "", group)
        return triggered(page("metric").table_on_open, key, "n_clicks", 1, *states)


@pytest.mark.parametrize("group", ["", "english-councils"])
def test_the_comparison_table_opened_gives_the_rank_the_sentence_gives(
    app: dash.Dash, group: str
) -> None:
    metric_id, place = first_ranked(app, group)
    with viewing(app, "officer"):
        layout = page("metric").layout(metric_id=metric_id, group=group)
    opened = opened_table(app, "officer", "comparison", metric_id, group)
    assert "Lower quartile" not in text_of(layout)  # the table's heading: no table yet
    heading = [text_of(cell) for cell in opened["comparison-table"].children[1].children.children]
    assert heading[-1] == ("Councils" if group else "England median")
    newest = [
        text_of(cell) for cell in opened["comparison-table"].children[-1].children[0].children
    ]
    rank = newest[heading.index("Rank")]
    assert place.startswith(f"{rank}")
    assert place.endswith(f" of {newest[heading.index('Councils')]}")


@pytest.mark.parametrize("group", ["", "english-councils"])
def test_the_ranking_table_opened_names_every_council_in_the_committees_place(
    app: dash.Dash, group: str
) -> None:
    metric_id, place = first_ranked(app, group)
    opened = opened_table(app, "officer", "ranking", metric_id, group)
    rank, councils = re.fullmatch(r"(\d+)\w\w of (\d+)", place).groups()  # type: ignore[union-attr]
    rows = [text_of(row) for row in opened["ranking-table"].children[-1].children]
    assert len(rows) == int(councils)
    (own,) = [row for row in rows if "(this council)" in row]
    assert own.startswith(f"{rank} ")
    # A measure the public may not see gives the public nothing
    with pytest.raises(dash.exceptions.PreventUpdate):
        opened_table(app, "public", "ranking", "delayed-transfers-of-care", group)
