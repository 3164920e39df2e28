"""The database engine, built from `PMF_DATABASE_URL` (a DuckDB file under data/ by default)."""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

DEFAULT_DATABASE_PATH = Path("data") / "pmf.duckdb"
LOG = logging.getLogger("pmf.warehouse")


def default_database_url() -> str:
    """The URL in `PMF_DATABASE_URL`, or an absolute DuckDB URL for data/pmf.duckdb."""
    url = os.environ.get("PMF_DATABASE_URL")
    if url:
        return url
    return duckdb_url(DEFAULT_DATABASE_PATH)


def duckdb_url(path: Path | str) -> str:
    """An absolute DuckDB URL for a file path (four slashes: duckdb:////abs/path.duckdb)."""
    return f"duckdb:///{Path(path).resolve()}"


def database_path(url: str) -> Path | None:
    """The file behind a DuckDB or SQLite URL, or None for a server database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() in {"duckdb", "sqlite"} and parsed.database not in (
        None,
        "",
        ":memory:",
    ):
        return Path(parsed.database)
    return None


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> sa.Engine:
    """Return one shared engine per URL; creates the folder for a local database file."""
    url = url or default_database_url()
    path = database_path(url)
    if path is not None and not path.exists():
        # A mistyped --database-url would otherwise look like a warehouse whose data vanished
        LOG.warning(
            "No warehouse file at %s: creating a new, empty one. If you expected data there, "
            "check --database-url or PMF_DATABASE_URL.",
            path,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, future=True)


def dispose_engine(url: str | None = None) -> None:
    """Close the pooled connections for a URL, so another process may open the file."""
    url = url or default_database_url()
    if get_engine.cache_info().currsize:
        get_engine(url).dispose()
    get_engine.cache_clear()


def held_elsewhere(exc: BaseException) -> str | None:
    """If `exc` means another process holds the DuckDB file, who holds it (else None).

    DuckDB lets one process open a file at a time; a second one is refused with "Could not set
    lock on file ... Conflicting lock is held in <program> (PID n)". That is a lock, not damage.
    """
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        text = str(seen)
        if "Could not set lock on file" in text or "Conflicting lock is held" in text:
            found = re.search(r"\(PID (\d+)\)", text)
            return f"process {found.group(1)}" if found else "another process"
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "orig", None)
    return None


def in_use_message(database_url: str, holder: str) -> str:
    """One sentence for a command refused because another process holds the warehouse."""
    path = database_path(database_url) or database_url
    return (
        f"The warehouse {path} is in use by another PMF process ({holder}), most likely "
        "'pmf serve': a DuckDB file can be used by one process at a time. Nothing was written. "
        "Stop that process and run the command again, or do it from the dashboard while it "
        "runs (the Data page runs pipelines; the Actions page updates flags)."
    )
