"""Turn the conditions that hold now into stored flags, idempotently: one flag per subject.

A subject is a measure in an area, or a milestone. Its flag lists every reason (rule) that
holds, most serious first; the first is the flag's headline `rule` and `detail`. For each
subject there is at most one open flag:

- some reason holds, no open flag: raise one with every reason, unless the subject's flags
  that a person closed while their reasons held already cover every reason that holds now
  (PMF does not nag about a problem someone has dealt with until it has gone away and come
  back; a reason not seen before is a new problem);
- some reason holds, open flag: when the set of reasons (rules) differs from the stored one,
  write the new reasons and record what changed; when only their sentences differ (new
  figures, same rules), reword them without an event, so arriving data does not fill the
  history; when the condition had cleared, clear `condition_cleared_at` again and record
  that it returned;
- no reason holds, open flag: set `condition_cleared_at` and record it; the flag stays open
  until a person closes or resolves it;
- no reason holds, flags a person closed while their reasons held: note the clearing on
  them, so the next time a reason holds a new flag is raised. Flags closed by a merge are
  left alone: their reasons went to the flag they were merged into.

Before that, several open flags for one subject (a warehouse from when each rule raised its
own flag) are merged into one: the furthest along keeps its id, history and action, and takes
the others' reasons and actions; the others are closed with a note pointing to it, their
history kept.

Anything else changes nothing, so evaluating twice over the same data writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.flags.reasons import (
    Reason,
    Reasons,
    change_note,
    condition_holds,
    ordered,
    reason_sentences,
    reasons_of,
)
from metrics.flags.rules import Condition
from warehouse.flags import (
    ACKNOWLEDGED,
    ACTION_PLANNED,
    CLOSED,
    OPEN,
    OPEN_STATUSES,
    FlagEvent,
    insert_flag,
    merged_away_ids,
    read_flags,
    refresh_reasons,
    update_flag,
)

ENGINE_ACTOR = "PMF engine"
# How far along the lifecycle an open flag is: the furthest keeps its id in a merge
STAGE = {OPEN: 0, ACKNOWLEDGED: 1, ACTION_PLANNED: 2}

Subject = tuple[str, str, str | None]


@dataclass(frozen=True)
class SyncResult:
    """What one evaluation did to the flags."""

    raised: int = 0
    cleared: int = 0
    returned: int = 0
    changed: int = 0
    merged: int = 0
    reworded: int = 0


def sync_flags(
    conn: sa.Connection, conditions: Iterable[Condition], *, now: datetime
) -> SyncResult:
    """Bring the stored flags in line with the conditions, inside the caller's transaction."""
    every = _records(read_flags(conn))
    merged = _merge_open(conn, [r for r in every if r["status"] in OPEN_STATUSES], now)
    if merged:
        # The merge changed flags: read them as they are now
        every = _records(read_flags(conn))
    current, closed = _flags_by_subject(conn, every)
    raised = cleared = returned = changed = reworded = 0
    for subject, found in _by_subject(conditions).items():
        held = ordered(Reason(c.rule, c.detail) for c in found if c.active)
        dealt_with = [f for f in closed.get(subject, []) if condition_holds(f)]
        if not held:
            # Gone away: the next time a reason holds is a new problem, even for these
            for old in dealt_with:
                _note_cleared(conn, old, now)
        flag = current.get(subject)
        if flag is not None:
            stored = reasons_of(flag)
            if held and not condition_holds(flag):
                note = "Condition holds again: " + reason_sentences(held)
                _write(conn, flag, held, None, "condition_returned", note, now)
                returned += 1
            elif held and _rules(held) != _rules(stored):
                _write(conn, flag, held, None, "reasons_changed", change_note(stored, held), now)
                changed += 1
            elif held and held != stored:
                refresh_reasons(conn, int(flag["id"]), [r.as_dict() for r in held], now=now)
                reworded += 1
            elif not held and condition_holds(flag):
                note = "No reason holds any more; a person closes the flag."
                _write(conn, flag, (), now, "condition_cleared", note, now)
                cleared += 1
            continue
        covered = {r.rule for f in dealt_with for r in reasons_of(f)}
        if held and not {r.rule for r in held} <= covered:
            insert_flag(
                conn,
                subject_type=subject[0],
                subject_id=subject[1],
                area_code=subject[2],
                rule=held[0].rule,
                detail=held[0].detail,
                reasons=[r.as_dict() for r in held],
                note=reason_sentences(held),
                owner=next((c.owner for c in found if c.owner), None),
                actor=ENGINE_ACTOR,
                now=now,
            )
            raised += 1
    return SyncResult(raised, cleared, returned, changed, merged, reworded)


def _rules(reasons: Reasons) -> frozenset[str]:
    return frozenset(r.rule for r in reasons)


def _note_cleared(conn: sa.Connection, flag: dict[str, Any], now: datetime) -> None:
    """Record on a closed flag that none of its reasons holds any more."""
    status = str(flag["status"])
    note = "No reason holds any more since this flag was closed."
    event = FlagEvent(ENGINE_ACTOR, status, status, note, "condition_cleared")
    update_flag(conn, int(flag["id"]), {"condition_cleared_at": now}, event, now=now)


def _write(
    conn: sa.Connection,
    flag: dict[str, Any],
    held: Reasons,
    cleared_at: datetime | None,
    kind: str,
    note: str,
    now: datetime,
) -> None:
    """Store the reasons that hold (none once cleared; the headline then stays as it was)."""
    status = str(flag["status"])
    changes: dict[str, Any] = {
        "condition_cleared_at": cleared_at,
        "reasons": [r.as_dict() for r in held],
    }
    if held:
        changes.update(rule=held[0].rule, detail=held[0].detail)
    update_flag(
        conn, int(flag["id"]), changes, FlagEvent(ENGINE_ACTOR, status, status, note, kind), now=now
    )


def _by_subject(conditions: Iterable[Condition]) -> dict[Subject, list[Condition]]:
    grouped: dict[Subject, list[Condition]] = {}
    for condition in conditions:
        grouped.setdefault(
            _subject(condition.subject_type, condition.subject_id, condition.area_code), []
        ).append(condition)
    return grouped


def _subject(subject_type: object, subject_id: object, area_code: object) -> Subject:
    area = None if area_code is None else str(area_code)
    return (str(subject_type), str(subject_id), area)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in row.items()} for row in rows]


def _flags_by_subject(
    conn: sa.Connection, stored: list[dict[str, Any]]
) -> tuple[dict[Subject, dict[str, Any]], dict[Subject, list[dict[str, Any]]]]:
    """The open flag for each subject, and every flag a person closed or resolved for each."""
    current: dict[Subject, dict[str, Any]] = {}
    closed: dict[Subject, list[dict[str, Any]]] = {}
    merged_away = merged_away_ids(conn)
    for record in stored:
        if int(record["id"]) in merged_away:
            continue
        subject = _subject(record["subject_type"], record["subject_id"], record["area_code"])
        if record["status"] in OPEN_STATUSES:
            current.setdefault(subject, record)
        else:
            closed.setdefault(subject, []).append(record)
    return current, closed


def merge_duplicates(conn: sa.Connection, *, now: datetime) -> int:
    """Merge several open flags for one subject into one; return how many were merged away."""
    return _merge_open(conn, _records(read_flags(conn, open_only=True)), now)


def _merge_open(conn: sa.Connection, open_flags: list[dict[str, Any]], now: datetime) -> int:
    """merge_duplicates over open flags already read (newest first, as read_flags gives them)."""
    groups: dict[Subject, list[dict[str, Any]]] = {}
    for record in open_flags:
        subject = _subject(record["subject_type"], record["subject_id"], record["area_code"])
        groups.setdefault(subject, []).append(record)
    merged = 0
    for found in groups.values():
        if len(found) > 1:
            _merge(conn, found, now)
            merged += len(found) - 1
    return merged


def _merge(conn: sa.Connection, found: list[dict[str, Any]], now: datetime) -> None:
    # The furthest along keeps its id; among equals, the oldest, the one people know longest
    found = sorted(found, key=lambda f: (-STAGE.get(str(f["status"]), 0), f["raised_at"], f["id"]))
    keeper, others = found[0], found[1:]
    held = ordered(r for f in found for r in reasons_of(f))
    changes: dict[str, Any] = {"reasons": [r.as_dict() for r in held]}
    if held:
        changes.update(rule=held[0].rule, detail=held[0].detail, condition_cleared_at=None)
    else:
        cleared = [f["condition_cleared_at"] for f in found if f["condition_cleared_at"]]
        changes["condition_cleared_at"] = max(cleared, default=now)
    if not keeper["owner"]:
        changes["owner"] = next((f["owner"] for f in others if f["owner"]), None)
    planned = [f for f in others if f["status"] == ACTION_PLANNED and f["action"]]
    if planned:
        # Every planned action stays in view, and the soonest due date is the one to meet
        extra = " ".join(
            f"Also, from flag {f['id']}: {f['action']} (owner {f['owner'] or 'not named'}, "
            f"due {pd.Timestamp(f['due_date']):%d %b %Y})."
            for f in planned
        )
        changes["action"] = f"{keeper['action']} {extra}"
        changes["due_date"] = min(f["due_date"] for f in [keeper, *planned] if f["due_date"])
    ids = ", ".join(str(f["id"]) for f in others)
    status = str(keeper["status"])
    note = (
        f"Flags {ids} merged into this one: one flag now lists every reason for its subject. "
        "Their history stays on them."
    )
    update_flag(
        conn,
        int(keeper["id"]),
        changes,
        FlagEvent(ENGINE_ACTOR, status, status, note, "merged"),
        now=now,
    )
    for other in others:
        note = f"Merged into flag {keeper['id']}, which now lists every reason for this subject."
        event = FlagEvent(ENGINE_ACTOR, CLOSED, str(other["status"]), note, "merged")
        update_flag(conn, int(other["id"]), {"status": CLOSED, "closed_at": now}, event, now=now)
