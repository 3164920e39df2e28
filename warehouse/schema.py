"""The warehouse schema by migration (Alembic), on DuckDB and PostgreSQL alike.

`upgrade(engine)` brings any warehouse to the newest revision in `warehouse/migrations/versions`:
an empty database gets every table, an older one its missing revisions, in one transaction
(DuckDB and PostgreSQL both undo DDL on failure, so a failed upgrade leaves it as it was).
A warehouse made before migrations existed (tables, no `alembic_version`) is first brought
to the baseline, 0001, then upgraded. `differences(engine)` compares the tables in
`warehouse/tables.py` with the migrated database: empty when the two agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.migration import MigrationContext
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory

from warehouse.tables import kept_on, metadata

LOG = logging.getLogger("pmf.warehouse")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
# Tables that are not PMF's own: Alembic's bookkeeping, APScheduler's job store
NOT_OURS = frozenset({"alembic_version", "apscheduler_jobs"})
# Any fixed number: PostgreSQL serialises upgrades started at once by several workers on it
_UPGRADE_LOCK = 7_317_001


_COLUMNS_PRESENT = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_catalog = current_database() AND table_schema = current_schema()"
)


def add_missing_columns(conn: sa.Connection) -> list[str]:
    """Add nullable columns a newer PMF defines to tables an older one created; return them.

    For warehouses made before migrations, whose tables may predate a column. Only tables
    that exist are touched, and only nullable columns added: old rows have no value in them.
    """
    added = []
    # One look at the catalogue: asking table by table is slow on DuckDB
    present = set(conn.execute(_COLUMNS_PRESENT).tuples())
    tables = {name for name, _ in present}
    quote = conn.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        if table.name not in tables:
            continue
        for column in table.columns:
            if (table.name, column.name) in present or not column.nullable:
                continue
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(
                f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
            )
            added.append(f"{table.name}.{column.name}")
    return added


class DuckDBImpl(DefaultImpl):
    """Alembic's operations on DuckDB (defining the class registers it); DDL is transactional."""

    __dialect__ = "duckdb"
    transactional_ddl = True


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: the revision before (None: an empty database) and after."""

    before: str | None
    after: str
    legacy: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def create_tables(engine: sa.Engine) -> list[str]:
    """Create or upgrade the schema by migration (idempotent); return every PMF table name."""
    upgrade(engine)
    return table_names()


def table_names() -> list[str]:
    """The names of PMF's tables, sorted."""
    return sorted(metadata.tables)


def head() -> str:
    """The newest revision this version of PMF knows."""
    revision = _script().get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def current(engine: sa.Engine) -> str | None:
    """The warehouse's revision, or None when it has never been migrated."""
    with engine.connect() as conn:
        return _current(conn)


def _current(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _has_pmf_tables(conn: sa.Connection) -> bool:
    return sa.inspect(conn).has_table("observations")


def upgrade(engine: sa.Engine, target: str = "head") -> Upgrade:
    """Create or upgrade the schema to `target` (default: the newest); say what was done."""
    newest = head() if target == "head" else target
    with engine.connect() as conn:
        # The everyday case, one small query: the warehouse is already up to date
        if _current(conn) == newest:
            return Upgrade(newest, newest)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        before = _current(conn)
        legacy = before is None and _has_pmf_tables(conn)
        if legacy:
            # Made before migrations: its tables are the baseline's, perhaps short of the
            # nullable columns added since; add those, then record it as at the baseline.
            # (Valid while no later revision alters a baseline table: then add that first.)
            added = add_missing_columns(conn)
            LOG.info("warehouse predates migrations; at baseline %s (added %s)", BASELINE, added)
            _run(conn, BASELINE, stamp=True)
        _run(conn, newest)
    if before != newest:
        LOG.info("warehouse schema upgraded from %s to %s", before or "nothing", newest)
    return Upgrade(before, newest, legacy)


def _run(conn: sa.Connection, destination: str, stamp: bool = False) -> None:
    """Upgrade to `destination`, or with `stamp` only record the warehouse as being at it."""
    script = _script()

    def fn(rev: Any, _ctx: Any) -> Any:
        if stamp:
            return script._stamp_revs(destination, rev)
        return script._upgrade_revs(destination, rev)

    environment = EnvironmentContext(Config(), script, fn=fn, destination_rev=destination)
    environment.configure(connection=conn, target_metadata=metadata, include_name=_ours)
    with environment.begin_transaction():
        environment.run_migrations()


def _ours(name: str | None, kind: str, _parent: Any) -> bool:
    return not (kind == "table" and name in NOT_OURS)


def differences(engine: sa.Engine) -> list[str]:
    """Where the database differs from the tables PMF defines, one line each; empty if none.

    PostgreSQL: Alembic's autogenerate comparison. DuckDB, whose driver cannot reflect keys or
    indexes: tables, columns (type and nullability), indexes and key sequences, read from
    DuckDB's own catalogue.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "duckdb":
            return _duckdb_differences(conn)
        context = MigrationContext.configure(
            conn, opts={"include_name": _ours, "compare_type": True}
        )
        return [repr(diff) for diff in compare_metadata(context, metadata)]


def _duckdb_differences(conn: sa.Connection) -> list[str]:
    found = []
    columns: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, kind, nullable in conn.execute(
        sa.text(
            "SELECT table_name, column_name, data_type, is_nullable = 'YES' "
            "FROM information_schema.columns WHERE table_schema = current_schema()"
        )
    ):
        columns.setdefault(table, {})[column] = (kind, bool(nullable))
    for name in sorted(set(columns) - set(metadata.tables) - NOT_OURS):
        found.append(f"table {name} is not in the model")
    for table in metadata.sorted_tables:
        present = columns.get(table.name)
        if present is None:
            found.append(f"table {table.name} is missing")
            continue
        wanted = _canonical_types(conn, table)
        for column in table.columns:
            if column.name not in present:
                found.append(f"column {table.name}.{column.name} is missing")
                continue
            kind, nullable = present[column.name]
            if kind != wanted[column.name]:
                found.append(
                    f"column {table.name}.{column.name} is {kind}, not {wanted[column.name]}"
                )
            if nullable != bool(column.nullable):
                found.append(f"column {table.name}.{column.name} nullable is {nullable}")
        for extra in sorted(set(present) - set(table.columns.keys())):
            found.append(f"column {table.name}.{extra} is not in the model")
    indexes = {
        (name, table): expressions.replace('"', "").replace("'", "")  # rule comes quoted
        for name, table, expressions in conn.execute(
            sa.text("SELECT index_name, table_name, expressions FROM duckdb_indexes()")
        )
    }
    for table in metadata.sorted_tables:
        for index in (i for i in table.indexes if kept_on(i, "duckdb")):
            wanted_columns = "[" + ", ".join(c.name for c in index.columns) + "]"
            if indexes.get((index.name, table.name)) != wanted_columns:
                found.append(f"index {index.name} on {table.name}{wanted_columns} is missing")
    sequences = set(conn.execute(sa.text("SELECT sequence_name FROM duckdb_sequences()")).scalars())
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.default, sa.Sequence) and column.default.name not in sequences:
                found.append(f"sequence {column.default.name} is missing")
    return found


def _canonical_types(conn: sa.Connection, table: sa.Table) -> dict[str, str]:
    """DuckDB's own name for each column's type in the model (VARCHAR(80) is VARCHAR)."""
    casts = ", ".join(
        f"typeof(CAST(NULL AS {column.type.compile(dialect=conn.dialect)}))"
        for column in table.columns
    )
    row = conn.execute(sa.text(f"SELECT {casts}")).one()
    return dict(zip(table.columns.keys(), row, strict=True))
