"""The emails PMF has sent (or tried to): the SQL, and nothing else.

A notification's key names what it is for (`reminder-due:2026-10:jo:2026-11-14`). Before an
email goes, its key is claimed: a row saying "sending" is written, unless a row for the key
already says "sending" or "sent". So an email is sent at most once, whatever reruns or restarts
happen; one whose last attempt "failed" (the mail server refused it or could not be reached,
so it certainly did not go) is claimed again by the next run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import notifications

SENDING, SENT, FAILED = "sending", "sent", "failed"
NOTIFICATION_STATUSES = (SENDING, SENT, FAILED)
# A key with a row in one of these is never sent again
BLOCKING = (SENDING, SENT)

# A DuckDB file is held by one process, so claims made by its threads (the scheduler's job and
# a command handed to the dashboard) are kept one at a time here; PostgreSQL locks the table
_CLAIMING = threading.Lock()


def claim(
    engine: sa.Engine,
    *,
    key: str,
    kind: str,
    recipient: str,
    address: str,
    subject: str,
    now: datetime,
) -> int | None:
    """Record that an email is about to go; its row's id, or None if the key was already sent
    or is being sent (then it must not go)."""
    with _CLAIMING, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes claiming at once: the second waits, then sees the first's row
            conn.execute(sa.text("LOCK TABLE notifications IN SHARE ROW EXCLUSIVE MODE"))
        taken = conn.execute(
            sa.select(sa.func.count())
            .select_from(notifications)
            .where(notifications.c.key == key, notifications.c.status.in_(BLOCKING))
        ).scalar_one()
        if taken:
            return None
        return int(
            conn.execute(
                notifications.insert()
                .values(
                    key=key,
                    kind=kind,
                    recipient=recipient,
                    address=address,
                    subject=subject,
                    status=SENDING,
                    created_at=now,
                )
                .returning(notifications.c.id)
            ).scalar_one()
        )


def mark_sent(conn: sa.Connection, notification_id: int, now: datetime) -> None:
    """The email went: the server accepted it."""
    conn.execute(
        notifications.update()
        .where(notifications.c.id == notification_id)
        .values(status=SENT, sent_at=now, error=None)
    )


def mark_failed(engine: sa.Engine, notification_id: int, error: str) -> None:
    """The email certainly did not go (refused, or no server answered): the next run tries
    its key again."""
    with engine.begin() as conn:
        conn.execute(
            notifications.update()
            .where(notifications.c.id == notification_id)
            .values(status=FAILED, error=error)
        )


def note_uncertain(engine: sa.Engine, notification_id: int, error: str) -> None:
    """The server stopped answering while the email was being handed over, so it may have gone:
    it stays "sending" (never sent again) with the reason, for an officer to check."""
    with engine.begin() as conn:
        conn.execute(
            notifications.update().where(notifications.c.id == notification_id).values(error=error)
        )


def keys_taken(engine: sa.Engine, keys: Iterable[str]) -> set[str]:
    """Which of these keys were already sent or are being sent."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    query = (
        sa.select(notifications.c.key)
        .where(notifications.c.key.in_(wanted), notifications.c.status.in_(BLOCKING))
        .distinct()
    )
    with engine.connect() as conn:
        return {str(k) for k in conn.execute(query).scalars()}


def read_notifications(
    engine: sa.Engine,
    *,
    status: str | None = None,
    kind: str | None = None,
    recipient: str | None = None,
    since: datetime | None = None,
) -> pd.DataFrame:
    """Every attempt to send an email matching the filters given, oldest first."""
    query = sa.select(notifications).order_by(notifications.c.created_at, notifications.c.id)
    if status is not None:
        query = query.where(notifications.c.status == status)
    if kind is not None:
        query = query.where(notifications.c.kind == kind)
    if recipient is not None:
        query = query.where(notifications.c.recipient == recipient)
    if since is not None:
        query = query.where(notifications.c.created_at >= since)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
