"""A process holding a DuckDB file keeps open sessions' accounts in memory until its next write
(warehouse/write_watch.py): signing out, disabling an account or changing its role must still
be refused on the very next request, whoever made the change and through whichever engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from access.users import add_user, disable_user, update_user
from tests.access.conftest import PASSWORD, csrf, sign_in
from warehouse.engine import duckdb_url
from warehouse.schema import create_tables
from warehouse.user_sessions import end_session, live_session_account, start_session
from warehouse.write_watch import WATCH

COOKIE = "pmf_session"


def _stolen_copy(demo_app: dash.Dash, username: str) -> tuple[Any, Any]:
    """A signed-in client, and a second client holding a copy of its session cookie; the copy
    has been used once, so its answer is in memory."""
    client = demo_app.server.test_client()
    assert sign_in(client, username).status_code == 302
    copy = demo_app.server.test_client()
    copy.set_cookie(COOKIE, str(client.get_cookie(COOKIE).value))
    assert copy.get("/actions").status_code == 200
    assert copy.get("/actions").status_code == 200
    return client, copy


def _refused(client: Any) -> bool:
    response = client.get("/actions")
    return response.status_code == 302 and response.location.startswith("/login")


def test_sign_out_is_refused_on_the_next_request(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "cached-out", PASSWORD, "officer", actor="test")
    client, copy = _stolen_copy(demo_app, "cached-out")
    client.post("/logout", data={"csrf_token": csrf(client)})
    assert _refused(copy)


def test_disabling_is_refused_on_the_next_request(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "cached-off", PASSWORD, "officer", actor="test")
    _client, copy = _stolen_copy(demo_app, "cached-off")
    disable_user(demo_engine, "cached-off", actor="test")
    assert _refused(copy)


def test_a_role_change_is_seen_on_the_next_request(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "cached-role", PASSWORD, "officer", actor="test")
    _client, copy = _stolen_copy(demo_app, "cached-role")
    update_user(demo_engine, "cached-role", role="member", actor="test")
    assert _refused(copy)


def test_a_change_through_another_engine_on_the_file_is_seen(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    if demo_engine.dialect.name != "duckdb":
        pytest.skip("only a DuckDB file's process keeps sessions in memory")
    add_user(demo_engine, "cached-elsewhere", PASSWORD, "officer", actor="test")
    _client, copy = _stolen_copy(demo_app, "cached-elsewhere")
    # A command given another spelling of the same file's URL gets an engine of its own
    path = Path(str(demo_engine.url.database))
    other = sa.create_engine(f"duckdb:///{path.parent}/./{path.name}")
    try:
        disable_user(other, "cached-elsewhere", actor="test")
    finally:
        other.dispose()
    assert _refused(copy)


@pytest.fixture
def duckdb_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """A DuckDB file with the tables and one account, `jo`."""
    engine = sa.create_engine(duckdb_url(tmp_path / "sessions.duckdb"))
    create_tables(engine)
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    yield engine
    engine.dispose()


def _selects(engine: sa.Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    return seen


def test_an_open_session_is_answered_from_memory_until_the_next_write(
    duckdb_engine: sa.Engine,
) -> None:
    start_session(duckdb_engine, "desk", "jo")
    first = live_session_account(duckdb_engine, "desk", "jo")
    asked = _selects(duckdb_engine)
    assert live_session_account(duckdb_engine, "desk", "jo") == first
    assert asked == []  # no query
    end_session(duckdb_engine, "desk")
    assert live_session_account(duckdb_engine, "desk", "jo") is None


def test_nothing_is_kept_while_a_write_is_going_on(duckdb_engine: sa.Engine) -> None:
    start_session(duckdb_engine, "desk", "jo")
    with duckdb_engine.connect() as writer:
        writer.exec_driver_sql("UPDATE user_sessions SET ended_at = now()")
        assert WATCH.mark() is None
        # Asked before the write is committed: the session still looks open, and is not kept
        assert live_session_account(duckdb_engine, "desk", "jo") is not None
        writer.commit()
    assert WATCH.mark() is not None
    assert live_session_account(duckdb_engine, "desk", "jo") is None


def test_a_read_does_not_count_as_a_write(duckdb_engine: sa.Engine) -> None:
    with duckdb_engine.connect() as conn:
        before = WATCH.mark()
        conn.exec_driver_sql("SELECT count(*) FROM users").all()
        assert WATCH.mark() == before
