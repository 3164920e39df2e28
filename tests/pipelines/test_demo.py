"""`pmf demo` goes through the real path: drop files written, real pipelines run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from cycle.status import cycle_status
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
    # The pipelines' runs, and the manual measures' figures approved in the demo cycles
    assert set(log["trigger"]) == {"demo", "approval"}
    assert set(log.loc[log["trigger"] == "approval", "pipeline_id"]) == {"returns"}
    assert "Reporting cycles: 2024-25-Q2 closed, 2024-10 in progress" in summary
    states = cycle_status(registry, engine, ["2024-10"], today=AS_OF)
    assert {"approved", "submitted", "returned", "draft", "not_started"} <= set(states["state"])
    assert states["late"].any() and not states["late"].all()
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
