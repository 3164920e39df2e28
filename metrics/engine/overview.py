"""The overview: a plain-English headline, the priorities-by-enablers matrix, what needs attention.

All pure functions over the status snapshot (one row per metric and area) and the registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics.engine.codes import rows_with
from metrics.registry.loader import Registry
from metrics.words import RULE, be, plural

# Every status a county row can have; "suppressed" only in what the public sees
RAG_ORDER = ("red", "amber", "green", "no_target", "no_data", "suppressed")
NO_ENABLER = "none"


@dataclass(frozen=True)
class Headline:
    """The counts behind the overview's summary sentence."""

    with_target: int
    green: int
    amber: int
    red: int
    open_flags: int  # flags open (each may or may not have an action planned)
    overdue_actions: int
    slipping_milestones: int

    def sentence(self, status_only: bool = False) -> str:
        """The summary as short sentences; `status_only` leaves out actions and milestones."""
        first = (
            f"Of {plural(self.with_target, 'measure')} with targets, "
            f"{self.green} {be(self.green)} on target, {self.amber} within tolerance "
            f"and {self.red} off target."
        )
        # A flag needs attention; an action is what someone has planned about it
        overdue = self.overdue_actions
        second = (
            f"{plural(self.open_flags, 'flag')} "
            f"{'needs' if self.open_flags == 1 else 'need'} attention; "
            + (
                f"{plural(overdue, 'planned action')} {be(overdue)} overdue."
                if overdue
                else "no planned action is overdue."
            )
        )
        third = (
            f"{plural(self.slipping_milestones, 'milestone')} "
            f"{be(self.slipping_milestones)} slipping."
        )
        return first if status_only else " ".join([first, second, third])


def county_rows(registry: Registry, snapshot: pd.DataFrame) -> pd.DataFrame:
    """The snapshot rows for the council's own area: one per metric (the frame itself when
    it holds no other area, as the pages' snapshot does: read it, do not change it)."""
    own = rows_with(snapshot["area_code"], registry.plan.county.code)
    return snapshot if own.all() else snapshot[own]


def headline(
    registry: Registry,
    snapshot: pd.DataFrame,
    *,
    open_flags: int,
    overdue_actions: int,
    slipping_milestones: int,
    metric_ids: Iterable[str] | None = None,
) -> Headline:
    """Count measures by status at county level (optionally only some metrics)."""
    rows = county_rows(registry, snapshot)
    if metric_ids is not None:
        rows = rows[rows["metric_id"].isin(list(metric_ids))]
    counts = Counter(rows["rag"].tolist())
    green, amber, red = (counts[k] for k in ("green", "amber", "red"))
    return Headline(
        with_target=green + amber + red,
        green=green,
        amber=amber,
        red=red,
        open_flags=open_flags,
        overdue_actions=overdue_actions,
        slipping_milestones=slipping_milestones,
    )


def matrix(registry: Registry, snapshot: pd.DataFrame) -> list[dict[str, Any]]:
    """RAG counts for every (priority, enabler) cell; a metric counts once in each cell it maps to.

    One dict per cell, priorities in the plan's order and each one's enablers in turn: priority
    (None for cross-cutting), enabler (NO_ENABLER when it names none), and one count per RAG
    value plus `total`.
    """
    county = county_rows(registry, snapshot)
    # Plain lists: pandas' own string arrays hand out their values one call at a time
    rag_by_metric = dict(zip(county["metric_id"].tolist(), county["rag"].tolist(), strict=True))
    priorities: list[str | None] = [p.id for p in registry.plan.priorities]
    if registry.for_priority(None):
        priorities.append(None)
    enablers = [e.id for e in registry.plan.enablers] + [NO_ENABLER]
    # One pass over the measures, each counted in the cells it maps to
    counts: dict[tuple[str | None, str], dict[str, int]] = {
        (p, e): dict.fromkeys(("total", *RAG_ORDER), 0) for p in priorities for e in enablers
    }
    for metric in registry:
        rag = rag_by_metric.get(metric.id, "no_data")
        for enabler in dict.fromkeys(metric.enablers or (NO_ENABLER,)):
            cell = counts.get((metric.priority, enabler))
            if cell is not None:
                cell["total"] += 1
                if rag in RAG_ORDER:
                    cell[rag] += 1
    return [{"priority": p, "enabler": e, **counts[(p, e)]} for p in priorities for e in enablers]


def cell_metrics(registry: Registry, priority: str | None, enabler: str) -> list[str]:
    """Metric ids in one cell: this priority (None: cross-cutting) and this enabler."""
    out = []
    for metric in registry:
        if metric.priority != priority:
            continue
        if (metric.enablers and enabler == NO_ENABLER) or (
            enabler != NO_ENABLER and enabler not in metric.enablers
        ):
            continue
        out.append(metric.id)
    return out


# Why a measure needs attention, in the words of the flag rule that would fire
ATTENTION_REASONS = {
    "red": RULE["off_target"],
    "spc_concern": RULE["spc_concern"],
    "assurance_fail": RULE["assurance_fail"],
    "stale": RULE["stale_data"],
}


def needs_attention(
    registry: Registry, snapshot: pd.DataFrame, limit: int = 12
) -> list[dict[str, Any]]:
    """County measures that are off target, showing SPC concern, failing assurance or late.

    One dict per measure (metric_id, name, reasons, weight: how many, rag), ordered by how
    many reasons apply, then by name; at most `limit`.
    """
    rows = county_rows(registry, snapshot)
    # Plain lists: a few hundred rows, where pandas' own work per row or per mask would cost
    # more than the judging
    found = []
    for metric_id, rag, variation, assurance, freshness in zip(
        *(_column(rows, c) for c in ("metric_id", "rag", "variation", "assurance", "freshness")),
        strict=True,
    ):
        reasons = []
        if rag == "red":
            reasons.append(ATTENTION_REASONS["red"])
        if variation == "special_cause_concern":
            reasons.append(ATTENTION_REASONS["spc_concern"])
        if assurance == "consistent_fail":
            reasons.append(ATTENTION_REASONS["assurance_fail"])
        if freshness == "stale":
            reasons.append(ATTENTION_REASONS["stale"])
        if reasons and registry.has_metric(metric_id):
            metric = registry.metric(metric_id)
            found.append(
                {
                    "metric_id": metric.id,
                    "name": metric.name,
                    "reasons": "; ".join(reasons),
                    "weight": len(reasons),
                    "rag": rag,
                }
            )
    # Most reasons first, then by name (a stable sort: the snapshot's order breaks any tie)
    found.sort(key=lambda item: (-item["weight"], item["name"]))
    return found[:limit]


def _column(rows: pd.DataFrame, column: str) -> list[object]:
    """A column's values as a list (None throughout when the snapshot has no such column)."""
    return rows[column].tolist() if column in rows else [None] * len(rows)
