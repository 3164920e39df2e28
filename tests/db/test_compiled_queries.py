"""The queries asked on every request, compiled once (warehouse/compiled.py), answer exactly as
the same statements run through SQLAlchemy do, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warehouse.compiled import compiled, execute
from warehouse.snapshot import _PAGE_VERSION, _SNAPSHOT_VERSION, page_version, snapshot_version
from warehouse.tables import user_sessions, users
from warehouse.user_sessions import (
    _LIVE_ACCOUNT,
    end_session,
    end_user_sessions,
    live_session_account,
    start_session,
)


def _add_account(engine: sa.Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            users.insert().values(
                username=username,
                display_name=username.title(),
                role="officer",
                provider="local",
                created_at=datetime(2026, 1, 2, 3, 4, 5),
            )
        )


def _joined(engine: sa.Engine, session_hash: str, username: str) -> dict[str, Any] | None:
    # The same question asked the plain way, compiled by SQLAlchemy on each call
    rows = user_sessions.c
    with engine.connect() as conn:
        found = (
            conn.execute(
                sa.select(users)
                .join(user_sessions, rows.username == users.c.username)
                .where(
                    rows.session_hash == session_hash,
                    rows.username == username,
                    rows.ended_at.is_(None),
                )
                .limit(1)
            )
            .mappings()
            .first()
        )
    return dict(found) if found else None


def test_the_session_check_answers_as_a_join_would(engine: sa.Engine) -> None:
    from warehouse.user_sessions import _hash

    _add_account(engine, "jo")
    _add_account(engine, "sam")
    start_session(engine, "jo-laptop", "jo")
    start_session(engine, "jo-desktop", "jo")
    start_session(engine, "sam-phone", "sam")
    end_session(engine, "jo-desktop")
    cases = [
        ("jo-laptop", "jo"),  # open
        ("jo-desktop", "jo"),  # signed out
        ("sam-phone", "jo"),  # someone else's session
        ("nobody", "jo"),  # never started
        ("jo-laptop", "ghost"),  # no such account
    ]
    for session_id, username in cases:
        expected = _joined(engine, _hash(session_id), username)
        assert live_session_account(engine, session_id, username) == expected, session_id
    assert live_session_account(engine, "jo-laptop", "jo") is not None
    with engine.begin() as conn:
        end_user_sessions(conn, "jo", "disabled")
    assert live_session_account(engine, "jo-laptop", "jo") is None
    assert live_session_account(engine, "sam-phone", "sam") is not None


def test_version_markers_answer_as_sqlalchemy_would(engine: sa.Engine) -> None:
    for query, asked in ((_PAGE_VERSION, page_version), (_SNAPSHOT_VERSION, snapshot_version)):
        with engine.connect() as conn:
            expected = tuple(value for _, value in conn.execute(query).tuples())
        assert asked(engine) == expected


def test_each_statement_is_compiled_once_per_dialect(engine: sa.Engine) -> None:
    first = compiled(_LIVE_ACCOUNT, engine.dialect)
    assert compiled(_LIVE_ACCOUNT, engine.dialect) is first
    with engine.connect() as conn:
        assert execute(conn, _LIVE_ACCOUNT, session_hash="x", username="y").first() is None
