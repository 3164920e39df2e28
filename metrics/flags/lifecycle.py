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

from metrics.registry.loader import Registry
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
    """A change to a flag that the lifecycle does not allow, explained in plain English."""


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


def check_change(flag: dict[str, Any], change: FlagChange) -> dict[str, Any]:
    """Check a change against the lifecycle; return the columns to set, or raise FlagChangeError."""
    current, new = str(flag["status"]), change.to_status
    if new not in FLAG_STATUSES:
        raise FlagChangeError(
            f"'{new}' is not a flag status; use one of {', '.join(FLAG_STATUSES)}"
        )
    if not change.actor.strip():
        raise FlagChangeError("give the name of the person making the change")
    allowed = allowed_next(current)
    if new not in allowed:
        options = ", ".join(allowed) if allowed else "nothing: it is finished"
        raise FlagChangeError(
            f"flag {flag['id']} is '{current}' and cannot move to '{new}'; "
            f"from '{current}' it can move to {options}"
        )
    note = (change.note or "").strip() or None
    columns: dict[str, Any] = {"status": new}
    if change.owner:
        columns["owner"] = change.owner.strip()
    if new == ACTION_PLANNED:
        missing = [
            name
            for name, value in (
                ("action", change.action),
                ("owner", change.owner or flag.get("owner")),
                ("due date", change.due_date),
            )
            if not value
        ]
        if missing:
            raise FlagChangeError(
                f"planning an action on flag {flag['id']} needs {', '.join(missing)}"
            )
        columns.update(action=str(change.action).strip(), due_date=change.due_date)
    if new in (RESOLVED, CLOSED):
        if note is None:
            what = "what was done" if new == RESOLVED else "why no action is needed"
            raise FlagChangeError(f"{new.replace('_', ' ')} needs a note saying {what}")
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
        columns = check_change(flag, change)
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
    """Ids of the metrics and milestones in a cabinet portfolio, to filter flags by."""
    metric_ids = [m.id for m in registry.for_portfolio(portfolio)]
    milestones = read_milestones(engine)
    milestone_ids = milestones.loc[milestones["portfolio"] == portfolio, "id"].tolist()
    return metric_ids + [str(i) for i in milestone_ids]


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
