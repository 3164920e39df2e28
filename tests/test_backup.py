"""`pmf backup FILE` and `pmf restore FILE` on the DuckDB warehouse, run as real processes.

Rows written after the last checkpoint live only in `<file>.wal`: a backup must hold them, and
a restore must not let the `.wal` of a later state bring anything back. (A backup made while
the dashboard runs is in tests/test_cli_beside_server.py.)
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from access.users import add_user
from tests.conftest import copy_demo
from tests.running import contents, pmf
from warehouse.backup import check_warehouse_file, restore, wal_path
from warehouse.engine import dispose_engine, duckdb_url, get_engine
from warehouse.runs import start_run
from warehouse.tables import observations, user_sessions

PASSWORD = "correct horse battery staple"


def _without_checkpoint(url: str, write: Callable[[sa.Engine], object]) -> None:
    """Write through PMF's own functions and close, leaving what was written in the `.wal`."""
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA disable_checkpoint_on_shutdown")
        conn.commit()
    write(engine)
    dispose_engine(url)


def _usernames(path: Path) -> set[str]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in conn.execute("SELECT username FROM users").fetchall()}
    finally:
        conn.close()


def _next_ids_clear_of_the_rows(path: Path) -> dict[str, tuple[int, int]]:
    """For every key sequence, (the next id it hands out, the highest id in its table)."""
    conn = duckdb.connect(str(path))
    try:
        found = {}
        for (name,) in conn.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall():
            table = name.removesuffix("_id_seq")
            key = "run_id" if table == "pipeline_runs" else "id"
            highest = conn.execute(f'SELECT coalesce(max("{key}"), 0) FROM "{table}"').fetchone()
            following = conn.execute(f"SELECT nextval('{name}')").fetchone()
            assert highest is not None and following is not None
            found[table] = (int(following[0]), int(highest[0]))
        return found
    finally:
        conn.close()


def test_a_restore_brings_back_exactly_what_was_backed_up(
    demo_folder: Path, tmp_path: Path
) -> None:
    database = copy_demo(demo_folder, tmp_path / "data")
    url = duckdb_url(database)

    def written_late(engine: sa.Engine) -> None:
        add_user(engine, "late-writer", PASSWORD, "officer", actor="test")
        start_run(engine, "demo-economy", trigger="manual", triggered_by="test", now=datetime.now())

    _without_checkpoint(url, written_late)
    assert wal_path(database).stat().st_size > 0
    # Why copying the file is not a backup: the file alone does not have those rows yet
    file_alone = tmp_path / "file-alone.duckdb"
    shutil.copyfile(database, file_alone)
    assert "late-writer" not in _usernames(file_alone)

    at_backup = contents(database)
    assert "late-writer" in _usernames(database)
    made = pmf("backup", "backups/monday.duckdb", url=url, cwd=tmp_path)
    backup = tmp_path / "backups" / "monday.duckdb"
    rows = sum(len(found) for found in at_backup.values())
    assert (made.returncode, made.stderr) == (0, ""), made.stderr
    assert re.fullmatch(
        rf"Backed up the warehouse {re.escape(str(database))} to {re.escape(str(backup))}: "
        rf"{len(at_backup)} tables, {rows:,} rows, \d+\.\d MB\.\n",
        made.stdout,
    ), made.stdout
    assert not wal_path(backup).exists()
    assert contents(backup) == at_backup

    # Later: rows added and deleted, again left in the .wal
    def changed(engine: sa.Engine) -> None:
        add_user(engine, "after-backup", PASSWORD, "member", actor="test")
        with engine.begin() as conn:
            conn.execute(sa.delete(observations).where(observations.c.metric_id == "claimant-rate"))
            conn.execute(sa.delete(user_sessions))

    _without_checkpoint(url, changed)
    assert wal_path(database).exists()
    later = contents(database)
    assert later != at_backup

    restored = pmf("restore", "backups/monday.duckdb", url=url, cwd=tmp_path)
    assert (restored.returncode, restored.stderr) == (0, ""), restored.stderr
    kept = re.fullmatch(
        rf"Restored {re.escape(str(backup))} to {re.escape(str(database))} "
        rf"\({len(at_backup)} tables, {rows:,} rows\); the previous warehouse is kept as "
        rf"({re.escape(str(database))}\.before-restore-\d{{14}})\.\n",
        restored.stdout,
    )
    assert kept is not None, restored.stdout
    aside = Path(kept.group(1))
    # The later state and its .wal were moved aside together; none is left to replay
    assert not wal_path(database).exists()
    assert wal_path(aside).exists()
    assert contents(database) == at_backup
    assert contents(aside) == later  # nothing stored is lost

    # New rows after the restore take ids after every id restored
    for table, (following, highest) in _next_ids_clear_of_the_rows(database).items():
        assert following > highest, table
    added = pmf("users", "add", "fresh", "--role", "member", "--password-stdin", url=url,
                stdin=PASSWORD + "\n")  # fmt: skip
    assert (added.returncode, added.stdout) == (0, "Added fresh (member).\n"), added.stderr
    engine = get_engine(url)
    try:
        run_id = start_run(
            engine, "demo-health", trigger="manual", triggered_by="test", now=datetime.now()
        )
    finally:
        dispose_engine(url)
    assert run_id > max(row[0] for row in at_backup["pipeline_runs"])


def test_bad_files_are_refused_in_one_line_and_nothing_changes(
    demo_folder: Path, tmp_path: Path
) -> None:
    database = copy_demo(demo_folder, tmp_path / "data")
    url = duckdb_url(database)
    text = tmp_path / "x.duckdb"
    text.write_text("not a database\n", encoding="utf-8")
    bare = tmp_path / "bare.duckdb"
    partial = tmp_path / "partial.duckdb"
    for path, tables in ((bare, ["notes"]), (partial, ["observations"])):
        conn = duckdb.connect(str(path))
        for table in tables:
            conn.execute(f"CREATE TABLE {table} (id INTEGER)")
        conn.close()
    before = sorted(p.name for p in database.parent.iterdir()), database.read_bytes()

    missing = tmp_path / "missing.duckdb"
    cases = {
        ("restore", "missing.duckdb"): f"There is no file {missing}. Nothing was restored.",
        ("restore", "x.duckdb"): f"{text} is not a DuckDB file. Nothing was restored.",
        ("restore", "bare.duckdb"): (
            f"{bare} is a DuckDB file but not a PMF warehouse: it has no observations or users "
            "table. Nothing was restored."
        ),
        ("restore", "partial.duckdb"): (
            f"{partial} is a DuckDB file but not a PMF warehouse: it has no users table. "
            "Nothing was restored."
        ),
        ("backup", "x.duckdb"): (
            f"{text} already exists: give --force to replace it. Nothing was written."
        ),
    }
    for command, line in cases.items():
        result = pmf(*command, url=url, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", line + "\n"), command
    assert (sorted(p.name for p in database.parent.iterdir()), database.read_bytes()) == before
    assert text.read_text(encoding="utf-8") == "not a database\n"

    forced = pmf("backup", "x.duckdb", "--force", url=url, cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert check_warehouse_file(text)["observations"] > 0
    assert not list(tmp_path.glob(".*.partial"))  # no temporary file is left behind


def test_a_server_database_is_pointed_to_its_own_tools(tmp_path: Path) -> None:
    url = "postgresql+psycopg://pmf:s3cret@127.0.0.1:9/pmf"
    for command, tool in (("backup", "pg_dump"), ("restore", "pg_restore")):
        result = pmf(command, "copy.dump", url=url, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1
        assert f"use {tool}" in result.stderr
        assert "s3cret" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_two_restores_in_one_second_keep_both_previous_warehouses(
    demo_folder: Path, tmp_path: Path
) -> None:
    database = copy_demo(demo_folder, tmp_path / "data")
    backup = tmp_path / "backup.duckdb"
    shutil.copyfile(database, backup)
    database.write_bytes(b"the first previous warehouse")
    when = datetime(2024, 11, 25, 9, 30)
    first = restore(backup, database, now=when)
    second = restore(backup, database, now=when)
    assert first.kept_as is not None and second.kept_as is not None
    assert first.kept_as != second.kept_as
    assert first.kept_as.read_bytes() == b"the first previous warehouse"
    assert check_warehouse_file(second.kept_as) == check_warehouse_file(database)
