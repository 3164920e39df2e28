"""After a restart: runs that a stopped process left `running` are marked abandoned.

A run opens its log row in one transaction and loads in another, so a process killed
part-way (power cut, kill -9, out of memory) leaves a row that says `running` for ever and
nothing half-loaded. With a DuckDB file only one process can hold the warehouse, so whatever
says `running` when a process opens it belongs to a process that is gone. A server database
is shared by live processes, so there the rows are left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from warehouse.engine import database_path
from warehouse.tables import pipeline_runs, report_runs

ABANDONED = "abandoned"
LOG = logging.getLogger("pmf.warehouse")


@dataclass(frozen=True)
class Unfinished:
    """A log of runs, and what abandoning one of its runs means for the reader."""

    table: sa.Table
    key: str
    what: str
    consequence: str


LOGS = (
    Unfinished(
        pipeline_runs, "run_id", "pipeline run", "Nothing from it was loaded: run it again."
    ),
    Unfinished(report_runs, "id", "pack run", "No pack was written: produce it again."),
)


def abandon_unfinished_runs(
    engine: sa.Engine, database_url: str, *, now: datetime | None = None
) -> dict[str, list[int]]:
    """Mark runs left `running` by a stopped process as abandoned; returns the ids by log.

    Does nothing on a server database, where a `running` row may belong to a live process.
    """
    if database_path(database_url) is None:
        return {}
    now = now or datetime.now()
    found: dict[str, list[int]] = {}
    with engine.begin() as conn:
        for log in LOGS:
            key = log.table.c[log.key]
            ids = [
                int(i)
                for i in conn.execute(
                    sa.select(key).where(log.table.c.status == "running")
                ).scalars()
            ]
            if not ids:
                continue
            reason = (
                f"Abandoned: PMF stopped before this {log.what} finished (found when PMF "
                f"started again at {now:%d %b %Y %H:%M}). {log.consequence}"
            )
            conn.execute(
                log.table.update()
                .where(key.in_(ids))
                .values(status=ABANDONED, finished_at=now, error=reason)
            )
            found[log.what] = ids
            LOG.warning(
                "marked %d %s(s) abandoned (ids %s): PMF stopped while they were running",
                len(ids),
                log.what,
                ", ".join(map(str, ids)),
            )
    return found
