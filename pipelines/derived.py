"""Derived measures' values take the same checks and the same load as a pipeline's.

After any load, each derived measure's values are worked out again from the current values of
its parts (metrics.engine.derived) and compared with what is stored. Only values that are new
or changed are loaded, as a run of the built-in `derived` pipeline whose source reference says
what the value was worked out from. So a restated part restates the derived value, with the
old one kept in its history, and a load that touched no part records nothing.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from metrics.engine.derived import derivation, derived_measures, derived_values, part_ids
from metrics.registry.loader import Registry
from metrics.registry.model import DERIVED_PIPELINE, DERIVED_PIPELINE_NAME, Metric
from pipelines.built_in import built_in_pipeline, text_batch
from pipelines.config import Pipeline
from pipelines.runner import Progress, RunResult, run_batch
from pipelines.sources.base import Batch
from warehouse.observations import current_observations
from warehouse.runs import latest_source
from warehouse.transactions import reading

KEY = ["metric_id", "area_code", "period_start"]


def derived_pipeline(registry: Registry) -> Pipeline:
    """The built-in pipeline that derived measures' values are checked and loaded as."""
    derived = tuple(m.id for m in derived_measures(registry))
    return built_in_pipeline(
        DERIVED_PIPELINE,
        DERIVED_PIPELINE_NAME,
        "Values worked out by PMF from the current values of two measures.",
        "worked-out-by-pmf",
        derived,
        ("value",),
    )


def changed_values(registry: Registry, engine: sa.Engine) -> pd.DataFrame:
    """Derived values worked out now that are not yet stored as they are (new or changed)."""
    parts = current_observations(engine, part_ids(registry))
    worked_out = derived_values(registry, parts)
    # As the load will read them back: the text a batch carries, parsed again
    worked_out["value"] = [float(_text(v)) for v in worked_out["value"]]
    ids = [m.id for m in derived_measures(registry)]
    stored = current_observations(engine, ids)[[*KEY, "value"]]
    both = worked_out.merge(stored, on=KEY, how="left", suffixes=("", "_stored"))
    changed = both["value_stored"].isna() | (both["value"] != both["value_stored"])
    return both.loc[changed, [*KEY, "value"]].reset_index(drop=True)


def update_derived(
    registry: Registry,
    engine: sa.Engine,
    *,
    trigger: str = "after load",
    triggered_by: str | None = None,
    progress: Progress | None = None,
) -> list[RunResult]:
    """Load every new or changed derived value, one run of `derived` per derived measure.

    Values the checks refused last time, unchanged since, are not tried again (their batch
    is the same as the one last recorded), so a refused value does not make a run per load.
    The caller evaluates afterwards: these runs call no after-load hooks.
    """
    if not derived_measures(registry):
        return []
    changed = changed_values(registry, engine)
    pipeline = derived_pipeline(registry)
    results = []
    for metric in derived_measures(registry):
        rows = changed[changed["metric_id"] == metric.id]
        if rows.empty:
            continue
        batch = _batch(rows, _ref(registry, metric))
        with reading(engine) as conn:
            last = latest_source(conn, DERIVED_PIPELINE, batch.ref)
        if last is not None and last.content_hash == batch.state.content_hash:
            continue
        results.append(
            run_batch(
                registry,
                engine,
                pipeline,
                batch,
                trigger=trigger,
                triggered_by=triggered_by,
                progress=progress,
                hooks=False,
            )
        )
    return results


def after_load(registry: Registry, engine: sa.Engine, run_id: int | None) -> None:
    """The hook pipelines call after a load: bring derived values up to date before the
    engine evaluates (it runs after this hook)."""
    update_derived(registry, engine, trigger="after load", triggered_by=f"run {run_id}")


def _ref(registry: Registry, metric: Metric) -> str:
    return f"{metric.name} = {derivation(registry, metric)}"


def _text(value: float) -> str:
    return f"{float(value):.15g}"


def _batch(rows: pd.DataFrame, ref: str) -> Batch:
    frame = pd.DataFrame(
        {
            "metric": rows["metric_id"].astype(str).tolist(),
            "area": rows["area_code"].astype(str).tolist(),
            "period": [pd.Timestamp(d).date().isoformat() for d in rows["period_start"]],
            "value": [_text(v) for v in rows["value"]],
        },
        dtype=object,
    )
    return text_batch(frame, ref, "value")
