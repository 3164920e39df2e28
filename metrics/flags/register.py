"""The register of flags and actions: flags with readable subjects, reasons and actions in words.

A flag is a subject needing attention (every reason that holds); an action is what someone
planned about it (owner, action, due date). The register keeps the two apart, so a flag
with nothing planned says so rather than counting as an action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.flags.lifecycle import list_flags, portfolio_subjects
from metrics.flags.reasons import condition_holds, reason_words, reasons_of
from metrics.flags.rules import RULE_NAMES
from metrics.registry.loader import Registry
from metrics.words import FLAG_STATUS, flag_event_word, flag_status_word, rule_word
from warehouse.flags import (
    ACTION_PLANNED,
    OPEN_STATUSES,
    flag_actors,
    open_flags_of,
    read_trail,
)
from warehouse.frames import no_rows_with
from warehouse.milestones import read_milestones

STATUS_WORDS = FLAG_STATUS  # the words live in metrics.words
NO_ACTION = "No action planned"


@dataclass(frozen=True)
class FlagCounts:
    """Open flags, and how many of them have an action planned and how many are overdue."""

    open: int
    planned: int
    overdue: int

    def sentence(self) -> str:
        """The counts in words: flags needing attention, then the actions planned."""
        flags = f"{self.open} {'flag needs' if self.open == 1 else 'flags need'} attention"
        if not self.open:
            return "No flags need attention."
        planned = (
            f"{self.planned} {'has' if self.planned == 1 else 'have'} an action planned"
            if self.planned
            else "none has an action planned yet"
        )
        overdue = f", {self.overdue} overdue" if self.overdue else ""
        return f"{flags}; {planned}{overdue}."


def counts(flags: pd.DataFrame) -> FlagCounts:
    """Count open flags and the actions planned on them."""
    live = flags[flags["status"].isin(OPEN_STATUSES)] if not flags.empty else flags
    if live.empty:
        return FlagCounts(0, 0, 0)
    planned = live["status"] == ACTION_PLANNED
    return FlagCounts(len(live), int(planned.sum()), int(live["action_overdue"].sum()))


def _subject_names(
    registry: Registry, engine: sa.Engine, frame: pd.DataFrame
) -> tuple[list[str], list[str]]:
    titles = {}
    if (frame["subject_type"] == "milestone").any():
        milestones = read_milestones(engine)
        titles = dict(zip(milestones["id"].astype(str), milestones["title"], strict=True))
    proposals = {p.id: p.title for p in registry.finance.proposals}
    risks = {r.id: r.title for r in registry.finance.risks}
    names, links = [], []
    for kind, subject in zip(frame["subject_type"], frame["subject_id"], strict=True):
        if kind == "metric" and registry.has_metric(subject):
            names.append(registry.metric(subject).name)
            links.append(f"/metric/{subject}")
        elif kind == "milestone":
            names.append(titles.get(str(subject), str(subject)))
            links.append("/milestones")
        elif kind == "saving" and str(subject) in proposals:
            names.append(proposals[str(subject)])
            links.append(f"/savings/{subject}")
        elif kind == "risk" and str(subject) in risks:
            names.append(risks[str(subject)])
            links.append(f"/risks?risk={subject}#risk-{subject}")
        else:
            names.append(str(subject))
            links.append("")
    return names, links


def _action_words(flag: dict[str, Any]) -> str:
    action = flag.get("action")
    if flag["status"] not in OPEN_STATUSES and not isinstance(action, str):
        return "—"
    if not isinstance(action, str) or not action.strip():
        return NO_ACTION
    due = flag.get("due_date")
    due_text = f", due {pd.Timestamp(due):%d %b %Y}" if due is not None and pd.notna(due) else ""
    owner = flag.get("owner")
    owner_text = f" (owner {owner}{due_text})" if isinstance(owner, str) and owner else ""
    return f"{action}{owner_text}"


def describe(registry: Registry, engine: sa.Engine, flags: pd.DataFrame) -> pd.DataFrame:
    """Add subject names and links, area names, the reasons, the action and the status in words.

    `reasons` holds the reasons that hold now (none once the condition has cleared);
    `reason_words` names them, or says what the last headline was.
    """
    extra = [
        "subject_name",
        "href",
        "area",
        "rule_name",
        "status_name",
        "reasons_held",
        "reason_words",
        "holds",
        "action_words",
    ]
    if flags.empty:
        return no_rows_with(flags, **{name: [] for name in extra})
    names, links = _subject_names(registry, engine, flags)
    records = [{str(k): v for k, v in r.items()} for r in flags.to_dict("records")]
    held = [reasons_of(r) for r in records]
    return flags.assign(
        subject_name=names,
        href=links,
        area=[registry.area_name(c) if isinstance(c, str) else "" for c in flags["area_code"]],
        rule_name=[RULE_NAMES.get(r, r) for r in flags["rule"]],
        status_name=[STATUS_WORDS.get(s, s) for s in flags["status"]],
        reasons_held=pd.Series(held, index=flags.index, dtype=object),
        reason_words=[
            reason_words(h) if h else f"No reason holds (was: {rule_word(str(r['rule']))})"
            for h, r in zip(held, records, strict=True)
        ],
        holds=[condition_holds(r) for r in records],
        action_words=[_action_words(r) for r in records],
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


def metric_flags(
    registry: Registry, engine: sa.Engine, metric_id: str, today: date | None = None
) -> pd.DataFrame:
    """A measure's open flags in every area, described, for its drill-down."""
    return describe(registry, engine, open_flags_of(engine, "metric", metric_id, today))


def owners(engine: sa.Engine, registry: Registry) -> list[str]:
    """Everyone who owns a flag, for the owner filter."""
    flags = list_flags(registry, engine)
    return sorted({o for o in flags["owner"].dropna() if str(o).strip()})


def is_open(status: str) -> bool:
    """Whether a flag in this status still needs someone to act."""
    return status in OPEN_STATUSES


# The trail's "what" filter: a name for the page, and the event kinds it keeps
TRAIL_KINDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "": ("Everything", None),
    "people": ("Steps recorded by people", ("transition",)),
    "engine": (
        "Changes found by PMF",
        ("raised", "reasons_changed", "condition_cleared", "condition_returned", "merged"),
    ),
    "raised": ("Flags raised", ("raised",)),
}
TRAIL_LIMIT = 500


def trail(
    registry: Registry,
    engine: sa.Engine,
    *,
    portfolio: str | None = None,
    what: str = "",
    actor: str | None = None,
    since: date | None = None,
) -> pd.DataFrame:
    """Every event of every flag, newest first (at most TRAIL_LIMIT), in words, filtered."""
    kinds = TRAIL_KINDS.get(what, TRAIL_KINDS[""])[1]
    subjects = portfolio_subjects(registry, engine, portfolio) if portfolio else None
    events = read_trail(
        engine, subject_ids=subjects, kinds=kinds, actor=actor, since=since, limit=TRAIL_LIMIT
    )
    if events.empty:
        return events.assign(subject_name=[], href=[], area=[], what=[], change=[])
    names, links = _subject_names(registry, engine, events)
    return events.assign(
        subject_name=names,
        href=links,
        area=[registry.area_name(c) if isinstance(c, str) else "" for c in events["area_code"]],
        what=[flag_event_word(str(k)) for k in events["kind"]],
        change=[
            _change_words(f, t)
            for f, t in zip(events["from_status"], events["to_status"], strict=True)
        ],
    )


def _change_words(from_status: object, to_status: object) -> str:
    to_word = flag_status_word(str(to_status))
    if not isinstance(from_status, str) or from_status == to_status:
        return to_word
    return f"{flag_status_word(from_status)} → {to_word}"


def actors(engine: sa.Engine) -> list[str]:
    """Everyone who appears in the trail, for its 'who' filter."""
    return flag_actors(engine)
