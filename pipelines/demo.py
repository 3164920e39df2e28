"""Build the demo warehouse from the generated history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from metrics.registry import Registry
from pipelines.demo_history import generate_history
from warehouse.observations import load_observations, observation_count
from warehouse.tables import pipeline_runs


def load_demo(registry: Registry, engine: sa.Engine, as_of: date, *, if_empty: bool = False) -> str:
    """Load the demo history in one transaction; return a one-line summary."""
    if if_empty and observation_count(engine) > 0:
        return "The warehouse already has data; demo not loaded."
    history = generate_history(registry, as_of)
    history["source_ref"] = "demo"
    now = datetime.now()
    with engine.begin() as conn:
        run_id = conn.execute(
            pipeline_runs.insert()
            .values(
                pipeline_id="demo",
                trigger="demo",
                started_at=now,
                status="running",
                rows_read=len(history),
            )
            .returning(pipeline_runs.c.run_id)
        ).scalar_one()
        counts = load_observations(conn, history, run_id=run_id, now=now)
        conn.execute(
            pipeline_runs.update()
            .where(pipeline_runs.c.run_id == run_id)
            .values(
                status="succeeded",
                finished_at=datetime.now(),
                rows_loaded=counts.loaded,
                rows_superseded=counts.superseded,
                rows_unchanged=counts.unchanged,
            )
        )
    return (
        f"Demo loaded as of {as_of:%d %b %Y}: {counts.loaded} observations "
        f"for {len(registry)} metrics ({counts.unchanged} unchanged, {counts.superseded} restated)."
    )
