"""Local user accounts: the rules for adding, changing and disabling them, and checking a password.

Every change is audited; the rows themselves are kept by `warehouse.users`.
"""

from __future__ import annotations

import difflib
import functools
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access.identity import Viewer
from access.roles import Role, parse_role
from warehouse.users import change_user, find_user, insert_user, note_sign_in

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
# An ordinary address: a local part, @, and a domain with a dot (no display name, no spaces)
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
MIN_PASSWORD = 12
HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so a wrong name takes as long as a wrong
    password; made on first use, since hashing costs every `pmf` command half a second."""
    return HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted, with the library's current cost settings)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password must be at least {MIN_PASSWORD} characters long.")
    return HASHER.hash(password)


def check_email(address: str) -> str | None:
    """The address as stored (None for an empty one), or ValueError saying what is wrong."""
    address = address.strip()
    if not address:
        return None
    if len(address) > 254 or not EMAIL.match(address):
        raise ValueError(
            f"'{address}' is not an email address PMF can send to: write one address such as "
            "jo.bloggs@council.gov.uk, without a name or angle brackets."
        )
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_portfolio(portfolio: str, known: Collection[str] | None) -> str | None:
    """The portfolio id as stored (None for an empty one), or ValueError with a did-you-mean.

    `known` is the plan's portfolio ids; None when the caller has checked the id already.
    """
    portfolio = portfolio.strip()
    if not portfolio:
        return None
    if known is None or portfolio in known:
        return portfolio
    close = difflib.get_close_matches(portfolio, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ValueError(
        f"There is no portfolio '{portfolio}' in the plan{hint}; "
        f"use one of {', '.join(sorted(known)) or '(none: the plan has no portfolios)'}."
    )


def add_user(
    engine: sa.Engine,
    username: str,
    password: str,
    role: str,
    *,
    actor: str,
    display_name: str | None = None,
    email: str | None = None,
    portfolio: str | None = None,
    weekly_pack: bool = False,
    plan_portfolios: Collection[str] | None = None,
) -> int:
    """Create a local account and audit it; returns its id.

    A portfolio is checked against `plan_portfolios` (the plan's portfolio ids) when given; the
    weekly pack is of that portfolio, so it needs one.
    """
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError(
            f"'{username}' is not a usable user name: use 2 to 80 lower-case letters, digits, "
            "dots, dashes, underscores or @, starting with a letter or digit."
        )
    checked: Role = parse_role(role)
    address = check_email(email) if email is not None else None
    holds = check_portfolio(portfolio, plan_portfolios) if portfolio is not None else None
    if weekly_pack and holds is None:
        raise ValueError("The weekly pack is a portfolio's pack: give --portfolio too.")
    if find_user(engine, username) is not None:
        raise ValueError(f"There is already a user called '{username}'.")
    return insert_user(
        engine,
        username=username,
        display_name=(display_name or username).strip(),
        role=checked,
        password_hash=hash_password(password),
        actor=actor,
        email=address,
        portfolio=holds,
        weekly_pack=weekly_pack,
    )


def disable_user(engine: sa.Engine, username: str, *, actor: str) -> None:
    """Disable an account: it can no longer sign in, and open sessions end at the next request."""
    user = find_user(engine, username)
    if user is None:
        raise ValueError(f"There is no user called '{username}'; 'pmf users list' shows them.")
    if user["disabled_at"] is not None:
        raise ValueError(f"'{username}' is already disabled.")
    change_user(
        engine,
        user["id"],
        username,
        {"disabled_at": datetime.now()},
        actor=actor,
        kind="disabled",
        detail="",
        end_sessions="account disabled",
    )


def update_user(
    engine: sa.Engine,
    username: str,
    *,
    actor: str,
    role: str | None = None,
    password: str | None = None,
    enable: bool = False,
    email: str | None = None,
    portfolio: str | None = None,
    weekly_pack: bool | None = None,
    plan_portfolios: Collection[str] | None = None,
) -> list[str]:
    """Change an account's role, password, email, portfolio or weekly pack, or enable it again;
    audited. Returns the changes.

    None leaves a field as it is; an empty email or portfolio removes it. A new role or
    password ends the account's open sessions.
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
    if email is not None:
        values["email"] = check_email(email)
        changes.append(f"email {values['email']}" if values["email"] else "email removed")
    if portfolio is not None:
        values["portfolio"] = check_portfolio(portfolio, plan_portfolios)
        changes.append(
            f"portfolio {values['portfolio']}" if values["portfolio"] else "portfolio removed"
        )
    if weekly_pack is not None:
        values["weekly_pack"] = weekly_pack
        changes.append("weekly pack on" if weekly_pack else "weekly pack off")
    holds = values["portfolio"] if "portfolio" in values else user.get("portfolio")
    takes_pack = values["weekly_pack"] if "weekly_pack" in values else user.get("weekly_pack")
    if takes_pack and not holds:
        raise ValueError(
            "The weekly pack is a portfolio's pack: give --portfolio too, or --no-weekly-pack."
        )
    if not changes:
        raise ValueError(
            "Nothing to change: give --role, --password-stdin, --enable, --email, --portfolio "
            "or --weekly-pack."
        )
    # Whoever holds an open session signs in again under the new role or password
    ends = "role or password changed" if role is not None or password is not None else None
    change_user(
        engine,
        user["id"],
        username,
        values,
        actor=actor,
        kind="updated",
        detail="; ".join(changes),
        end_sessions=ends,
    )
    return changes


def _viewer(user: dict[str, Any]) -> Viewer:
    return Viewer(str(user["username"]), str(user["display_name"]), parse_role(str(user["role"])))


def enabled_viewer(account: dict[str, Any]) -> Viewer | None:
    """The viewer for an account row, or None if the account is disabled (it is signed out)."""
    return None if account["disabled_at"] is not None else _viewer(account)


@dataclass(frozen=True)
class LocalPasswordProvider:
    """Accounts held in the warehouse's users table, with argon2 password hashes."""

    engine: sa.Engine
    name: str = "local"

    def load(self, username: str) -> Viewer | None:
        """The viewer for an enabled account, else None (so a disabled user is signed out)."""
        user = find_user(self.engine, username)
        return enabled_viewer(user) if user is not None else None

    def authenticate(self, username: str, password: str) -> Viewer | None:
        """The viewer if the password matches an enabled local account, else None."""
        user = find_user(self.engine, username.strip().lower())
        stored = user["password_hash"] if user else None
        try:
            HASHER.verify(stored or _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or stored is None or user["disabled_at"] is not None:
            return None
        updates: dict[str, Any] = {"last_sign_in_at": datetime.now()}
        if HASHER.check_needs_rehash(stored):
            updates["password_hash"] = HASHER.hash(password)
        note_sign_in(self.engine, user["id"], updates)
        return _viewer(user)
