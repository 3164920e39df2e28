"""Turn the conditions that hold now into stored flags, idempotently.

For each (subject type, subject, area, rule) there is at most one open flag:

- condition holds, no open flag: raise one, unless the latest flag for the same key was
  closed by a person while the condition still held (PMF does not nag about a problem
  someone has already dealt with until it has gone away and come back);
- condition holds, open flag whose condition had cleared: clear `condition_cleared_at`
  again and record that the condition returned;
- condition no longer holds, open flag: set `condition_cleared_at` and record it; the flag
  stays open until a person closes or resolves it;
- condition no longer holds, latest flag closed while it held: note the clearing on that
  flag, so the next time the condition holds a new flag is raised.

Anything else changes nothing, so evaluating twice over the same data writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from metrics.flags.rules import Condition
from warehouse.flags import OPEN_STATUSES, FlagEvent, insert_flag, read_flags, update_flag

ENGINE_ACTOR = "PMF engine"


@dataclass(frozen=True)
class SyncResult:
    """What one evaluation did to the flags."""

    raised: int = 0
    cleared: int = 0
    returned: int = 0


def sync_flags(
    conn: sa.Connection, conditions: Iterable[Condition], *, now: datetime
) -> SyncResult:
    """Bring the stored flags in line with the conditions, inside the caller's transaction."""
    current, latest_closed = _flags_by_key(conn)
    raised = cleared = returned = 0
    for condition in conditions:
        key = condition.key
        flag = current.get(key)
        if flag is not None:
            was_cleared = flag["condition_cleared_at"] is not None
            if condition.active and was_cleared:
                note = f"Condition holds again: {condition.detail}"
                _mark(conn, flag, None, note, now, detail=condition.detail)
                returned += 1
            elif not condition.active and not was_cleared:
                _mark(conn, flag, now, "Condition no longer holds; a person closes the flag.", now)
                cleared += 1
            continue
        closed = latest_closed.get(key)
        closed_while_active = closed is not None and closed["condition_cleared_at"] is None
        if condition.active and not closed_while_active:
            insert_flag(
                conn,
                subject_type=condition.subject_type,
                subject_id=condition.subject_id,
                area_code=condition.area_code,
                rule=condition.rule,
                detail=condition.detail,
                owner=condition.owner,
                actor=ENGINE_ACTOR,
                now=now,
            )
            raised += 1
        elif not condition.active and closed is not None and closed_while_active:
            _mark(conn, closed, now, "Condition no longer holds since this flag was closed.", now)
    return SyncResult(raised, cleared, returned)


def _mark(
    conn: sa.Connection,
    flag: dict[str, Any],
    cleared_at: datetime | None,
    note: str,
    now: datetime,
    *,
    detail: str | None = None,
) -> None:
    status = str(flag["status"])
    changes: dict[str, Any] = {"condition_cleared_at": cleared_at}
    if detail:
        changes["detail"] = detail
    kind = "condition_cleared" if cleared_at is not None else "condition_returned"
    event = FlagEvent(ENGINE_ACTOR, status, status, note, kind)
    update_flag(conn, int(flag["id"]), changes, event, now=now)


Key = tuple[str, str, str | None, str]


def _flags_by_key(
    conn: sa.Connection,
) -> tuple[dict[Key, dict[str, Any]], dict[Key, dict[str, Any]]]:
    """The open flag for each key, and the most recently raised closed flag for each key."""
    frame = read_flags(conn)
    current: dict[Key, dict[str, Any]] = {}
    latest_closed: dict[Key, dict[str, Any]] = {}
    # read_flags returns newest first, so the first closed flag seen for a key is the latest
    for raw in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        record = {str(k): v for k, v in raw.items()}
        key: Key = (
            str(record["subject_type"]),
            str(record["subject_id"]),
            None if record["area_code"] is None else str(record["area_code"]),
            str(record["rule"]),
        )
        if record["status"] in OPEN_STATUSES:
            current.setdefault(key, record)
        else:
            latest_closed.setdefault(key, record)
    return current, latest_closed
