"""The flag rules: from a status snapshot and the milestones, which conditions hold now.

A Condition says, for one subject (a metric in an area, or a milestone) and one rule,
whether the rule's condition holds and, when it does, a sentence saying why. Turning
conditions into stored flags, one per subject listing every rule that holds, is the job of
metrics/flags/sync.py.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from metrics.engine.freshness import STALE
from metrics.engine.milestones import is_overdue, is_slipped, slip_days
from metrics.engine.periods import next_period, period_label
from metrics.engine.status import RED
from metrics.format import format_value
from metrics.registry.flag_config import MetricRules, rules_for
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from metrics.words import RULE, plural

OFF_TARGET, SPC_CONCERN, ASSURANCE_FAIL, STALE_DATA = (
    "off_target",
    "spc_concern",
    "assurance_fail",
    "stale_data",
)
MILESTONE_SLIPPED, MILESTONE_OVERDUE = "milestone_slipped", "milestone_overdue"
RULES = (OFF_TARGET, SPC_CONCERN, ASSURANCE_FAIL, STALE_DATA, MILESTONE_SLIPPED, MILESTONE_OVERDUE)
RULE_NAMES = RULE  # the words live in metrics.words
CONCERN = "special_cause_concern"
CONSISTENT_FAIL = "consistent_fail"


@dataclass(frozen=True)
class Condition:
    """Whether one rule's condition holds for one subject, and why."""

    subject_type: str
    subject_id: str
    area_code: str | None
    rule: str
    active: bool
    detail: str = ""
    owner: str | None = None

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        """The subject and rule: one of the reasons of the subject's one open flag."""
        return (self.subject_type, self.subject_id, self.area_code, self.rule)


def metric_conditions(registry: Registry, snapshot: pd.DataFrame) -> list[Condition]:
    """Conditions of the metric rules for every metric and area in a status snapshot."""
    county = registry.plan.county.code
    metric_ids = snapshot["metric_id"].to_numpy(dtype=object)
    rules: dict[str, MetricRules] = {}
    for metric_id in dict.fromkeys(metric_ids.tolist()):
        metric = registry.metric(str(metric_id))
        rules[metric.id] = rules_for(metric, registry.flag_defaults, registry.settings)
    # Most measures raise flags for the county only: their districts' rows are never read
    county_only = np.array([rules[str(m)].areas == "county" for m in metric_ids], dtype=bool)
    elsewhere = snapshot["area_code"].to_numpy(dtype=object) != county
    found: list[Condition] = []
    for row in _rows(snapshot[~(county_only & elsewhere)]):
        metric = registry.metric(str(row.metric_id))
        own = rules[metric.id]
        area = str(row.area_code)
        where = "" if area == county else f" in {registry.area_name(area)}"

        checks: list[tuple[str, bool, Callable[[Metric, Any, str], str]]] = []
        if own.off_target:
            reds_now = row.rag == RED and int(row.red_periods) >= own.off_target_periods
            checks.append((OFF_TARGET, reds_now, _off_target))
        if own.spc_concern:
            checks.append((SPC_CONCERN, row.variation == CONCERN, _spc_concern))
        if own.assurance_fail:
            checks.append((ASSURANCE_FAIL, row.assurance == CONSISTENT_FAIL, _assurance))
        if own.stale_data:
            checks.append((STALE_DATA, row.freshness == STALE, _stale))
        for rule, active, explain in checks:
            # Only a condition that holds needs its sentence, and most do not
            detail = explain(metric, row, where) if active else ""
            found.append(
                Condition("metric", metric.id, area, rule, bool(active), detail, metric.owner)
            )
    return found


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of a frame as named tuples, as `itertuples(index=False)` gives them.

    Each column is turned into Python objects in one go: iterating a column of text
    element by element, as `itertuples` does, costs far more.
    """
    columns = [_as_objects(frame[name]) for name in frame.columns]
    row = namedtuple("Row", [str(name) for name in frame.columns], rename=True)  # type: ignore[misc]
    return map(row._make, zip(*columns, strict=True))


def _as_objects(column: pd.Series) -> list[Any]:
    """The column's values as `itertuples` gives them (Python scalars, not numpy ones)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind not in "Mm":
        # Plain numpy columns: tolist gives the same Python scalars as iterating
        return column.to_numpy().tolist()
    if isinstance(dtype, pd.StringDtype):
        return column.to_numpy(dtype=object).tolist()
    return list(column)


def milestone_conditions(
    registry: Registry, milestones: pd.DataFrame, today: date
) -> list[Condition]:
    """Conditions of the milestone rules for every milestone (statuses: engine.milestones)."""
    defaults = registry.flag_defaults
    at_risk_days = int(registry.settings["milestone_at_risk_days"])
    found: list[Condition] = []
    rows: Iterable[Any] = milestones.itertuples(index=False)
    for row in rows:
        baseline: date = row.baseline_date
        forecast = row.forecast_date if isinstance(row.forecast_date, date) else None
        completed = row.completed_date if isinstance(row.completed_date, date) else None
        owner = str(row.owner) if isinstance(row.owner, str) else None
        ident = str(row.id)
        if defaults.milestone_slipped:
            active = is_slipped(baseline, forecast, completed, at_risk_days)
            detail = (
                f"'{row.title}' is forecast for {forecast:%d %b %Y}, "
                f"{plural(slip_days(baseline, forecast), 'day')} "
                f"after its baseline of {baseline:%d %b %Y}."
                if active and forecast is not None
                else ""
            )
            found.append(
                Condition("milestone", ident, None, MILESTONE_SLIPPED, active, detail, owner)
            )
        if defaults.milestone_overdue:
            active = is_overdue(baseline, completed, today)
            forecast_text = f"; forecast {forecast:%d %b %Y}" if forecast else ""
            detail = (
                f"'{row.title}' was due by {baseline:%d %b %Y} and is not complete{forecast_text}."
                if active
                else ""
            )
            found.append(
                Condition("milestone", ident, None, MILESTONE_OVERDUE, active, detail, owner)
            )
    return found


def _period(metric: Metric, start: object) -> str:
    if not isinstance(start, date):
        return "no period"
    return period_label(metric.frequency, pd.Timestamp(start).date())


def _off_target(metric: Metric, row: Any, where: str) -> str:
    reds = int(row.red_periods)
    return (
        f"{metric.name}{where} has been red for {reds} period{'s' if reds != 1 else ''} in a row: "
        f"{format_value(row.value, metric)} against a target of {format_value(row.target, metric)} "
        f"in {_period(metric, row.period_start)}."
    )


def _spc_concern(metric: Metric, row: Any, where: str) -> str:
    return (
        f"{metric.name}{where}: the latest point ({_period(metric, row.period_start)}, "
        f"{format_value(row.value, metric)}) is a special-cause concern on the SPC chart."
    )


def _assurance(metric: Metric, row: Any, where: str) -> str:
    return (
        f"{metric.name}{where}: the target of {format_value(row.target, metric)} is outside "
        f"the process limits ({format_value(row.lpl, metric)} to {format_value(row.upl, metric)}), "
        "so it will not be met without a change in how the service works."
    )


def _stale(metric: Metric, row: Any, where: str) -> str:
    latest, due_by = row.latest_loaded, row.due_by
    due_text = f"{due_by:%d %b %Y}" if isinstance(due_by, date) else "its due date"
    if not isinstance(latest, date):
        return f"{metric.name}{where}: no data has been loaded; it was due by {due_text}."
    missing = next_period(metric.frequency, pd.Timestamp(latest).date())
    return (
        f"{metric.name}{where}: data for {_period(metric, missing)} was due by {due_text}; "
        f"the latest loaded is {_period(metric, latest)}."
    )
