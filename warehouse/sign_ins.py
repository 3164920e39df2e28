"""The sign-in log: every attempt (password or single sign-on), and the password failures that
count towards a lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from warehouse.tables import sign_in_events


@dataclass(frozen=True)
class Failures:
    """How many failed attempts there were, and when the latest was."""

    count: int
    latest: datetime | None


def record_sign_in_attempt(
    engine: sa.Engine,
    username: str,
    ip: str | None,
    *,
    succeeded: bool,
    reason: str,
    at: datetime,
    method: str = "password",
) -> None:
    """Log one sign-in attempt, successful or not, by password or single sign-on ("oidc")."""
    with engine.begin() as conn:
        conn.execute(
            sign_in_events.insert().values(
                username=username[:80],
                ip=(ip or "")[:64] or None,
                event_at=at,
                succeeded=succeeded,
                reason=reason or None,
                method=method,
            )
        )


def failures_since(
    engine: sa.Engine, username: str, ip: str | None, since: datetime
) -> tuple[Failures, Failures]:
    """Failures for the user name since `since` or its last success, whichever is later, and
    failures from the address since `since` (none counted when the address is unknown).

    Only password attempts count: a refusal at single sign-on is no guess at a password.
    """
    events = sign_in_events.c
    by_password = sa.or_(events.method.is_(None), events.method == "password")
    with engine.connect() as conn:
        last_ok = conn.execute(
            sa.select(sa.func.max(events.event_at)).where(
                events.username == username, events.succeeded.is_(True)
            )
        ).scalar()
        start = max(since, last_ok) if last_ok else since
        user_fails = conn.execute(
            sa.select(sa.func.count(), sa.func.max(events.event_at)).where(
                events.username == username,
                events.succeeded.is_(False),
                events.event_at > start,
                by_password,
            )
        ).one()
        ip_fails = (
            conn.execute(
                sa.select(sa.func.count(), sa.func.max(events.event_at)).where(
                    events.ip == ip,
                    events.succeeded.is_(False),
                    events.event_at > since,
                    by_password,
                )
            ).one()
            if ip
            else (0, None)
        )
    return Failures(int(user_fails[0]), user_fails[1]), Failures(int(ip_fails[0]), ip_fails[1])
