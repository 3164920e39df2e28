"""Derived measures: worked out from their parts after a load, stored with history, judged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.derived import update_derived
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import runs
from warehouse.observations import current_observations, revision_history
from warehouse.snapshot import read_snapshot

COST = "asc-cost-per-person-supported"
SPEND = "asc-long-term-support-spend"
PEOPLE = "asc-people-long-term-support"
COUNTY = "E10000028"
FINANCE_RETURN = f"""
pipelines:
  - id: test-asc-finance
    description: Adult social care spend and people supported, for the tests.
    owner: Tests
    metrics: [{SPEND}, {PEOPLE}]
    source: {{kind: file, path: asc/*.csv}}
    mapping:
      metric: {{column: Metric}}
      area: {COUNTY}
      period: {{column: Quarter, format: date}}
      value: Value
"""


@pytest.fixture
def finance(add_pipelines: Callable[..., Registry], drops: Path) -> Registry:
    (drops / "asc").mkdir(parents=True, exist_ok=True)
    return add_pipelines(FINANCE_RETURN)


def _send(drops: Path, rows: list[tuple[str, str, str]]) -> None:
    lines = ["Metric,Quarter,Value", *(",".join(row) for row in rows)]
    (drops / "asc" / "return.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _derived(engine: sa.Engine) -> dict[str, float]:
    frame = current_observations(engine, [COST])
    return {
        f"{d:%Y-%m-%d}": float(v)
        for d, v in zip(frame["period_start"], frame["value"], strict=True)
    }


def _derived_runs(engine: sa.Engine) -> int:
    log = runs(engine)
    return int((log["pipeline_id"] == "derived").sum())


def test_a_load_of_the_parts_stores_the_derived_value_and_the_engine_judges_it(
    finance: Registry, engine: sa.Engine, drops: Path
) -> None:
    _send(
        drops,
        [
            (SPEND, "2025-04-01", "80000000"),
            (PEOPLE, "2025-04-01", "10000"),
            (SPEND, "2025-07-01", "91000000"),
            (PEOPLE, "2025-07-01", "10000"),
        ],
    )
    result = run_pipeline(finance, engine, "test-asc-finance")
    assert result.status == "succeeded" and result.error is None
    assert _derived(engine) == {"2025-04-01": 8000.0, "2025-07-01": 9100.0}
    stored = current_observations(engine, [COST])
    assert set(stored["source_ref"]) == {
        "Cost of long-term support per person supported = Spend on long-term adult social "
        "care support / People receiving long-term adult social care support"
    }
    assert [str(d.date()) for d in stored["period_end"]] == ["2025-06-30", "2025-09-30"]
    # Judged against its target of 8,000 (3% tolerance, lower is better): 9,100 is red
    snapshot = read_snapshot(engine, [COST])
    assert len(snapshot) == 1
    row = snapshot.iloc[0]
    assert (row["area_code"], row["value"], row["target"], row["rag"]) == (
        COUNTY,
        9100.0,
        8000.0,
        "red",
    )
    # Nothing new to work out: no run is recorded for nothing
    assert update_derived(finance, engine) == []
    assert _derived_runs(engine) == 1


def test_a_restated_part_restates_the_derived_value_and_keeps_the_old_one(
    finance: Registry, engine: sa.Engine, drops: Path
) -> None:
    first = [
        (SPEND, "2025-04-01", "80000000"),
        (PEOPLE, "2025-04-01", "10000"),
        (SPEND, "2025-07-01", "82000000"),
        (PEOPLE, "2025-07-01", "10000"),
    ]
    _send(drops, first)
    run_pipeline(finance, engine, "test-asc-finance")
    # The July quarter's people supported is restated from 10,000 to 10,250
    _send(drops, [*first[:3], (PEOPLE, "2025-07-01", "10250")])
    restated = run_pipeline(finance, engine, "test-asc-finance")
    assert restated.rows_superseded == 1 and restated.error is None
    assert _derived(engine) == {"2025-04-01": 8000.0, "2025-07-01": 8000.0}
    history = revision_history(engine, COST, COUNTY)
    july = history[history["period_start"].astype(str) == "2025-07-01"]
    assert sorted(july["value"]) == [8000.0, 8200.0]
    old = july[july["value"] == 8200.0].iloc[0]
    assert old["superseded_at"] is not None and str(old["superseded_at"]) != "NaT"
    # The April value did not change, so it was left alone: one row, never superseded
    april = history[history["period_start"].astype(str) == "2025-04-01"]
    assert len(april) == 1
    derived = runs(engine)[lambda r: r["pipeline_id"] == "derived"]
    assert list(derived["rows_loaded"]) == [2, 1]
    assert list(derived["rows_superseded"]) == [0, 1]


def test_a_zero_denominator_or_a_missing_part_gives_no_value(
    finance: Registry, engine: sa.Engine, drops: Path
) -> None:
    _send(
        drops,
        [
            (SPEND, "2025-04-01", "80000000"),
            (PEOPLE, "2025-04-01", "0"),
            (SPEND, "2025-07-01", "82000000"),
            (PEOPLE, "2025-10-01", "10000"),
        ],
    )
    result = run_pipeline(finance, engine, "test-asc-finance")
    assert result.status == "succeeded" and result.error is None
    assert _derived(engine) == {}
    assert _derived_runs(engine) == 0
    # Once the missing part arrives, that quarter has its value
    _send(
        drops,
        [
            (SPEND, "2025-04-01", "80000000"),
            (PEOPLE, "2025-04-01", "0"),
            (SPEND, "2025-07-01", "82000000"),
            (PEOPLE, "2025-07-01", "10000"),
            (PEOPLE, "2025-10-01", "10000"),
        ],
    )
    run_pipeline(finance, engine, "test-asc-finance")
    assert _derived(engine) == {"2025-07-01": 8200.0}
