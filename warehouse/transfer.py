"""Copy a whole warehouse into another database: the move from the embedded DuckDB file to
PostgreSQL when a council outgrows one process (`pmf db copy`), or back again.

The target is brought to the newest schema first and must hold no PMF rows, so nothing
already there can be overwritten. Every table is copied in one transaction, keys as they
were; each key sequence then carries on after the highest key copied.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from warehouse.schema import upgrade
from warehouse.tables import metadata

CHUNK = 20_000


class TargetNotEmpty(ValueError):
    """The target already holds PMF rows: copying would mix two warehouses."""


@dataclass(frozen=True)
class Copied:
    """Rows copied, by table."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """How many rows each PMF table holds."""
    with engine.connect() as conn:
        return {
            table.name: int(
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in metadata.sorted_tables
        }


def copy_warehouse(source: sa.Engine, target: sa.Engine) -> Copied:
    """Copy every PMF table from `source` into an empty `target`; return the rows copied."""
    upgrade(source)
    upgrade(target)
    held = {name: n for name, n in row_counts(target).items() if n}
    if held:
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(held.items()))
        raise TargetNotEmpty(f"the target already holds rows: {listed}")
    copied: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        for table in metadata.sorted_tables:
            copied[table.name] = 0
            result = reading.execution_options(stream_results=True).execute(sa.select(table))
            for rows in result.mappings().partitions(CHUNK):
                writing.execute(table.insert(), [dict(row) for row in rows])
                copied[table.name] += len(rows)
        _carry_on_sequences(writing)
    return Copied(copied)


def _carry_on_sequences(conn: sa.Connection) -> None:
    """Set each key sequence to follow the highest key now in its table."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            sequence = column.default
            if not isinstance(sequence, sa.Sequence):
                continue
            highest = conn.execute(sa.select(sa.func.max(column))).scalar()
            if highest is None:
                continue
            name = conn.dialect.identifier_preparer.format_sequence(sequence)
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT setval(:name, :n)"), {"name": name, "n": highest})
            else:
                # DuckDB cannot move a sequence: make it again, starting after the copied keys
                conn.exec_driver_sql(f"DROP SEQUENCE {name} CASCADE")
                conn.exec_driver_sql(f"CREATE SEQUENCE {name} START WITH {int(highest) + 1}")
