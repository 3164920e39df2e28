"""The ranking's table: beside a small group's labelled bars it is on the page; a group of
more than 40 councils (drawn as a caterpillar) names its councils in a table the reader opens,
built then, with every council in its place."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import html
from dash.development.base_component import Component

from layouts._components.metric_sections import comparison_section, ranking_table
from metrics.engine.comparison_choice import comparison_choice
from metrics.figures import LABELLED_BARS
from metrics.registry.comparators import ENGLISH_COUNCILS
from metrics.registry.loader import Registry
from tests.layouts.conftest import text_of

METRIC = "asc-quality-of-life"  # higher is better
OWN = "E10000028"
UNITARIES = 60


def _rows(registry: Registry) -> pd.DataFrame:
    """The nearest neighbours, this council, and 60 unitary councils, all for 2022-23."""
    neighbours = [m.code for m in registry.comparator_groups["nearest-neighbours"].members]
    values = {code: 19.0 + i / 10 for i, code in enumerate(neighbours)}
    values[OWN] = 19.55
    values.update({f"E0600{n:04d}": 10.0 + n / 10 for n in range(1, UNITARIES + 1)})
    return pd.DataFrame(
        {
            "metric_id": METRIC,
            "area_code": list(values),
            "period_start": pd.Timestamp(date(2022, 4, 1)),
            "value": list(values.values()),
            "is_benchmark": [code != OWN for code in values],
        }
    )


def found(node: Any, wanted: Any) -> list[Any]:
    """The components of a layout whose id is `wanted`."""
    if isinstance(node, list | tuple):
        return [c for child in node for c in found(child, wanted)]
    if not isinstance(node, Component):
        return []
    here = [node] if getattr(node, "id", None) == wanted else []
    return here + found(getattr(node, "children", None), wanted)


def test_a_small_groups_ranking_table_is_on_the_page(registry: Registry) -> None:
    choice = comparison_choice(registry, registry.metric(METRIC), _rows(registry))
    section = comparison_section(registry, choice.chosen(None), None, choice)
    (table,) = found(section, "ranking-table")
    # The nearest neighbours, this council among them
    assert len(table.children[-1].children) == 16
    assert not found(section, {"type": "table-on-open", "table": "ranking"})


def test_every_english_council_is_named_in_a_table_built_when_opened(
    registry: Registry,
) -> None:
    choice = comparison_choice(registry, registry.metric(METRIC), _rows(registry))
    england = choice.chosen(ENGLISH_COUNCILS.id)
    assert england is not None and england.group.id == ENGLISH_COUNCILS.id
    councils = 16 + UNITARIES
    assert councils > LABELLED_BARS
    section = comparison_section(registry, england, None, choice)
    assert not found(section, "ranking-table")
    (summary,) = found(section, {"type": "table-on-open", "table": "ranking"})
    assert isinstance(summary, html.Summary)
    assert text_of(summary) == f"Show all {councils} councils ranked as a table"
    # Opened: every council, best first, this council in its place and marked
    council = registry.plan.organisation.short_name
    (opened,) = found(ranking_table(england, england.latest_ranking(council)), "ranking-table")
    body = opened.children[-1].children
    rows = [text_of(row) for row in body]
    assert len(rows) == councils
    assert rows[0].startswith("1 ") and rows[-1].startswith(f"{councils} ")
    (own,) = [r for r in rows if "(this council)" in r]
    figures = _rows(registry).set_index("area_code")["value"]
    place = 1 + int((figures > figures[OWN]).sum())
    # Named, though a group by code prefix names none of its councils
    assert place > 1 and own.startswith(f"{place} Staffordshire (this council)"), own
    assert f"ranked {place}th of {councils} all English councils" in text_of(section)
