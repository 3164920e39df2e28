"""On a DuckDB file the warehouse's page version is kept in memory until this process writes
(warehouse/snapshot.py, warehouse/write_watch.py); every kind of write pages show must still
be seen on the very next page load."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import dash
import sqlalchemy as sa
from sqlalchemy import event

from metrics.registry.loader import load_registry
from pipelines.runner import run_pipeline
from tests.layouts.conftest import engine_of, page, viewing
from warehouse.commentary import add_comment
from warehouse.flags import FlagEvent, insert_flag, update_flag
from warehouse.snapshot import page_version

PIPELINE = """
pipelines:
  - id: test-returns
    description: A service return used by the tests.
    owner: Tests
    metrics: [claimant-rate]
    source: {kind: file, path: returns/*.csv}
    mapping:
      metric: {column: Metric}
      area: {column: Area}
      period: {column: Period}
      value: Value
"""


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def seen(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_the_version_is_asked_once_between_writes_on_a_duckdb_file(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    first = page_version(engine)
    with _statements(engine) as sent:
        assert page_version(engine) == first
    # A server database may be written by another process at any moment: always asked there
    assert (sent == []) == (engine.dialect.name == "duckdb")


def test_a_pipeline_run_a_comment_and_a_flag_update_are_seen_on_the_next_load(
    writable_app: dash.Dash, config_copy: Path, tmp_path: Path
) -> None:
    engine = engine_of(writable_app)
    overview = page("overview").layout

    def load() -> tuple[tuple[object, ...], Any]:
        with viewing(writable_app, "officer"):
            return page_version(engine), overview()

    # A flag to update later; raising it is a write too
    with engine.begin() as conn:
        flag_id = insert_flag(
            conn,
            subject_type="metric",
            subject_id="claimant-rate",
            area_code=None,
            rule="manual",
            detail="Raised by hand.",
            owner=None,
            actor="jo",
            now=datetime(2031, 1, 1, 9),
        )
    version, built = load()
    assert load() == (version, built)  # nothing written: the same page from memory

    (config_copy / "pipelines" / "test.yaml").write_text(textwrap.dedent(PIPELINE), "utf-8")
    drops = tmp_path / "drops"
    (drops / "returns").mkdir(parents=True)
    (drops / "returns" / "return.csv").write_text(
        "Metric,Area,Period,Value\nclaimant-rate,E10000028,Jan 2022,3.1\n", "utf-8"
    )
    assert run_pipeline(load_registry(config_copy), engine, "test-returns", drop_folder=drops).ok
    after_run, rebuilt = load()
    assert after_run != version
    assert rebuilt is not built

    add_comment(engine, metric_id="claimant-rate", author="Jo Bloggs", body="Checked.")
    after_comment, rebuilt_again = load()
    assert after_comment != after_run
    assert rebuilt_again is not rebuilt

    with engine.begin() as conn:
        update_flag(
            conn,
            flag_id,
            {"owner": "jo"},
            FlagEvent("jo", "open", "open", "Taken on."),
            now=datetime(2031, 1, 2, 9),
        )
    after_flag, _ = load()
    assert after_flag != after_comment
