"""The scheduler's lock: on PostgreSQL, only the process holding it fires scheduled jobs and
takes queued ones, however many `pmf scheduler` (or `pmf serve`) processes are started.

A PostgreSQL session-level advisory lock, held on a connection kept open for the purpose: it
is let go when that connection ends, so a scheduler that dies frees it at once. A DuckDB file
can be opened by one process only, which is already the guarantee: the lock is always given.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

LOG = logging.getLogger("pmf.scheduler")
# Any fixed number, the same in every PMF process: it names the scheduler's lock
SCHEDULER_LOCK = 7_317_002


class SchedulerLock:
    """Try to take the lock; check it is still held; let it go."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn: sa.Connection | None = None

    @property
    def shared(self) -> bool:
        """Whether other processes can use this database (so the lock means something)."""
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; say whether this process now holds it."""
        if not self.shared:
            return True
        if self._conn is not None:
            return self.held()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(
                conn.execute(
                    sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK}
                ).scalar()
            )
        except sa.exc.DBAPIError:
            conn.close()
            raise
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def held(self) -> bool:
        """Whether the lock is still this process's: its connection is alive and holds it."""
        if not self.shared:
            return True
        if self._conn is None:
            return False
        try:
            mine = self._conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND objid = :key AND pid = pg_backend_pid() AND granted"
                ),
                {"key": SCHEDULER_LOCK},
            ).scalar()
        except sa.exc.DBAPIError:
            LOG.warning("lost the connection that held the scheduler's lock")
            self._forget()
            return False
        if not mine:
            self._forget()
        return bool(mine)

    def release(self) -> None:
        """Let the lock go (closing its connection does that too)."""
        if self._conn is None:
            return
        try:
            self._conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK})
        except sa.exc.DBAPIError:
            pass
        self._forget()

    def _forget(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sa.exc.DBAPIError:
                pass
        self._conn = None
