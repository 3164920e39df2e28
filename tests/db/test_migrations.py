"""Schema migrations on a real DuckDB file and a real PostgreSQL database: the migrations make
exactly the tables the model defines, and older warehouses upgrade with their data intact."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from warehouse.engine import get_engine
from warehouse.schema import BASELINE, current, differences, head, upgrade
from warehouse.tables import jobs, metadata, observations, pipeline_runs, users

NOW = datetime(2024, 11, 25, 9, 30)


def pmf(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--database-url", db_url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def write_some_of_everything(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """Rows in three tables with sequence keys, as a warehouse in use has; return them."""
    with engine.begin() as conn:
        key = conn.execute(
            pipeline_runs.insert().values(
                pipeline_id="demo-economy", started_at=NOW, status="succeeded", rows_loaded=2
            )
        ).inserted_primary_key
        assert key is not None
        run_id = key[0]
        conn.execute(
            observations.insert(),
            [
                {
                    "metric_id": "claimant-rate",
                    "area_code": "E10000028",
                    "period_start": date(2024, month, 1),
                    "period_end": date(2024, month, 28),
                    "value": 2.5 + month / 10,
                    "run_id": run_id,
                    "loaded_at": NOW,
                }
                for month in (9, 10)
            ],
        )
        conn.execute(
            users.insert().values(
                username="ann", display_name="Ann Officer", role="officer", created_at=NOW
            )
        )
    return snapshot(engine, columns_now(engine))


def snapshot(engine: sa.Engine, kept: dict[str, set[str]]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables written, in the columns the older schema had."""
    with engine.connect() as conn:
        return {
            table.name: sorted(
                conn.execute(
                    sa.select(*(c for c in table.c if c.name in kept[table.name]))
                ).tuples(),
                key=repr,
            )
            for table in (pipeline_runs, observations, users)
        }


def columns_now(engine: sa.Engine) -> dict[str, set[str]]:
    """The columns each written table has in the warehouse as it stands."""
    inspector = sa.inspect(engine)
    return {
        table.name: {c["name"] for c in inspector.get_columns(table.name)}
        for table in (pipeline_runs, observations, users)
    }


def test_the_migrations_make_exactly_the_tables_the_model_defines(db_url: str) -> None:
    engine = get_engine(db_url)
    done = upgrade(engine)
    assert (done.before, done.after, done.legacy) == (None, head(), False)
    assert differences(engine) == []
    assert upgrade(engine).changed is False  # a second run does nothing
    assert pmf(db_url, "db", "check") == (0, "The warehouse matches this version of PMF.\n")
    assert pmf(db_url, "db", "current") == (0, f"Schema {head()} (the newest).\n")


def test_a_warehouse_at_the_previous_schema_upgrades_with_its_data_intact(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine, BASELINE)
    assert current(engine) == BASELINE
    assert not sa.inspect(engine).has_table("jobs")
    kept = columns_now(engine)
    before = write_some_of_everything(engine)

    code, out = pmf(db_url, "db", "upgrade")
    assert code == 0, out
    assert (
        out
        == f"Warehouse at {db_url} upgraded from schema {BASELINE} to {head()}; its data kept.\n"
    )
    assert snapshot(engine, kept) == before
    assert differences(engine) == []
    # Sequences carry on where they were: new rows do not clash with the old ones
    after = write_some_of_everything(engine)
    assert len(after["observations"]) == 4 and len({r[0] for r in after["observations"]}) == 4
    with engine.begin() as conn:
        conn.execute(
            jobs.insert().values(
                kind="pipeline_run",
                target_id="demo-economy",
                requested_by="ann",
                requested_at=NOW,
                status="queued",
            )
        )
    assert (
        pmf(db_url, "db", "upgrade")[1]
        == f"Warehouse at {db_url} is up to date (schema {head()}).\n"
    )


def test_a_warehouse_made_before_migrations_is_brought_up_with_its_data(db_url: str) -> None:
    engine = get_engine(db_url)
    # As PMF made it before migrations: every table but the newer ones, no alembic_version,
    # and an older snapshot table without the 'derived' column
    newer = ("jobs", "spc_rebases", "return_cycles", "data_returns", "return_events")
    newest = ("notifications", "savings_delivery")
    older = [t for t in metadata.sorted_tables if t.name not in (*newer, *newest)]
    metadata.create_all(engine, tables=older)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE status_snapshot DROP COLUMN derived")
        for column in ("email", "portfolio", "weekly_pack"):
            conn.exec_driver_sql(f"ALTER TABLE users DROP COLUMN {column}")
    kept = columns_now(engine)
    before = write_some_of_everything(engine)

    code, out = pmf(db_url, "init-db")
    assert code == 0, out
    assert f"upgraded from before migrations to {head()}; its data kept" in out
    assert snapshot(engine, kept) == before
    assert differences(engine) == []
    assert current(engine) == head()


def test_only_postgresql_keeps_the_index_on_the_observations_key(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine, "0006")
    assert key_index_present(engine)
    before = write_some_of_everything(engine)
    assert pmf(db_url, "db", "upgrade")[0] == 0
    # DuckDB plans no query with it and would only keep it up to date at every load
    assert key_index_present(engine) is (engine.dialect.name == "postgresql")
    assert snapshot(engine, columns_now(engine)) == before
    assert differences(engine) == []


def key_index_present(engine: sa.Engine) -> bool:
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM duckdb_indexes() "
                        "WHERE index_name = 'ix_observations_key'"
                    )
                ).scalar_one()
            )
    return "ix_observations_key" in {
        i["name"] for i in sa.inspect(engine).get_indexes("observations")
    }


def test_only_postgresql_keeps_a_key_on_observations_and_every_row_keeps_its_id(
    db_url: str,
) -> None:
    engine = get_engine(db_url)
    upgrade(engine, "0007")
    assert observations_key(engine) == ["id"]
    before = write_some_of_everything(engine)
    assert pmf(db_url, "db", "upgrade")[0] == 0
    # Ids come from the sequence; on DuckDB the key's index was only upkeep at every load
    assert observations_key(engine) == ([] if engine.dialect.name == "duckdb" else ["id"])
    assert snapshot(engine, columns_now(engine)) == before
    assert differences(engine) == []
    after = write_some_of_everything(engine)
    ids = [row[0] for row in after["observations"]]
    assert len(ids) == 4 and len(set(ids)) == 4


def observations_key(engine: sa.Engine) -> list[str]:
    """The columns of the observations table's primary key, as the database has it."""
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            keys = conn.execute(
                sa.text(
                    "SELECT constraint_column_names FROM duckdb_constraints() "
                    "WHERE table_name = 'observations' AND constraint_type = 'PRIMARY KEY'"
                )
            ).scalars()
            return [column for key in keys for column in key]
    return list(sa.inspect(engine).get_pk_constraint("observations")["constrained_columns"])


def test_check_names_what_differs(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
        conn.exec_driver_sql("DROP INDEX ix_jobs_status")
    code, out = pmf(db_url, "db", "check")
    assert code == 1
    assert "nickname" in out and "ix_jobs_status" in out
    assert "difference(s) between the warehouse and this version of PMF" in out


def test_workers_starting_at_once_upgrade_once(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several processes share only a server database")
    results: list[object] = []
    engines = [sa.create_engine(db_url) for _ in range(4)]

    def start(engine: sa.Engine) -> None:
        try:
            results.append(upgrade(engine))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            results.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(1 for r in results if getattr(r, "before", "") is None) == 1
    assert differences(get_engine(db_url)) == []
