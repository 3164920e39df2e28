"""Recording and withdrawing a rebase: a measure's SPC limits worked out afresh from a period.

Checked here (which measure, area and period; a reason), stored by warehouse.spc_rebases, then
the whole registry is evaluated again, so the snapshot, the flags, the pages and the packs all
read the new limits at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.engine.evaluate import evaluate
from metrics.engine.periods import period_label
from metrics.registry.loader import Registry
from warehouse.observations import current_observations
from warehouse.spc_rebases import RebaseNotFound, insert_rebase, read_rebases, withdraw_rebase

MAX_REASON = 1000

__all__ = ["RebaseNotFound", "RebaseProblem", "record", "withdraw"]


@dataclass
class RebaseProblem(ValueError):
    """What is wrong with a rebase, by field ('metric', 'area', 'period', 'reason', 'by')."""

    problems: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return " ".join(self.problems.values())


def series_periods(engine: sa.Engine, metric_id: str, area_code: str) -> list[date]:
    """The periods one series has figures for, oldest first."""
    rows = current_observations(engine, [metric_id])
    rows = rows[rows["area_code"] == area_code]
    return sorted({pd.Timestamp(s).date() for s in rows["period_start"]})


def record(
    registry: Registry,
    engine: sa.Engine,
    *,
    metric_id: str,
    area_code: str,
    period_start: date | None,
    reason: str,
    recorded_by: str,
    now: datetime | None = None,
) -> int:
    """Record a rebase after checking it (RebaseProblem lists every problem); its id."""
    problems: dict[str, str] = {}
    reason, recorded_by = (reason or "").strip(), (recorded_by or "").strip()
    if not registry.has_metric(metric_id):
        raise RebaseProblem({"metric": f"There is no measure with the id '{metric_id}'."})
    metric = registry.metric(metric_id)
    codes = [a.code for a in registry.areas_for(metric)]
    if area_code not in codes:
        raise RebaseProblem(
            {"area": f"{metric.name} is not reported for '{area_code}'; use {', '.join(codes)}."}
        )
    periods = series_periods(engine, metric_id, area_code)
    if period_start is None:
        problems["period"] = "Choose the first period of the new limits."
    elif period_start not in periods[1:]:
        problems["period"] = (
            "Choose a period with a figure, after the first one: the new limits start there."
            if not periods or period_start not in periods
            else "The first period already starts the limits: choose a later one."
        )
    else:
        held = read_rebases(engine, [metric_id])
        same = held[(held["area_code"] == area_code) & (held["period_start"] == period_start)]
        if not same.empty:
            label = period_label(metric.frequency, period_start)
            problems["period"] = (
                f"The limits are already recalculated from {label} "
                f"(rebase {int(same['id'].iloc[0])})."
            )
    if not reason:
        problems["reason"] = "Say why the process changed: readers see it on the chart."
    elif len(reason) > MAX_REASON:
        problems["reason"] = f"The reason is {len(reason)} characters; the limit is {MAX_REASON}."
    if not recorded_by:
        problems["by"] = "Say who is recording the rebase."
    if problems:
        raise RebaseProblem(problems)
    assert period_start is not None
    rebase_id = insert_rebase(
        engine,
        metric_id=metric_id,
        area_code=area_code,
        period_start=period_start,
        reason=reason,
        recorded_by=recorded_by,
        now=now,
    )
    evaluate(registry, engine)
    return rebase_id


def withdraw(
    registry: Registry,
    engine: sa.Engine,
    rebase_id: int,
    *,
    withdrawn_by: str,
    now: datetime | None = None,
) -> dict[str, object]:
    """Withdraw a rebase (kept, marked with who and when), then evaluate again; its row."""
    if not withdrawn_by.strip():
        raise RebaseProblem({"by": "Say who is withdrawing the rebase."})
    row = withdraw_rebase(engine, rebase_id, withdrawn_by=withdrawn_by.strip(), now=now)
    evaluate(registry, engine)
    return row
