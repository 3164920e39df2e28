"""Server-side records of sign-in sessions, so signing out or disabling an account ends them."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warehouse.compiled import execute
from warehouse.engine import database_path
from warehouse.tables import user_sessions, users
from warehouse.write_watch import WATCH

OPEN_SESSIONS_KEPT = 1024  # open sessions' accounts kept in memory, by a DuckDB process


class _Remembered:
    """Answers kept until the next write (WATCH.mark()), the least recently used dropped first
    beyond `size`; only answers naming an account are kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[object, ...], tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: tuple[object, ...], ask: Callable[[], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        mark = WATCH.mark()
        if mark is not None:
            with self._lock:
                kept = self._answers.get(key)
                if kept is not None and kept[0] == mark:
                    self._answers.move_to_end(key)
                    return dict(kept[1])
        answer = ask()
        # Kept only if no write began or was going on while it was asked
        if answer is not None and mark is not None and WATCH.mark() == mark:
            with self._lock:
                self._answers[key] = (mark, dict(answer))
                self._answers.move_to_end(key)
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        return answer


_OPEN_SESSIONS = _Remembered(OPEN_SESSIONS_KEPT)


def _sole_writer(engine: sa.Engine) -> bool:
    # A DuckDB file: only this process can change it while it is open here
    url = engine.url.render_as_string(hide_password=True)
    return engine.dialect.name == "duckdb" and database_path(url) is not None


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

    One query for every signed-in request: the account's row, if its session is open. A
    process holding a DuckDB file keeps an open session's answer until its next write of any
    kind (warehouse.write_watch), so signing out, or disabling or changing an account, is
    seen on the very next request; with a server database every request asks the database,
    since another process may have ended the session.
    """
    session_hash = _hash(session_id)

    def ask() -> dict[str, Any] | None:
        with engine.connect() as conn:
            found = (
                execute(conn, _LIVE_ACCOUNT, session_hash=session_hash, username=username)
                .mappings()
                .first()
            )
        return dict(found) if found else None

    if not _sole_writer(engine):
        return ask()
    return _OPEN_SESSIONS.get((id(engine), session_hash, username), ask)


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


# Asked on every signed-in request, so built (and compiled) once. The session as a subquery
# rather than a join: DuckDB answers two point lookups several times faster than it plans a join
_LIVE_ACCOUNT = (
    sa.select(users)
    .where(
        users.c.username == sa.bindparam("username"),
        users.c.username.in_(
            sa.select(user_sessions.c.username).where(
                user_sessions.c.session_hash == sa.bindparam("session_hash"),
                user_sessions.c.username == sa.bindparam("username"),
                user_sessions.c.ended_at.is_(None),
            )
        ),
    )
    .limit(1)
)
