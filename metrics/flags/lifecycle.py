"""The corrective-action flag lifecycle: who may move a flag where, and what each step needs.

    open -> acknowledged -> action_planned -> resolved
    open, acknowledged or action_planned -> closed (no action needed, with a reason)

A planned action can be re-planned (action_planned -> action_planned) to change its action,
owner or due date. Resolved and closed are final: a new problem raises a new flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.flags.reasons import condition_holds, reason_words, reasons_of
from metrics.registry.loader import Registry
from metrics.words import flag_status_word
from warehouse.flags import (
    ACKNOWLEDGED,
    ACTION_PLANNED,
    CLOSED,
    FLAG_STATUSES,
    OPEN,
    RESOLVED,
    FlagEvent,
    read_flag,
    read_flags,
    update_flag,
)
from warehouse.milestones import read_milestones

TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPEN: (ACKNOWLEDGED, CLOSED),
    ACKNOWLEDGED: (ACTION_PLANNED, CLOSED),
    ACTION_PLANNED: (ACTION_PLANNED, RESOLVED, CLOSED),
    RESOLVED: (),
    CLOSED: (),
}


class FlagChangeError(ValueError):
    """A change to a flag that the lifecycle does not allow, explained in plain English.

    `problems` names the form field each problem is about (step, note, action, owner, due),
    with a message for beside that field, so a form can show each where it belongs.
    """

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


@dataclass(frozen=True)
class FlagChange:
    """What a person asks to do to a flag."""

    to_status: str
    actor: str
    note: str | None = None
    action: str | None = None
    owner: str | None = None
    due_date: date | None = None


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a flag in `status` may move to."""
    return TRANSITIONS.get(status, ())


def check_change(
    flag: dict[str, Any], change: FlagChange, *, today: date | None = None
) -> dict[str, Any]:
    """Check a change against the lifecycle; return the columns to set, or raise FlagChangeError.

    A due date before `today` (when given) is refused: an action is planned for the future.
    """
    current, new = str(flag["status"]), change.to_status
    if new not in FLAG_STATUSES:
        raise FlagChangeError(
            f"'{new}' is not a flag status; use one of {', '.join(FLAG_STATUSES)}",
            {"step": "Choose the next step"},
        )
    if not change.actor.strip():
        raise FlagChangeError("give the name of the person making the change")
    allowed = allowed_next(current)
    if new not in allowed:
        options = ", ".join(allowed) if allowed else "nothing: it is finished"
        raise FlagChangeError(
            f"flag {flag['id']} is '{current}' and cannot move to '{new}'; "
            f"from '{current}' it can move to {options}",
            {"step": f"Choose a step this flag can take from {flag_status_word(current).lower()}"},
        )
    note = (change.note or "").strip() or None
    columns: dict[str, Any] = {"status": new}
    owner = (change.owner or "").strip()
    if owner:
        columns["owner"] = owner
    problems: dict[str, str] = {}
    sentences: list[str] = []
    if new == ACTION_PLANNED:
        action = (change.action or "").strip()
        missing = [
            name
            for name, value in (
                ("action", action),
                ("owner", owner or flag.get("owner")),
                ("due date", change.due_date),
            )
            if not value
        ]
        if not action:
            problems["action"] = "Enter the action that is planned"
        if not (owner or flag.get("owner")):
            problems["owner"] = "Enter who owns the action"
        if change.due_date is None:
            problems["due"] = "Enter the date the action is due"
        if missing:
            sentences.append(f"planning an action on flag {flag['id']} needs {', '.join(missing)}")
        if change.due_date is not None and today is not None and change.due_date < today:
            problems["due"] = "The due date must be today or in the future"
            sentences.append(
                f"the due date {change.due_date:%d %B %Y} has passed; give today or a later date"
            )
        columns.update(action=action, due_date=change.due_date)
    if new in (RESOLVED, CLOSED) and note is None:
        what = "what was done" if new == RESOLVED else "why no action is needed"
        held = reasons_of(flag) if condition_holds(flag) else ()
        if new == RESOLVED and held:
            # Resolving while the problem is still there is allowed, but must be explained
            why = reason_words(held)
            problems["note"] = (
                f"Enter a note saying what was done: the flag's condition still holds ({why})"
            )
            sentences.append(
                f"resolved needs a note saying {what}: its condition still holds ({why})"
            )
        else:
            problems["note"] = f"Enter a note saying {what}"
            sentences.append(f"{new.replace('_', ' ')} needs a note saying {what}")
    if sentences:
        raise FlagChangeError("; ".join(sentences), problems)
    return columns


def change_flag(
    engine: sa.Engine, flag_id: int, change: FlagChange, *, now: datetime | None = None
) -> dict[str, Any]:
    """Move a flag along its lifecycle, recording the event; return the updated flag."""
    now = now or datetime.now()
    with engine.begin() as conn:
        flag = read_flag(conn, flag_id)
        if flag is None:
            raise FlagChangeError(f"there is no flag with id {flag_id}; see 'pmf flags list'")
        columns = check_change(flag, change, today=now.date())
        if change.to_status in (RESOLVED, CLOSED):
            columns["closed_at"] = now
        event = FlagEvent(
            actor=change.actor.strip(),
            from_status=str(flag["status"]),
            to_status=change.to_status,
            note=_event_note(change),
        )
        update_flag(conn, flag_id, columns, event, now=now)
        updated = read_flag(conn, flag_id)
    assert updated is not None  # it was there a moment ago, inside the same transaction
    return updated


def _event_note(change: FlagChange) -> str | None:
    parts = [change.note.strip()] if change.note and change.note.strip() else []
    if change.to_status == ACTION_PLANNED:
        parts.append(
            f"Action: {change.action} (owner {change.owner or 'unchanged'}, due {change.due_date})"
        )
    return " ".join(parts) or None


def portfolio_subjects(registry: Registry, engine: sa.Engine, portfolio: str) -> list[str]:
    """Ids of the metrics, milestones, savings proposals and risks in a cabinet portfolio, to
    filter flags by."""
    metric_ids = [m.id for m in registry.for_portfolio(portfolio)]
    milestones = read_milestones(engine)
    milestone_ids = milestones.loc[milestones["portfolio"] == portfolio, "id"].tolist()
    finance = registry.finance
    finance_ids = [p.id for p in finance.proposals if p.portfolio == portfolio] + [
        r.id for r in finance.risks if r.portfolio == portfolio
    ]
    return metric_ids + [str(i) for i in milestone_ids] + finance_ids


def list_flags(
    registry: Registry,
    engine: sa.Engine,
    *,
    open_only: bool = False,
    portfolio: str | None = None,
    overdue_only: bool = False,
    today: date | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Flags for pages and the CLI, optionally limited to one portfolio's metrics and milestones."""
    if portfolio is not None:
        filters["subject_ids"] = portfolio_subjects(registry, engine, portfolio)
    return read_flags(
        engine, open_only=open_only, overdue_only=overdue_only, today=today, **filters
    )
