"""Local accounts and their audit trail, written and read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import user_events, users
from warehouse.transactions import retrying
from warehouse.user_sessions import end_user_sessions


def _record(conn: sa.Connection, username: str, actor: str, kind: str, detail: str) -> None:
    conn.execute(
        user_events.insert().values(
            username=username, actor=actor, kind=kind, detail=detail, event_at=datetime.now()
        )
    )


def find_user(engine: sa.Engine, username: str) -> dict[str, Any] | None:
    """One account as a dict, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    return dict(row) if row else None


def insert_user(
    engine: sa.Engine,
    *,
    username: str,
    display_name: str,
    role: str,
    password_hash: str,
    actor: str,
    email: str | None = None,
    portfolio: str | None = None,
    weekly_pack: bool = False,
) -> int:
    """Store a new local account and audit it in one transaction; returns its id."""
    with engine.begin() as conn:
        user_id = conn.execute(
            users.insert()
            .values(
                username=username,
                display_name=display_name,
                role=role,
                password_hash=password_hash,
                provider="local",
                created_at=datetime.now(),
                email=email,
                portfolio=portfolio,
                weekly_pack=weekly_pack,
            )
            .returning(users.c.id)
        ).scalar_one()
        detail = "; ".join(
            [f"role {role}"]
            + ([f"email {email}"] if email else [])
            + ([f"portfolio {portfolio}"] if portfolio else [])
            + (["weekly pack on"] if weekly_pack else [])
        )
        _record(conn, username, actor, "added", detail)
    return int(user_id)


def insert_sso_user(
    engine: sa.Engine,
    *,
    username: str,
    display_name: str,
    role: str,
    email: str | None,
    external_id: str,
    provider: str,
    actor: str,
    detail: str,
) -> None:
    """Store an account made at its first single sign-on (no password) and audit it."""
    now = datetime.now()
    with engine.begin() as conn:
        conn.execute(
            users.insert().values(
                username=username,
                display_name=display_name,
                role=role,
                password_hash=None,
                provider=provider,
                external_id=external_id,
                created_at=now,
                last_sign_in_at=now,
                email=email,
            )
        )
        _record(conn, username, actor, "added", detail)


def change_user(
    engine: sa.Engine,
    user_id: int,
    username: str,
    values: dict[str, Any],
    *,
    actor: str,
    kind: str,
    detail: str,
    end_sessions: str | None = None,
) -> None:
    """Change an account's columns and audit it in one transaction.

    `end_sessions`, when given, is the reason recorded for ending the account's open sessions.
    """
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(**values))
        if end_sessions is not None:
            end_user_sessions(conn, username, end_sessions)
        _record(conn, username, actor, kind, detail)


def note_sign_in(engine: sa.Engine, user_id: int, values: dict[str, Any]) -> None:
    """Record a successful sign-in (its time, and a rehashed password if there is one); two
    people signing in to one account at once both succeed."""

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(**values))

    retrying(write)


def list_users(engine: sa.Engine) -> pd.DataFrame:
    """Every account, without its password hash."""
    columns = [c for c in users.c if c.name != "password_hash"]
    with engine.connect() as conn:
        return pd.read_sql(sa.select(*columns).order_by(users.c.username), conn)


def user_history(engine: sa.Engine, username: str | None = None) -> pd.DataFrame:
    """The audit trail of account changes, oldest first."""
    query = sa.select(user_events).order_by(user_events.c.event_at, user_events.c.id)
    if username is not None:
        query = query.where(user_events.c.username == username)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
