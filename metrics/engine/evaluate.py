"""Evaluate the whole registry: status snapshot, flag rules and flags, in one transaction.

This is what `pmf evaluate` runs and what the pipelines call after each load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.engine.aggregation import rates_missing_county
from metrics.engine.milestones import milestones_with_status
from metrics.engine.risks import judge_risks
from metrics.engine.savings import judge_savings
from metrics.engine.series import rebases_by_series
from metrics.engine.snapshot import KEY, build_snapshot
from metrics.flags.finance_rules import risk_conditions, saving_conditions
from metrics.flags.rules import Condition, metric_conditions, milestone_conditions
from metrics.flags.sync import SyncResult, sync_flags
from metrics.registry.loader import Registry
from warehouse.bulk import current_values
from warehouse.flags import open_flag_counts, open_flag_total
from warehouse.observations import current_observations
from warehouse.savings import current_delivery
from warehouse.schema import create_tables
from warehouse.snapshot import replace_snapshot
from warehouse.spc_rebases import read_rebases


@dataclass(frozen=True)
class EvaluationSummary:
    """What one evaluation found and changed."""

    today: date
    metrics: int
    series: int
    red: int
    stale: int
    flags: SyncResult
    open_flags: int
    seconds: float

    def __str__(self) -> str:
        f = self.flags
        return (
            f"Evaluated {self.metrics} metrics ({self.series} metric-area rows) as of "
            f"{self.today:%d %b %Y}: {self.red} red, {self.stale} with late data. "
            f"Flags: {f.raised} raised, {f.cleared} cleared, {f.returned} returned, "
            f"{f.changed} with changed reasons"
            + (f", {f.merged} merged into another" if f.merged else "")
            + f"; {self.open_flags} open. ({self.seconds:.1f} s)"
        )


def evaluate(
    registry: Registry,
    engine: sa.Engine,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> EvaluationSummary:
    """Recompute the status snapshot and bring the flags up to date; safe to run again."""
    began = time.perf_counter()
    today = today or date.today()
    now = now or datetime.now()
    rebases = rebases_by_series(read_rebases(engine))
    snapshot = build_snapshot(registry, _values(registry, engine), today, rebases)
    milestones = milestones_with_status(registry, engine, today)
    conditions = metric_conditions(registry, snapshot)
    conditions += milestone_conditions(registry, milestones, today)
    conditions += _finance_conditions(registry, engine, milestones, today)
    with engine.begin() as conn:
        result = sync_flags(conn, conditions, now=now)
        counts = open_flag_counts(conn).set_index(["subject_id", "area_code"])["open_flags"]
        snapshot = snapshot.join(counts, on=KEY)
        snapshot["open_flags"] = snapshot["open_flags"].fillna(0).astype("int64")
        replace_snapshot(conn, snapshot, computed_at=now)
        open_total = open_flag_total(conn)
    return EvaluationSummary(
        today=today,
        metrics=len(registry),
        series=len(snapshot),
        red=int((snapshot["rag"] == "red").sum()),
        stale=int((snapshot["freshness"] == "stale").sum()),
        flags=result,
        open_flags=open_total,
        seconds=time.perf_counter() - began,
    )


def _finance_conditions(
    registry: Registry, engine: sa.Engine, milestones: pd.DataFrame, today: date
) -> list[Condition]:
    """The saving and risk rules' conditions, from the same judgements pages show."""
    finance, defaults = registry.finance, registry.flag_defaults
    if not finance.proposals and not finance.risks:
        return []
    risks = judge_risks(finance, today)
    savings = judge_savings(finance, current_delivery(engine), milestones, risks, today)
    return saving_conditions(defaults, savings) + risk_conditions(defaults, risks)


def _values(registry: Registry, engine: sa.Engine) -> pd.DataFrame:
    """Current values, with numerators and denominators for rates the county may need."""
    values = current_values(engine)
    rates = rates_missing_county(registry, values)
    if not rates:
        # The usual case: every county row arrived, and the fast read is enough
        return values
    parts = current_observations(engine, rates)[[*values.columns, "numerator", "denominator"]]
    return pd.concat([values[~values["metric_id"].isin(rates)], parts], ignore_index=True)


def after_load(registry: Registry, engine: sa.Engine, run_id: int | None) -> EvaluationSummary:
    """The hook pipelines call after a load: re-evaluate everything (the run id is not needed)."""
    create_tables(engine)
    return evaluate(registry, engine)
