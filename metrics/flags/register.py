"""The corrective-action register: flags with readable subjects, filtered as the page asks."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.flags.lifecycle import list_flags
from metrics.flags.rules import RULE_NAMES
from metrics.registry.loader import Registry
from metrics.words import FLAG_STATUS
from warehouse.flags import OPEN_STATUSES
from warehouse.milestones import read_milestones

STATUS_WORDS = FLAG_STATUS  # the words live in metrics.words


def describe(registry: Registry, engine: sa.Engine, flags: pd.DataFrame) -> pd.DataFrame:
    """Add subject names and links, area names, and the rule and status in words."""
    if flags.empty:
        return flags.assign(subject_name=[], href=[], area=[], rule_name=[], status_name=[])
    titles = {}
    if (flags["subject_type"] == "milestone").any():
        milestones = read_milestones(engine)
        titles = dict(zip(milestones["id"].astype(str), milestones["title"], strict=True))
    names, links = [], []
    for kind, subject in zip(flags["subject_type"], flags["subject_id"], strict=True):
        if kind == "metric" and registry.has_metric(subject):
            names.append(registry.metric(subject).name)
            links.append(f"/metric/{subject}")
        elif kind == "milestone":
            names.append(titles.get(str(subject), str(subject)))
            links.append("/milestones")
        else:
            names.append(str(subject))
            links.append("")
    return flags.assign(
        subject_name=names,
        href=links,
        area=[registry.area_name(c) if isinstance(c, str) else "" for c in flags["area_code"]],
        rule_name=[RULE_NAMES.get(r, r) for r in flags["rule"]],
        status_name=[STATUS_WORDS.get(s, s) for s in flags["status"]],
    )


def register(
    registry: Registry,
    engine: sa.Engine,
    *,
    status: str = "open",
    portfolio: str | None = None,
    owner: str | None = None,
    overdue: bool = False,
    today: date | None = None,
) -> pd.DataFrame:
    """Flags for the register page. `status` is 'open' (any open state), 'all' or one status."""
    flags = list_flags(
        registry,
        engine,
        open_only=status == "open",
        portfolio=portfolio or None,
        overdue_only=overdue,
        today=today,
    )
    if status not in ("open", "all", ""):
        flags = flags[flags["status"] == status]
    if owner:
        flags = flags[flags["owner"].fillna("").str.lower() == owner.lower()]
    return describe(registry, engine, flags)


def owners(engine: sa.Engine, registry: Registry) -> list[str]:
    """Everyone who owns a flag, for the owner filter."""
    flags = list_flags(registry, engine)
    return sorted({o for o in flags["owner"].dropna() if str(o).strip()})


def is_open(status: str) -> bool:
    """Whether a flag in this status still needs someone to act."""
    return status in OPEN_STATUSES
