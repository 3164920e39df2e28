"""Build the demo warehouse the way production builds it: files dropped, pipelines run.

The generated history is written as the services' own CSV and XLSX returns (with a few rows
wrong on purpose) into a drop folder beside the database, and the real pipelines load them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from demo.cycle import build_demo_cycle
from demo.drops import TRACKER_PIPELINE, write_demo_drops, write_demo_tracker
from demo.history import generate_history
from demo.savings import SAVINGS_PIPELINE, demo_delivery, write_demo_delivery
from metrics.engine.evaluate import evaluate
from metrics.registry.loader import Registry
from pipelines.config import drop_root, load_pipelines
from pipelines.derived import update_derived
from pipelines.runner import LOADED, RunResult, run_pipeline
from warehouse.engine import database_path
from warehouse.observations import observation_count


def demo_drop_folder(registry: Registry, engine: sa.Engine) -> Path:
    """Beside a file database (data/drops for data/pmf.duckdb), else the drop_folder setting."""
    path = database_path(engine.url.render_as_string(hide_password=False))
    return path.resolve().parent / "drops" if path is not None else drop_root(registry)


def load_demo(
    registry: Registry,
    engine: sa.Engine,
    as_of: date,
    *,
    if_empty: bool = False,
    drops: Path | None = None,
) -> str:
    """Write the demo drops (to `drops`, else `demo_drop_folder`) and run the pipelines that
    read them; return a one-line summary."""
    if if_empty and observation_count(engine) > 0:
        return "The warehouse already has data; demo not loaded."
    root = drops or demo_drop_folder(registry, engine)
    pipelines = load_pipelines(registry)
    history = generate_history(registry, as_of)
    chosen = write_demo_drops(registry, pipelines, history, root)
    tracker = _demo_tracker(as_of)
    if tracker is not None and TRACKER_PIPELINE in pipelines:
        write_demo_tracker(tracker, pipelines[TRACKER_PIPELINE], root)
        chosen.append(TRACKER_PIPELINE)
    if registry.finance.proposals and SAVINGS_PIPELINE in pipelines:
        delivery = demo_delivery(registry.finance, as_of)
        write_demo_delivery(delivery, pipelines[SAVINGS_PIPELINE], root)
        chosen.append(SAVINGS_PIPELINE)
    results = [
        run_pipeline(
            registry,
            engine,
            pipelines[pipeline_id],
            trigger="demo",
            triggered_by="pmf demo",
            drop_folder=root,
            hooks=False,
        )
        for pipeline_id in chosen
    ]
    made = build_demo_cycle(registry, engine, history, as_of)
    # Worked out from the parts just loaded, as the after-load hook does for any other load
    results += update_derived(registry, engine, trigger="demo", triggered_by="pmf demo")
    if any(r.status in LOADED for r in results) or made is not None:
        # The demo is a picture as at `as_of`, so status and flags are worked out for that day
        # (the after-load hooks would judge freshness and milestones against the real date)
        evaluate(registry, engine, today=as_of)
    summary = _summary(as_of, root, results)
    if made is not None:
        summary += (
            f" Reporting cycles: {made.quarter} closed, {made.month} in progress "
            f"({made.returns} data returns)."
        )
    return summary


def _demo_tracker(as_of: date) -> pd.DataFrame | None:
    try:
        from demo.milestones import demo_tracker
    except ImportError:  # the demo tracker is optional; observations load without it
        return None
    return demo_tracker(as_of)


def _summary(as_of: date, root: Path, results: list[RunResult]) -> str:
    observations = [r for r in results if r.pipeline_id not in (TRACKER_PIPELINE, SAVINGS_PIPELINE)]
    loaded = sum(r.rows_loaded for r in observations)
    restated = sum(r.rows_superseded for r in observations)
    unchanged = sum(r.rows_unchanged for r in observations)
    rejected = sum(r.rows_rejected for r in results)
    failed = [r.pipeline_id for r in results if not r.ok]
    skipped = [r for r in results if r.status == "skipped_unchanged"]
    text = (
        f"Demo loaded as of {as_of:%d %b %Y} through {len(results)} pipelines from {root}: "
        f"{loaded} observations ({unchanged} unchanged, {restated} restated)"
    )
    milestones = [r for r in results if r.pipeline_id == TRACKER_PIPELINE]
    if milestones:
        m = milestones[0]
        text += f", {m.rows_loaded} milestones added and {m.rows_superseded} updated"
    savings = [r for r in results if r.pipeline_id == SAVINGS_PIPELINE]
    if savings:
        text += f", {savings[0].rows_loaded} savings delivery returns"
    if skipped:
        text += f"; {len(skipped)} pipeline(s) found nothing new"
    if rejected:
        text += f"; {rejected} rows rejected on purpose (see `pmf rejected`)"
    if failed:
        text += f"; FAILED: {', '.join(failed)} (see `pmf pipelines history`)"
    return text + "."
