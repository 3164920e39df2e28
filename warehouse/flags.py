"""Store and read corrective-action flags and their audit trail.

Every write to `flags` and `flag_events` goes through `insert_flag` or `update_flag`, and each
writes its event in the same transaction, so access control can wrap these two later and
the audit trail cannot be skipped. The one write without an event is `refresh_reasons`, which
may only reword the sentences of the reasons a flag already lists (new figures, same rules).
Which changes are allowed is decided in metrics/flags/lifecycle.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.compiled import execute
from warehouse.frames import frame_of, no_rows_with
from warehouse.tables import flag_events, flags

OPEN, ACKNOWLEDGED, ACTION_PLANNED, RESOLVED, CLOSED = (
    "open",
    "acknowledged",
    "action_planned",
    "resolved",
    "closed",
)
FLAG_STATUSES = (OPEN, ACKNOWLEDGED, ACTION_PLANNED, RESOLVED, CLOSED)
OPEN_STATUSES = (OPEN, ACKNOWLEDGED, ACTION_PLANNED)
# Columns a change may set; id, subject and raised_at never change after raising. The rule
# and detail are the headline of the reasons, so they change with them.
CHANGEABLE = frozenset(
    {
        "status",
        "rule",
        "detail",
        "reasons",
        "condition_cleared_at",
        "owner",
        "action",
        "due_date",
        "closed_at",
    }
)

Bind = sa.Engine | sa.Connection


@dataclass(frozen=True)
class FlagEvent:
    """One line of a flag's audit trail."""

    actor: str
    to_status: str
    from_status: str | None = None
    note: str | None = None
    kind: str = "transition"


def insert_flag(
    conn: sa.Connection,
    *,
    subject_type: str,
    subject_id: str,
    area_code: str | None,
    rule: str,
    detail: str,
    owner: str | None,
    actor: str,
    now: datetime,
    reasons: Sequence[Mapping[str, str]] | None = None,
    note: str | None = None,
) -> int:
    """Raise a new open flag and record its creation; return its id.

    `reasons` is every reason that holds ({rule, detail}); `rule` and `detail` its headline.
    """
    flag_id = conn.execute(
        flags.insert()
        .values(
            subject_type=subject_type,
            subject_id=subject_id,
            area_code=area_code,
            rule=rule,
            status=OPEN,
            detail=detail,
            raised_at=now,
            owner=owner,
            updated_at=now,
            reasons=encode_reasons(reasons) if reasons is not None else None,
        )
        .returning(flags.c.id)
    ).scalar_one()
    _record(conn, int(flag_id), FlagEvent(actor, OPEN, None, note or detail, "raised"), now)
    return int(flag_id)


def update_flag(
    conn: sa.Connection,
    flag_id: int,
    changes: Mapping[str, Any],
    event: FlagEvent,
    *,
    now: datetime,
) -> None:
    """Apply already-checked changes to one flag and append the event that explains them."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"flag columns {sorted(unknown)} cannot be changed after raising")
    values = dict(changes)
    if "reasons" in values and not isinstance(values["reasons"], str | None):
        values["reasons"] = encode_reasons(values["reasons"])
    updated = conn.execute(
        flags.update().where(flags.c.id == flag_id).values(**values, updated_at=now)
    ).rowcount
    if updated != 1:
        raise LookupError(f"there is no flag with id {flag_id}")
    _record(conn, flag_id, event, now)


def refresh_reasons(
    conn: sa.Connection, flag_id: int, reasons: Sequence[Mapping[str, str]], *, now: datetime
) -> None:
    """Reword a flag's reasons without an event; refused when the set of rules would change.

    The first reason is the headline, so the flag's `detail` follows its sentence.
    """
    row = conn.execute(
        sa.select(flags.c.rule, flags.c.reasons).where(flags.c.id == flag_id)
    ).first()
    if row is None:
        raise LookupError(f"there is no flag with id {flag_id}")
    stored = decode_reasons(row.reasons) or [{"rule": str(row.rule), "detail": ""}]
    if {r["rule"] for r in stored} != {str(r["rule"]) for r in reasons} or not reasons:
        raise ValueError("a change to which reasons hold is recorded with update_flag")
    headline = reasons[0]
    conn.execute(
        flags.update()
        .where(flags.c.id == flag_id)
        .values(
            rule=str(headline["rule"]),
            detail=str(headline["detail"]),
            reasons=encode_reasons(reasons),
            updated_at=now,
        )
    )


def merged_away_ids(bind: Bind) -> set[int]:
    """The flags a merge closed (their reasons passed to the flag they were merged into)."""
    query = sa.select(flag_events.c.flag_id).where(
        flag_events.c.kind == "merged", flag_events.c.to_status == CLOSED
    )
    with _connection(bind) as conn:
        return {int(i) for i in conn.execute(query).scalars()}


def encode_reasons(reasons: Sequence[Mapping[str, str]]) -> str:
    """The `reasons` column's JSON: a list of {"rule", "detail"}, in the order given."""
    return json.dumps(
        [{"rule": str(r["rule"]), "detail": str(r["detail"])} for r in reasons],
        ensure_ascii=False,
    )


def decode_reasons(text: object) -> list[dict[str, str]] | None:
    """The reasons stored in the column, or None when none were stored (older flags)."""
    if not isinstance(text, str) or not text.strip():
        return None
    loaded = json.loads(text)
    return [{"rule": str(r["rule"]), "detail": str(r.get("detail") or "")} for r in loaded]


def _record(conn: sa.Connection, flag_id: int, event: FlagEvent, now: datetime) -> None:
    conn.execute(
        flag_events.insert().values(
            flag_id=flag_id,
            event_at=now,
            actor=event.actor,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            kind=event.kind,
        )
    )


def read_flag(bind: Bind, flag_id: int) -> dict[str, Any] | None:
    """One flag as a dict, or None when there is no such id."""
    query = sa.select(flags).where(flags.c.id == flag_id)
    with _connection(bind) as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def read_flags(
    bind: Bind,
    *,
    statuses: Sequence[str] | None = None,
    open_only: bool = False,
    subject_type: str | None = None,
    subject_ids: Sequence[str] | None = None,
    area_code: str | None = None,
    rules: Sequence[str] | None = None,
    overdue_only: bool = False,
    today: date | None = None,
) -> pd.DataFrame:
    """Flags matching every filter given, newest first, with `action_overdue` worked out.

    A planned action is overdue when its due date is before `today` (default: the real date).
    """
    today = today or date.today()
    query = sa.select(flags).order_by(flags.c.raised_at.desc(), flags.c.id.desc())
    if open_only:
        query = query.where(flags.c.status.in_(OPEN_STATUSES))
    if statuses is not None:
        query = query.where(flags.c.status.in_(list(statuses)))
    if subject_type is not None:
        query = query.where(flags.c.subject_type == subject_type)
    if subject_ids is not None:
        query = query.where(flags.c.subject_id.in_(list(subject_ids)))
    if area_code is not None:
        query = query.where(flags.c.area_code == area_code)
    if rules is not None:
        query = query.where(flags.c.rule.in_(list(rules)))
    if overdue_only:
        query = query.where(_action_overdue(today))
    with _connection(bind) as conn:
        frame = pd.read_sql_query(query, conn)
    return _judged(frame, today)


# A drill-down's flags, asked on every view: compiled once (warehouse.compiled)
_OPEN_OF_SUBJECT = (
    sa.select(flags)
    .where(
        flags.c.subject_type == sa.bindparam("subject_type"),
        flags.c.subject_id == sa.bindparam("subject_id"),
        sa.or_(*(flags.c.status == status for status in OPEN_STATUSES)),
    )
    .order_by(flags.c.raised_at.desc(), flags.c.id.desc())
)


def open_flags_of(
    bind: Bind, subject_type: str, subject_id: str, today: date | None = None
) -> pd.DataFrame:
    """One subject's open flags, newest first: the frame `read_flags(open_only=True,
    subject_type=..., subject_ids=[subject_id], today=...)` gives."""
    with _connection(bind) as conn:
        frame = frame_of(conn, _OPEN_OF_SUBJECT, subject_type=subject_type, subject_id=subject_id)
    return _judged(frame, today or date.today())


def _judged(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """Flags read from the table with `action_overdue` and `is_open` worked out."""
    if frame.empty:  # as most measures' flags are: nothing overdue, nothing open
        return no_rows_with(
            frame, action_overdue=np.zeros(0, dtype=bool), is_open=np.zeros(0, dtype=bool)
        )
    due = pd.to_datetime(frame["due_date"])
    late = due.notna() & (due < pd.Timestamp(today))
    frame["action_overdue"] = (frame["status"] == ACTION_PLANNED) & late
    frame["is_open"] = frame["status"].isin(OPEN_STATUSES)
    return frame


def _action_overdue(today: date | sa.BindParameter[date]) -> sa.ColumnElement[bool]:
    """A flag whose planned action was due before `today` (as `action_overdue` judges it)."""
    return sa.and_(flags.c.status == ACTION_PLANNED, flags.c.due_date < today)


# Asked on every view of the overview: compiled once (warehouse.compiled), `today` bound
_OPEN_AND_OVERDUE = sa.select(
    sa.func.count(),
    sa.func.count().filter(_action_overdue(sa.bindparam("today", type_=sa.Date))),
    # Each open status a parameter of its own: a list would be spelled out anew on every query
).where(sa.or_(*(flags.c.status == status for status in OPEN_STATUSES)))


def open_and_overdue_counts(bind: Bind, today: date | None = None) -> tuple[int, int]:
    """(open flags, of which with an overdue action): the counts read_flags(open_only=True)
    gives, counted by the database rather than read row by row."""
    with _connection(bind) as conn:
        total, overdue = execute(conn, _OPEN_AND_OVERDUE, today=today or date.today()).one()
    return int(total), int(overdue)


def read_flag_events(bind: Bind, flag_id: int | None = None) -> pd.DataFrame:
    """The audit trail, oldest first: for one flag, or for all."""
    query = sa.select(flag_events).order_by(flag_events.c.event_at, flag_events.c.id)
    if flag_id is not None:
        query = query.where(flag_events.c.flag_id == flag_id)
    with _connection(bind) as conn:
        return pd.read_sql_query(query, conn)


def read_trail(
    bind: Bind,
    *,
    subject_ids: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    actor: str | None = None,
    since: date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Every flag's events with the flag's subject, newest first, matching every filter given."""
    query = (
        sa.select(
            flag_events,
            flags.c.subject_type,
            flags.c.subject_id,
            flags.c.area_code,
            flags.c.rule,
        )
        .join(flags, flags.c.id == flag_events.c.flag_id)
        .order_by(flag_events.c.event_at.desc(), flag_events.c.id.desc())
    )
    if subject_ids is not None:
        query = query.where(flags.c.subject_id.in_(list(subject_ids)))
    if kinds is not None:
        query = query.where(flag_events.c.kind.in_(list(kinds)))
    if actor:
        query = query.where(sa.func.lower(flag_events.c.actor) == actor.lower())
    if since is not None:
        query = query.where(flag_events.c.event_at >= datetime.combine(since, datetime.min.time()))
    if limit is not None:
        query = query.limit(limit)
    with _connection(bind) as conn:
        return pd.read_sql_query(query, conn)


def flag_actors(bind: Bind) -> list[str]:
    """Everyone named in the flags' history, in alphabetical order."""
    query = sa.select(flag_events.c.actor).distinct()
    with _connection(bind) as conn:
        return sorted(str(a) for a in conn.execute(query).scalars() if a and str(a).strip())


def open_flag_counts(bind: Bind, subject_type: str = "metric") -> pd.DataFrame:
    """How many flags are open for each subject and area of one subject type."""
    query = (
        sa.select(
            flags.c.subject_id,
            flags.c.area_code,
            sa.func.count().label("open_flags"),
        )
        .where(flags.c.subject_type == subject_type, flags.c.status.in_(OPEN_STATUSES))
        .group_by(flags.c.subject_id, flags.c.area_code)
    )
    with _connection(bind) as conn:
        return pd.read_sql_query(query, conn)


def open_flag_total(bind: Bind) -> int:
    """How many flags are open, of every kind."""
    query = sa.select(sa.func.count()).where(flags.c.status.in_(OPEN_STATUSES))
    with _connection(bind) as conn:
        return int(conn.execute(query).scalar_one())


@contextmanager
def _connection(bind: Bind) -> Iterator[sa.Connection]:
    # Reads inside the caller's transaction must use its connection to see its own writes
    if isinstance(bind, sa.Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn
