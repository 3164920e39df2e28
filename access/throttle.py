"""Slow down password guessing: every attempt is logged, and repeated failures lock out.

A user name is locked after `sign_in_attempts` failures in a row (since its last success) within
the lockout window; an address is locked after ten times that many failures, so one machine
cannot try many names. The log lives in the warehouse, so a restart does not reset it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from warehouse.tables import sign_in_events

IP_MULTIPLIER = 10


def record_attempt(
    engine: sa.Engine,
    username: str,
    ip: str | None,
    *,
    succeeded: bool,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Log one sign-in attempt, successful or not."""
    with engine.begin() as conn:
        conn.execute(
            sign_in_events.insert().values(
                username=username[:80],
                ip=(ip or "")[:64] or None,
                event_at=now or datetime.now(),
                succeeded=succeeded,
                reason=reason or None,
            )
        )


def wait_seconds(
    engine: sa.Engine,
    username: str,
    ip: str | None,
    *,
    attempts: int,
    minutes: int,
    now: datetime | None = None,
) -> int:
    """Seconds before this user name (or address) may try again; 0 when it may try now."""
    now = now or datetime.now()
    since = now - timedelta(minutes=minutes)
    events = sign_in_events.c
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
            )
        ).one()
        ip_fails = (
            conn.execute(
                sa.select(sa.func.count(), sa.func.max(events.event_at)).where(
                    events.ip == ip, events.succeeded.is_(False), events.event_at > since
                )
            ).one()
            if ip
            else (0, None)
        )
    waits = [0]
    for (count, latest), limit in ((user_fails, attempts), (ip_fails, attempts * IP_MULTIPLIER)):
        if count >= limit and latest is not None:
            waits.append(int((latest + timedelta(minutes=minutes) - now).total_seconds()) + 1)
    return max(waits)
