"""`pmf evaluate` on the demo warehouse: a believable set of flags, and idempotence."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from demo.milestones import demo_tracker
from metrics.engine.evaluate import after_load, evaluate
from metrics.registry.loader import Registry
from tests.conftest import DEMO_AS_OF, copy_demo
from warehouse.engine import duckdb_url, get_engine
from warehouse.flags import read_flag_events, read_flags
from warehouse.milestones import upsert_milestones
from warehouse.observations import load_observations
from warehouse.snapshot import read_snapshot

AS_OF = DEMO_AS_OF
COUNTY = "E10000028"


@pytest.fixture(scope="module")
def demo_file(
    tmp_path_factory: pytest.TempPathFactory, demo_folder: Path, registry: Registry
) -> Path:
    """The session's demo warehouse (history and tracker), evaluated once more, on disk."""
    path = copy_demo(demo_folder, tmp_path_factory.mktemp("demo"))
    engine = sa.create_engine(duckdb_url(path))
    with engine.begin() as conn:
        upsert_milestones(
            conn, demo_tracker(AS_OF), run_id=None, source_ref="demo", now=datetime.now()
        )
    evaluate(registry, engine, today=AS_OF)
    engine.dispose()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[tuple[str, sa.Engine]]:
    """A private copy of the evaluated demo warehouse: its URL and an engine."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    url = duckdb_url(path)
    engine = get_engine(url)
    yield url, engine
    engine.dispose()
    get_engine.cache_clear()


def snapshot_row(snapshot: pd.DataFrame, metric_id: str, area: str = COUNTY) -> dict[str, Any]:
    """One row of the snapshot as a dict."""
    rows = snapshot[(snapshot["metric_id"] == metric_id) & (snapshot["area_code"] == area)]
    assert len(rows) == 1, f"expected one snapshot row for {metric_id} in {area}"
    return {str(k): v for k, v in rows.to_dict("records")[0].items()}


def open_rules(flags: pd.DataFrame) -> dict[str, set[str]]:
    """For each rule, the subjects with an open flag that lists it among its reasons."""
    found: dict[str, set[str]] = {}
    for _, flag in flags[flags["is_open"]].iterrows():
        for reason in json.loads(flag["reasons"]):
            found.setdefault(reason["rule"], set()).add(str(flag["subject_id"]))
    return found


def test_the_demo_raises_a_believable_set_of_flags(demo: tuple[str, sa.Engine]) -> None:
    _, engine = demo
    rules = open_rules(read_flags(engine))
    # Debt near £9m against £5m, and children's social work under strain, are off target
    assert {"general-debt-outstanding", "cs-social-worker-caseload"} <= rules["off_target"]
    assert len(rules["off_target"]) >= 4
    assert "general-debt-outstanding" in rules["spc_concern"]
    assert "general-debt-outstanding" in rules["assurance_fail"]
    assert rules["stale_data"] == {"delayed-transfers-of-care"}
    assert {"hub-05", "send-02"} <= rules["milestone_slipped"]
    assert {"cst-04", "wf-02"} <= rules["milestone_overdue"]
    # Green measures and complete or on-track milestones raise nothing
    everything = set().union(*rules.values())
    assert not {"invoices-paid-30-days", "foi-on-time", "hub-01", "send-04"} & everything
    # A believable number: enough to act on, not a flood (one flag per subject, every reason
    # on it, the most serious first)
    flags = read_flags(engine)
    measures = flags[flags["subject_type"].isin(["metric", "milestone"])]
    assert 8 <= len(measures) <= 25
    # Savings short of plan, one waiting on an overdue children's milestone, and the risks
    # above the council's appetite are flagged beside them
    assert {"S-SEND-01", "S-ASC-03"} <= rules["saving_shortfall"]
    assert "S-CF-02" in rules["saving_milestone"]
    assert {"R-FIN-01", "R-ASC-01"} <= rules["risk_above_appetite"]
    assert not {"S-EIS-01", "S-CS-03", "R-COM-01"} & everything
    assert not flags.duplicated(["subject_type", "subject_id", "area_code"]).any()
    debt = flags[flags["subject_id"] == "general-debt-outstanding"].iloc[0]
    assert [r["rule"] for r in json.loads(debt["reasons"])] == [
        "off_target",
        "assurance_fail",
        "spc_concern",
    ]
    assert debt["rule"] == "off_target" and debt["detail"].startswith("General debt outstanding")
    events = read_flag_events(engine)
    assert len(events) == len(flags)
    assert set(events["actor"]) == {"PMF engine"} and set(events["kind"]) == {"raised"}


def test_the_snapshot_has_one_row_per_metric_and_area(
    demo: tuple[str, sa.Engine], registry: Registry
) -> None:
    _, engine = demo
    snapshot = read_snapshot(engine)
    expected = sum(len(registry.areas_for(m)) for m in registry)
    assert len(snapshot) == expected
    row = snapshot_row(snapshot, "general-debt-outstanding")
    assert row["rag"] == "red"
    assert row["target"] == 5_000_000
    assert row["value"] > 8_000_000
    assert row["assurance"] == "consistent_fail"
    assert row["variation"] == "special_cause_concern"
    assert row["freshness"] == "fresh"
    assert row["period_start"] == date(2024, 10, 1)
    assert row["open_flags"] == 1  # one flag, three reasons
    late = snapshot_row(snapshot, "delayed-transfers-of-care")
    assert late["freshness"] == "stale"
    assert late["period_start"] == date(2024, 8, 1)
    # September's data was due 45 days after the month ended: the demo-health pipeline's lag
    assert late["due_by"] == date(2024, 11, 14)
    jobs = snapshot_row(snapshot, "jobs-created")
    assert jobs["ytd_value"] > jobs["value"]  # two quarters of 2024-25 so far
    assert set(snapshot["rag"]) <= {"green", "amber", "red", "no_target", "no_data"}


def test_evaluating_again_changes_no_flags(demo: tuple[str, sa.Engine]) -> None:
    url, engine = demo
    before = (read_flags(engine), read_flag_events(engine))
    result = CliRunner().invoke(main, ["--database-url", url, "evaluate", "--as-of", "2024-11-25"])
    assert result.exit_code == 0, result.output
    assert "0 raised, 0 cleared, 0 returned, 0 with changed reasons" in result.output
    after = (read_flags(engine), read_flag_events(engine))
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_late_data_arriving_clears_the_condition_but_not_the_flag(
    demo: tuple[str, sa.Engine], registry: Registry
) -> None:
    _, engine = demo
    rows = pd.DataFrame(
        {
            "metric_id": "delayed-transfers-of-care",
            "area_code": COUNTY,
            "period_start": [date(2024, 9, 1), date(2024, 10, 1)],
            "period_end": [date(2024, 9, 30), date(2024, 10, 31)],
            "value": [176.0, 181.0],
        }
    )
    with engine.begin() as conn:
        load_observations(conn, rows, run_id=None, now=datetime.now())
    summary = evaluate(registry, engine, today=AS_OF)
    assert summary.flags.cleared == 1 and summary.flags.raised == 0
    stale = read_flags(engine, rules=["stale_data"]).iloc[0]
    assert stale["status"] == "open"
    assert stale["condition_cleared_at"] is not None and not pd.isna(stale["condition_cleared_at"])
    snapshot = snapshot_row(read_snapshot(engine), "delayed-transfers-of-care")
    assert snapshot["freshness"] == "fresh"
    assert snapshot["open_flags"] == 1  # still open until someone closes it


def test_the_after_load_hook_evaluates(demo: tuple[str, sa.Engine], registry: Registry) -> None:
    _, engine = demo
    summary = after_load(registry, engine, run_id=7)
    assert summary.series == len(read_snapshot(engine))
    # Judged against the real date, the 2024 demo is out of date everywhere
    assert summary.stale > 0
