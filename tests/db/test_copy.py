"""`pmf db copy`: moving a whole warehouse between DuckDB and PostgreSQL, keys and all."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from tests.postgres_server import ThrowawayPostgres
from warehouse.engine import dispose_engine, duckdb_url, get_engine
from warehouse.tables import flags, observations, pipeline_runs
from warehouse.transfer import row_counts


def pmf(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def contents(engine: sa.Engine, table: sa.Table) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table).order_by(*table.primary_key)).tuples())


def test_the_demo_moves_to_the_other_database_whole(
    demo_url: str, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    target = (
        postgres.database() if demo_url.startswith("duckdb") else duckdb_url(tmp_path / "t.duckdb")
    )
    try:
        source_engine, target_engine = get_engine(demo_url), get_engine(target)
        counts = row_counts(source_engine)
        code, out = pmf("--database-url", demo_url, "db", "copy", target)
        assert code == 0, out
        assert out.startswith(f"Copied {sum(counts.values())} rows in ")
        assert "pmf@" in out or "t.duckdb" in out
        assert row_counts(target_engine) == counts
        for table in (observations, flags, pipeline_runs):
            assert contents(target_engine, table) == contents(source_engine, table)
        # New rows in the copy take new keys after the copied ones
        with target_engine.begin() as conn:
            key = conn.execute(
                pipeline_runs.insert().values(
                    pipeline_id="demo-economy", started_at=datetime(2024, 12, 2), status="succeeded"
                )
            ).inserted_primary_key
        assert key is not None and key[0] == counts["pipeline_runs"] + 1

        # A second copy into the same database refuses, saying what is there, and adds nothing
        code, out = pmf("--database-url", demo_url, "db", "copy", target)
        assert code == 1
        assert "Nothing copied: the target already holds rows: " in out and "flag_events (" in out
        assert row_counts(target_engine)["observations"] == counts["observations"]
    finally:
        dispose_engine(target)


def test_copying_onto_itself_is_refused(db_url: str) -> None:
    code, out = pmf("--database-url", db_url, "db", "copy", db_url)
    assert (code, out) == (1, "The target is the warehouse itself: give another database's URL.\n")
