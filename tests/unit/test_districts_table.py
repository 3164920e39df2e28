"""The drill-down's table of the latest value in each area: best first for the measure's
polarity, areas with the same value in the register's order, areas with no latest value last."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from layouts._components.metric_sections import districts_section
from metrics.engine.series import SeriesView
from metrics.registry.loader import Registry
from tests.layouts.conftest import text_of

COUNTY, CANNOCK, STAFFORD, TAMWORTH, LICHFIELD = (
    "E10000028",
    "E07000192",
    "E07000197",
    "E07000199",
    "E07000194",
)
MONTHS = [date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)]


def table_rows(registry: Registry, polarity: str, area: str = COUNTY) -> list[str]:
    """The table's rows as their words, for claimant-rate with the given polarity."""
    metric = registry.metric("claimant-rate").model_copy(update={"polarity": polarity})
    latest = {COUNTY: 2.5, CANNOCK: 2.0, STAFFORD: 2.0, TAMWORTH: 3.0}
    rows: list[dict[str, Any]] = []
    for month in MONTHS:
        for code, value in latest.items():
            rows.append({"area_code": code, "period_start": month, "value": value})
        if month != MONTHS[-1]:  # Lichfield's latest figure has not arrived
            rows.append({"area_code": LICHFIELD, "period_start": month, "value": 1.0})
    observations = pd.DataFrame(rows).assign(
        metric_id=metric.id, period_start=lambda f: pd.to_datetime(f["period_start"])
    )
    view = SeriesView(
        metric=metric,
        area_code=area,
        frame=pd.DataFrame({"period_start": MONTHS}),
        spc=None,
        all_periods=pd.DataFrame({"period_start": MONTHS, "period": ["Aug", "Sep", "Oct"]}),
    )
    section = districts_section(registry, metric, observations, view)
    assert section is not None
    body = section["districts-table"].children[2]  # caption, head, body
    return [text_of(row) for row in body.children]


def test_lower_is_better_lists_the_lowest_first_ties_in_register_order_missing_last(
    registry: Registry,
) -> None:
    assert table_rows(registry, "lower_is_better") == [
        "Cannock Chase 2.0%",
        "Stafford 2.0%",
        "Staffordshire (highlighted) 2.5%",
        "Tamworth 3.0%",
        "Lichfield no data",
    ]


def test_higher_is_better_lists_the_highest_first_and_still_keeps_ties_and_gaps_in_order(
    registry: Registry,
) -> None:
    assert table_rows(registry, "higher_is_better", area=STAFFORD) == [
        "Tamworth 3.0%",
        "Staffordshire 2.5%",
        "Cannock Chase 2.0%",
        "Stafford (highlighted) 2.0%",
        "Lichfield no data",
    ]
