"""Slow down password guessing: every attempt is logged, and repeated failures lock out.

A user name is locked after `sign_in_attempts` failures in a row (since its last success) within
the lockout window; an address is locked after ten times that many failures, so one machine
cannot try many names. The log lives in the warehouse, so a restart does not reset it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from warehouse.sign_ins import failures_since, record_sign_in_attempt

IP_MULTIPLIER = 10


def record_attempt(
    engine: sa.Engine,
    username: str,
    ip: str | None,
    *,
    succeeded: bool,
    reason: str = "",
    now: datetime | None = None,
    method: str = "password",
) -> None:
    """Log one sign-in attempt, successful or not, by password or single sign-on ("oidc")."""
    record_sign_in_attempt(
        engine,
        username,
        ip,
        succeeded=succeeded,
        reason=reason,
        at=now or datetime.now(),
        method=method,
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
    user_fails, ip_fails = failures_since(engine, username, ip, now - timedelta(minutes=minutes))
    waits = [0]
    for fails, limit in ((user_fails, attempts), (ip_fails, attempts * IP_MULTIPLIER)):
        if fails.count >= limit and fails.latest is not None:
            waits.append(int((fails.latest + timedelta(minutes=minutes) - now).total_seconds()) + 1)
    return max(waits)
