"""Local user accounts: add, list, disable, check a password; every change is audited."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access.identity import Viewer
from access.roles import Role, parse_role
from warehouse.tables import user_events, users
from warehouse.user_sessions import end_user_sessions

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
MIN_PASSWORD = 12
HASHER = PasswordHasher()
# Checked when the user name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted, with the library's current cost settings)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password must be at least {MIN_PASSWORD} characters long.")
    return HASHER.hash(password)


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


def add_user(
    engine: sa.Engine,
    username: str,
    password: str,
    role: str,
    *,
    actor: str,
    display_name: str | None = None,
) -> int:
    """Create a local account and audit it; returns its id."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError(
            f"'{username}' is not a usable user name: use 2 to 80 lower-case letters, digits, "
            "dots, dashes, underscores or @, starting with a letter or digit."
        )
    checked: Role = parse_role(role)
    if find_user(engine, username) is not None:
        raise ValueError(f"There is already a user called '{username}'.")
    hashed = hash_password(password)
    with engine.begin() as conn:
        user_id = conn.execute(
            users.insert()
            .values(
                username=username,
                display_name=(display_name or username).strip(),
                role=checked,
                password_hash=hashed,
                provider="local",
                created_at=datetime.now(),
            )
            .returning(users.c.id)
        ).scalar_one()
        _record(conn, username, actor, "added", f"role {checked}")
    return int(user_id)


def disable_user(engine: sa.Engine, username: str, *, actor: str) -> None:
    """Disable an account: it can no longer sign in, and open sessions end at the next request."""
    user = find_user(engine, username)
    if user is None:
        raise ValueError(f"There is no user called '{username}'; 'pmf users list' shows them.")
    if user["disabled_at"] is not None:
        raise ValueError(f"'{username}' is already disabled.")
    with engine.begin() as conn:
        conn.execute(
            users.update().where(users.c.id == user["id"]).values(disabled_at=datetime.now())
        )
        end_user_sessions(conn, username, "account disabled")
        _record(conn, username, actor, "disabled", "")


def update_user(
    engine: sa.Engine,
    username: str,
    *,
    actor: str,
    role: str | None = None,
    password: str | None = None,
    enable: bool = False,
) -> list[str]:
    """Change an account's role or password, or enable it again; audited. Returns the changes.

    A new role or password ends the account's open sessions.
    """
    user = find_user(engine, username)
    if user is None:
        raise ValueError(f"There is no user called '{username}'; 'pmf users list' shows them.")
    values: dict[str, Any] = {}
    changes: list[str] = []
    if role is not None:
        values["role"] = parse_role(role)
        changes.append(f"role {user['role']} -> {values['role']}")
    if password is not None:
        values["password_hash"] = hash_password(password)
        changes.append("password changed")
    if enable:
        if user["disabled_at"] is None:
            raise ValueError(f"'{username}' is not disabled.")
        values["disabled_at"] = None
        changes.append("enabled")
    if not changes:
        raise ValueError("Nothing to change: give --role, --password-stdin or --enable.")
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.id == user["id"]).values(**values))
        if role is not None or password is not None:
            # Whoever holds an open session signs in again under the new role or password
            end_user_sessions(conn, username, "role or password changed")
        _record(conn, username, actor, "updated", "; ".join(changes))
    return changes


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


def _viewer(user: dict[str, Any]) -> Viewer:
    return Viewer(str(user["username"]), str(user["display_name"]), parse_role(str(user["role"])))


@dataclass(frozen=True)
class LocalPasswordProvider:
    """Accounts held in the warehouse's users table, with argon2 password hashes."""

    engine: sa.Engine
    name: str = "local"

    def load(self, username: str) -> Viewer | None:
        """The viewer for an enabled account, else None (so a disabled user is signed out)."""
        user = find_user(self.engine, username)
        if user is None or user["disabled_at"] is not None:
            return None
        return _viewer(user)

    def authenticate(self, username: str, password: str) -> Viewer | None:
        """The viewer if the password matches an enabled local account, else None."""
        user = find_user(self.engine, username.strip().lower())
        stored = user["password_hash"] if user else None
        try:
            HASHER.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or stored is None or user["disabled_at"] is not None:
            return None
        updates: dict[str, Any] = {"last_sign_in_at": datetime.now()}
        if HASHER.check_needs_rehash(stored):
            updates["password_hash"] = HASHER.hash(password)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(**updates))
        return _viewer(user)
