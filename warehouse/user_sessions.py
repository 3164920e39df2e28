"""Server-side records of sign-in sessions, so signing out or disabling an account ends them."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warehouse.tables import user_sessions, users


def _hash(session_id: str) -> str:
    # Only a hash is stored, so a copy of the table cannot be turned back into live cookies
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(engine: sa.Engine, session_id: str, username: str) -> None:
    """Record a new session for a user who has just signed in."""
    with engine.begin() as conn:
        conn.execute(
            user_sessions.insert().values(
                session_hash=_hash(session_id), username=username, started_at=datetime.now()
            )
        )


def live_session_account(
    engine: sa.Engine, session_id: str, username: str
) -> dict[str, Any] | None:
    """The account behind a session that was started for it and has not been ended, or None.

    One query for every signed-in request: the session's row and its account's together.
    """
    rows = user_sessions.c
    with engine.connect() as conn:
        found = (
            conn.execute(
                sa.select(users)
                .join(user_sessions, rows.username == users.c.username)
                .where(
                    rows.session_hash == _hash(session_id),
                    rows.username == username,
                    rows.ended_at.is_(None),
                )
                .limit(1)
            )
            .mappings()
            .first()
        )
    return dict(found) if found else None


def session_is_live(engine: sa.Engine, session_id: str, username: str) -> bool:
    """Whether this session was started for this user and has not been ended."""
    rows = user_sessions.c
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(rows.id).where(
                rows.session_hash == _hash(session_id),
                rows.username == username,
                rows.ended_at.is_(None),
            )
        ).first()
    return found is not None


def end_session(engine: sa.Engine, session_id: str, reason: str = "signed out") -> None:
    """End one session (signing out)."""
    rows = user_sessions.c
    with engine.begin() as conn:
        conn.execute(
            user_sessions.update()
            .where(rows.session_hash == _hash(session_id), rows.ended_at.is_(None))
            .values(ended_at=datetime.now(), end_reason=reason)
        )


def end_user_sessions(conn: sa.Connection, username: str, reason: str) -> int:
    """End every open session of a user, inside the caller's transaction; returns how many."""
    rows = user_sessions.c
    result = conn.execute(
        user_sessions.update()
        .where(rows.username == username, rows.ended_at.is_(None))
        .values(ended_at=datetime.now(), end_reason=reason)
    )
    return int(result.rowcount or 0)
