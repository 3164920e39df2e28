"""Running `pmf` as an officer would (a real process, in a folder of its own), and reading a
DuckDB warehouse file whole, to compare one state of it with another."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import CONFIG, ROOT
from tests.test_operations import PMF


def pmf_env() -> dict[str, str]:
    """The environment of a `pmf` process: this checkout, no warehouse or config from outside."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PMF_DATABASE_URL", None)
    env.pop("PMF_CONFIG", None)
    return env


def pmf(
    *args: str, url: str, cwd: Path = ROOT, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `pmf --config ... --database-url URL ARGS` in `cwd`; what it printed and its code."""
    return subprocess.run(
        [*PMF, "--config", str(CONFIG), "--database-url", url, *args],
        cwd=cwd,
        env=pmf_env(),
        capture_output=True,
        text=True,
        timeout=180,
        input=stdin,
    )


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order (the file's `.wal` replayed, nothing written)."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0] for row in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        return {
            table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }
    finally:
        conn.close()
