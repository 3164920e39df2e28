"""What a pack covers: one portfolio, select committee or priority, and its measures."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from metrics.registry.loader import Registry
from metrics.registry.model import Metric

ScopeKind = Literal["portfolio", "committee", "priority"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("portfolio", "committee", "priority")
# The plan attribute that lists each kind, and the word for the kind in sentences
_PLAN_LISTS = {
    "portfolio": "portfolios",
    "committee": "select_committees",
    "priority": "priorities",
}


class ScopeError(ValueError):
    """A pack was asked for something the plan does not have, with the valid choices."""


@dataclass(frozen=True)
class Scope:
    """The subject of one pack: its kind, id, title, who it is for, and its measures."""

    kind: ScopeKind
    id: str
    name: str
    audience: str
    metrics: tuple[Metric, ...]

    @property
    def metric_ids(self) -> list[str]:
        """The ids of the measures in the pack, in registry order."""
        return [m.id for m in self.metrics]

    @property
    def slug(self) -> str:
        """A file-name stem such as 'portfolio-finance'."""
        return f"{self.kind}-{self.id}"

    def milestone_filter(self) -> tuple[str, set[str]]:
        """The milestones column and values that pick this scope's milestones.

        Milestones are mapped to portfolios and priorities, not to committees, so a committee
        pack takes the milestones of the portfolios whose measures it scrutinises.
        """
        if self.kind == "portfolio":
            return "portfolio", {self.id}
        if self.kind == "priority":
            return "priority", {self.id}
        return "portfolio", {m.portfolio for m in self.metrics}


def resolve_scope(registry: Registry, kind: str, ident: str) -> Scope:
    """Look up a portfolio, committee or priority by id; ScopeError lists the valid ids."""
    if kind not in _PLAN_LISTS:
        raise ScopeError(f"a pack is for a {', a '.join(SCOPE_KINDS)}; '{kind}' is none of these")
    items = getattr(registry.plan, _PLAN_LISTS[kind])
    found = next((item for item in items if item.id == ident), None)
    if found is None:
        ids = [str(item.id) for item in items]
        close = difflib.get_close_matches(ident, ids, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        choices = "; ".join(f"{item.id} ({item.name})" for item in items)
        raise ScopeError(
            f"There is no {kind} '{ident}' in {registry.config_dir / 'plan.yaml'}.{hint} "
            f"Valid {kind} ids: {choices}."
        )
    if kind == "portfolio":
        metrics = registry.for_portfolio(ident)
        audience = str(found.holder_title)
    elif kind == "committee":
        metrics = registry.for_committee(ident)
        audience = f"Members of the {found.name}"
    else:
        metrics = registry.for_priority(ident)
        audience = "Cabinet and the Corporate Leadership Team"
    return Scope(kind, ident, str(found.name), audience, tuple(metrics))  # type: ignore[arg-type]
