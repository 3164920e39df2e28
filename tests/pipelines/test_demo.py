"""`pmf demo` goes through the real path: drop files written, real pipelines run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from demo.load import load_demo
from metrics.registry.loader import Registry
from tests.pipelines.conftest import runs, table
from warehouse.milestones import read_milestones
from warehouse.observations import current_observations
from warehouse.tables import rejected_rows

AS_OF = date(2024, 11, 25)


def test_demo_writes_drops_and_loads_them_through_the_pipelines(
    registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    drops = tmp_path / "drops"
    summary = load_demo(registry, engine, AS_OF, drops=drops)
    assert "4 rows rejected on purpose" in summary and "FAILED" not in summary
    assert (drops / "demo-economy" / "demo.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (drops / "demo-children" / "demo.xlsx").exists()
    assert (drops / "milestones" / "demo.xlsx").exists()
    assert (drops / "oflog_adult_social_care-demo.csv").exists()

    log = runs(engine)
    assert set(log["trigger"]) == {"demo"}
    assert set(log["status"]) == {"succeeded", "partially_rejected"}
    assert {m.id for m in registry} == set(current_observations(engine)["metric_id"])
    assert len(read_milestones(engine)) >= 20

    reasons = "\n".join(table(engine, rejected_rows)["reasons"])
    assert "unknown metric id 'clamant-rate'" in reasons
    assert "value '140%' is outside 0 to 100" in reasons
    assert "period 'May 2017' does not start a quarterly period" in reasons
    assert "value 'tbc' in column 'Value' is not a number" in reasons

    again = load_demo(registry, engine, AS_OF, drops=drops)
    assert "found nothing new" in again
    assert set(runs(engine)["status"].iloc[len(log) :]) == {"skipped_unchanged"}
