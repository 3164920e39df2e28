"""A consistent, single-file copy of a DuckDB warehouse, and putting one back.

DuckDB keeps recent writes in `<file>.wal` until a checkpoint, so a copy of the file alone can
lose rows, and a stale `.wal` left beside a restored file would be replayed over it. Both
directions are therefore copies made by DuckDB itself (`COPY FROM DATABASE`): every table with
its rows, every sequence at its current position (so new ids never clash), every index and
view. The copy is written beside its destination under a temporary name, checked table by
table, and renamed into place only when complete: a failed copy never leaves a half file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from warehouse.engine import held_elsewhere

# A file is a PMF warehouse if it holds these
WAREHOUSE_TABLES = ("observations", "users")
DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB database file
ASIDE = "before-restore"

_TABLES = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
    "ORDER BY table_name"
)
_SEQUENCES = (
    "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ? "
    "ORDER BY sequence_name"
)


class BackupError(Exception):
    """A copy that could not be made or checked; the message is one sentence for the officer."""


class NotAWarehouse(BackupError):
    """A file that cannot be restored: missing, not a DuckDB file, or without PMF's tables."""


@dataclass(frozen=True)
class Copied:
    """A copy made: the file, its rows by table, and its size in bytes."""

    path: Path
    rows: dict[str, int]
    size: int

    @property
    def total_rows(self) -> int:
        """Rows in every table together."""
        return sum(self.rows.values())


@dataclass(frozen=True)
class Restored:
    """A restore done: what is now in place, and where the previous warehouse was kept."""

    copied: Copied
    kept_as: Path | None


def wal_path(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file."""
    return path.with_name(path.name + ".wal")


def backend(url: str) -> str:
    """The kind of database a URL names: 'duckdb', 'postgresql', ..."""
    return str(sa.engine.make_url(url).get_backend_name())


def back_up(engine: sa.Engine, target: Path) -> Copied:
    """Copy the DuckDB warehouse behind `engine` to the new file `target`, rows still in its
    `.wal` included; works inside the process that holds the warehouse (the dashboard's) too.

    `target` is replaced if it exists (the caller decides whether that is allowed).
    """
    with _partial(target) as partial:
        raw = engine.raw_connection()
        try:
            # DuckDB's own connection: ATTACH, COPY FROM DATABASE and CHECKPOINT are its own words
            conn: Any = raw.driver_connection
            catalog = str(conn.execute("SELECT current_database()").fetchone()[0])
            rows = _copy_into(conn, catalog, partial)
        finally:
            raw.close()
        size = _finish(partial, target)
    return Copied(target, rows, size)


def check_warehouse_file(path: Path) -> dict[str, int]:
    """The rows by table of a PMF warehouse file; raises NotAWarehouse saying why it is not one."""
    if not path.is_file():
        raise NotAWarehouse(f"There is no file {path}.")
    with path.open("rb") as handle:
        header = handle.read(12)
    if header[8:12] != DUCKDB_MAGIC:
        raise NotAWarehouse(f"{path} is not a DuckDB file.")
    with _opened(path) as (conn, catalog):
        tables = _tables(conn, catalog)
        missing = [name for name in WAREHOUSE_TABLES if name not in tables]
        if missing:
            raise NotAWarehouse(
                f"{path} is a DuckDB file but not a PMF warehouse: it has no "
                f"{' or '.join(missing)} table."
            )
        return _counts(conn, catalog, tables)


def holder(path: Path) -> str | None:
    """Who holds the DuckDB file at `path` (e.g. 'process 123'), or None if nobody does.

    Opens the file read-only for a moment, so nothing in it changes.
    """
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        return held_elsewhere(exc)
    return None


def restore(source: Path, target: Path, *, now: datetime | None = None) -> Restored:
    """Put the warehouse in `source` in place at `target`. The previous file and its `.wal`
    are moved aside to `<target>.before-restore-YYYYmmddHHMMSS` (and `.wal`), never deleted.

    Raises NotAWarehouse if `source` is not a PMF warehouse, with nothing changed. The caller
    makes sure nobody holds `target`.
    """
    check_warehouse_file(source)
    with _partial(target) as partial:
        with _opened(source) as (conn, catalog):
            rows = _copy_into(conn, catalog, partial)
        kept_as = _move_aside(target, now or datetime.now())
        try:
            size = _finish(partial, target)
        except BaseException:
            _move_back(kept_as, target)
            raise
    return Restored(Copied(target, rows, size), kept_as)


def _copy_into(conn: Any, catalog: str, partial: Path) -> dict[str, int]:
    """Copy the database `catalog` into a new file `partial`; its rows by table, checked."""
    alias = f"pmf_copy_{secrets.token_hex(4)}"
    try:
        conn.execute(f"ATTACH ? AS {alias}", [str(partial)])
        try:
            rows = _copy_checked(conn, catalog, alias)
            conn.execute(f"CHECKPOINT {alias}")
        finally:
            conn.execute(f"DETACH {alias}")
    except duckdb.Error as exc:
        raise BackupError(_first_line(exc)) from exc
    return rows


def _copy_checked(conn: Any, catalog: str, alias: str) -> dict[str, int]:
    """COPY FROM DATABASE in one transaction, then the same tables, rows and sequences."""
    conn.execute("BEGIN TRANSACTION")
    try:
        # Every row this transaction sees took its id before it began, so a sequence at least
        # where it is now can never hand out an id the copy already holds
        positions = _sequences(conn, catalog)
        conn.execute(f"COPY FROM DATABASE {_quote(catalog)} TO {alias}")
        tables = _tables(conn, catalog)
        rows = _counts(conn, catalog, tables)
        if _tables(conn, alias) != tables or _counts(conn, alias, tables) != rows:
            raise BackupError("the copy does not hold the same tables and rows")
        if not _kept_up(_sequences(conn, alias), positions):
            raise BackupError("the copy's sequences are behind the warehouse's")
        conn.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            conn.execute("ROLLBACK")
        raise
    return rows


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _tables(conn: Any, catalog: str) -> list[str]:
    return [str(row[0]) for row in conn.execute(_TABLES, [catalog]).fetchall()]


def _counts(conn: Any, catalog: str, tables: list[str]) -> dict[str, int]:
    return {
        table: int(
            conn.execute(f"SELECT count(*) FROM {_quote(catalog)}.main.{_quote(table)}").fetchone()[
                0
            ]
        )
        for table in tables
    }


def _sequences(conn: Any, catalog: str) -> dict[str, int]:
    """Each sequence's last value handed out (0 if none yet)."""
    return {
        str(name): int(value or 0) for name, value in conn.execute(_SEQUENCES, [catalog]).fetchall()
    }


def _kept_up(copied: dict[str, int], positions: dict[str, int]) -> bool:
    """Whether every sequence is in the copy, at least at the position it had."""
    return copied.keys() == positions.keys() and all(
        copied[name] >= position for name, position in positions.items()
    )


def _quote(name: str) -> str:
    """An identifier in double quotes (a name read from the catalogue, never typed by a user)."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _opened(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A private in-memory DuckDB with the file at `path` attached read-only."""
    conn = duckdb.connect()
    alias = f"pmf_source_{secrets.token_hex(4)}"
    try:
        try:
            conn.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(path)])
        except duckdb.Error as exc:
            raise NotAWarehouse(
                f"{path} could not be opened as a DuckDB file: {_first_line(exc)}."
            ) from exc
        yield conn, alias
    finally:
        conn.close()


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """A temporary name beside `target` for the copy; whatever is left under it is removed."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
    finally:
        for leftover in (partial, wal_path(partial)):
            with suppress(FileNotFoundError):
                leftover.unlink()


def _finish(partial: Path, target: Path) -> int:
    """Rename the finished copy into place (dropping a stale `.wal` of `target`); its size."""
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    with suppress(FileNotFoundError):
        wal_path(target).unlink()
    os.replace(partial, target)
    _sync_folder(target.parent)
    return target.stat().st_size


def _move_aside(target: Path, now: datetime) -> Path | None:
    """Move the warehouse at `target` and its `.wal` aside; where the warehouse went."""
    stamp = f"{target.name}.{ASIDE}-{now:%Y%m%d%H%M%S}"
    aside, number = target.with_name(stamp), 1
    while aside.exists() or wal_path(aside).exists():  # two restores in one second
        number += 1
        aside = target.with_name(f"{stamp}-{number}")
    moved = None
    if target.exists():
        os.replace(target, aside)
        moved = aside
    if wal_path(target).exists():
        os.replace(wal_path(target), wal_path(aside))
        moved = moved or wal_path(aside)
    _sync_folder(target.parent)
    return moved


def _move_back(kept_as: Path | None, target: Path) -> None:
    """Undo `_move_aside` after a restore that could not finish."""
    if kept_as is None:
        return
    if kept_as.name.endswith(".wal"):
        os.replace(kept_as, wal_path(target))
        return
    os.replace(kept_as, target)
    if wal_path(kept_as).exists():
        os.replace(wal_path(kept_as), wal_path(target))


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
