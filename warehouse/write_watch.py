"""Whether anything may have been written to the warehouse since a given moment.

A DuckDB file is opened by one process at a time, so a process holding one sees every change
made to it: each goes through SQLAlchemy in this process (the dashboard's, the scheduler's, or
a `pmf` command handed over to it). That lets it keep an answer in memory and trust it until
the next write, with no query to check. `mark()` gives a number that changes whenever a write
may have happened, and None while one is still going on:

- a statement other than a SELECT, through any engine, changes it (and the write is in flight
  until its connection goes back to the pool, after its commit or rollback);
- so does this process letting go of its last connection, since another process may open the
  file and change it until we open it again.

Every engine and pool of the process is watched, so a second engine on the same file (a command
given another spelling of the URL) is seen too. Bulk loads that hand DuckDB a DataFrame still
send their INSERT through SQLAlchemy (`exec_driver_sql`), so they are seen. Statements sent on
the driver's own connection beneath SQLAlchemy are not; PMF sends only reads that way
(warehouse/bulk.py, warehouse/frames.py) and copies of the warehouse to another file
(warehouse/backup.py). Nothing kept with `mark()` may depend on a write made that way.

Kept with it: open sessions' accounts (warehouse/user_sessions.py) and the page version
(warehouse/snapshot.py).
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import Pool


class WriteWatch:
    """Counts writes made through any engine in this process (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._writing: set[int] = set()  # driver connections with a write not yet finished
        self._open = 0  # driver connections this process holds

    def mark(self) -> int | None:
        """A number that changes whenever a write may have happened; None during a write."""
        with self._lock:
            return None if self._writing else self._count

    def statement(self, conn: sa.Connection, statement: str) -> None:
        """A statement is about to be sent on `conn`: a write unless it is a SELECT."""
        if statement.lstrip()[:6].upper() == "SELECT":
            return
        driver = conn.connection.dbapi_connection
        with self._lock:
            self._count += 1
            if driver is not None:
                self._writing.add(id(driver))

    def returned(self, driver: Any) -> None:
        """A connection went back to the pool: whatever it wrote is committed or undone."""
        with self._lock:
            if id(driver) in self._writing:
                self._writing.discard(id(driver))
                self._count += 1

    def opened(self) -> None:
        """A driver connection was opened."""
        with self._lock:
            self._open += 1

    def closed(self, driver: Any) -> None:
        """A driver connection was closed; the last one lets go of the file."""
        with self._lock:
            self._writing.discard(id(driver))
            self._open = max(0, self._open - 1)
            self._count += 1 if self._open == 0 else 0


WATCH = WriteWatch()


@event.listens_for(sa.Engine, "before_cursor_execute")
def _before_statement(
    conn: sa.Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    WATCH.statement(conn, statement)


@event.listens_for(Pool, "checkin")
def _checked_in(driver: Any, _record: Any) -> None:
    WATCH.returned(driver)


@event.listens_for(Pool, "connect")
def _connected(_driver: Any, _record: Any) -> None:
    WATCH.opened()


@event.listens_for(Pool, "close")
def _closed(driver: Any, _record: Any) -> None:
    WATCH.closed(driver)


@event.listens_for(Pool, "close_detached")
def _closed_detached(driver: Any) -> None:
    WATCH.closed(driver)
