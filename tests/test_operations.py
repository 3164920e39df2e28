"""Running PMF as an officer would: restarts after a crash, an empty warehouse, a busy port.

Real processes (`pmf` in a subprocess), a real DuckDB file, a real HTTP server and real sockets.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from tests.conftest import ROOT
from warehouse.engine import dispose_engine, duckdb_url, get_engine
from warehouse.recovery import abandon_unfinished_runs
from warehouse.report_runs import report_run_history, start_report_run
from warehouse.runs import run_history, start_run
from warehouse.schema import create_tables

PMF = [sys.executable, "-c", "from cli import main; main()"]
HANG_PIPELINE = """
pipelines:
  - id: slow-feed
    description: A web service that never answers.
    owner: Tests
    metrics: [claimant-rate]
    source: {{kind: http, url: "{url}", timeout_seconds: 120, retries: 0}}
    mapping:
      metric: claimant-rate
      area: {{column: area_code}}
      period: {{column: period, format: month}}
      value: value
"""


def _pmf(
    *args: str, cwd: Path = ROOT, timeout: float = 120, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PMF_DATABASE_URL", None)
    env.pop("PMF_CONFIG", None)
    return subprocess.run(
        PMF + list(args),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hanging_service() -> Iterator[tuple[str, threading.Event]]:
    """A local HTTP endpoint that takes the request, says so, then never answers."""
    asked = threading.Event()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            asked.set()
            release.wait(60)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/feed.csv", asked
    release.set()
    server.shutdown()
    server.server_close()


def _wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):  # starting, or a busy machine
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_a_run_killed_part_way_is_marked_abandoned_when_pmf_next_starts(
    config_copy: Path, tmp_path: Path, hanging_service: tuple[str, threading.Event]
) -> None:
    url, asked = hanging_service
    (config_copy / "pipelines" / "slow.yaml").write_text(
        textwrap.dedent(HANG_PIPELINE.format(url=url)), encoding="utf-8"
    )
    db = duckdb_url(tmp_path / "pmf.duckdb")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen(
        PMF + ["--config", str(config_copy), "--database-url", db, "pipelines", "run", "slow-feed"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert asked.wait(90), "the pipeline never reached its source"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(30)

    engine = get_engine(db)
    before = run_history(engine)
    assert before["status"].tolist() == ["running"]  # what a killed process leaves behind
    dispose_engine(db)

    port = _free_port()
    server = subprocess.Popen(
        PMF
        + ["--config", str(config_copy), "--database-url", db]
        + ["serve", "--port", str(port), "--no-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/login")
    finally:
        server.send_signal(signal.SIGINT)
        _, log = server.communicate(timeout=30)
    assert "marked 1 pipeline run(s) abandoned" in log

    after = run_history(get_engine(db)).iloc[0]
    dispose_engine(db)
    assert after["status"] == "abandoned"
    assert pd.notna(after["finished_at"])
    assert "PMF stopped before this pipeline run finished" in after["error"]
    assert "run it again" in after["error"]


def test_abandoning_leaves_finished_runs_alone_and_covers_pack_runs(tmp_path: Path) -> None:
    from datetime import date, datetime

    from warehouse.runs import finish_run

    # A DuckDB file: only its one process can have left a run unfinished (a server database is
    # left alone: the next test)
    db_url = duckdb_url(tmp_path / "pmf.duckdb")
    engine = get_engine(db_url)
    create_tables(engine)

    done = start_run(engine, "p1", trigger="manual", triggered_by=None, now=datetime(2026, 1, 1))
    with engine.begin() as conn:
        finish_run(conn, done, status="succeeded", rows_loaded=3)
    start_run(engine, "p2", trigger="manual", triggered_by=None, now=datetime(2026, 1, 2))
    start_report_run(
        engine,
        kind="portfolio",
        target_id="finance",
        report_format="pdf",
        as_at=date(2026, 1, 2),
        trigger="manual",
    )
    found = abandon_unfinished_runs(engine, db_url, now=datetime(2026, 1, 3, 9, 30))
    assert {k: len(v) for k, v in found.items()} == {"pipeline run": 1, "pack run": 1}
    runs = run_history(engine).set_index("pipeline_id")
    assert runs.loc["p1", "status"] == "succeeded"
    assert runs.loc["p2", "status"] == "abandoned"
    assert "03 Jan 2026 09:30" in str(runs.loc["p2", "error"])
    packs = report_run_history(engine)
    assert packs["status"].tolist() == ["abandoned"]
    assert "No pack was written" in packs["error"].iloc[0]
    # Nothing is left to abandon a second time
    assert abandon_unfinished_runs(engine, db_url) == {}
    dispose_engine(db_url)


def test_a_server_database_is_left_alone(engine: sa.Engine) -> None:
    from datetime import datetime

    start_run(engine, "p", trigger="manual", triggered_by=None, now=datetime(2026, 1, 1))
    # On a shared server database another process may really be running it
    assert abandon_unfinished_runs(engine, "postgresql+psycopg://u:p@db.example/pmf") == {}
    assert run_history(engine)["status"].tolist() == ["running"]


def test_a_port_in_use_ends_in_one_sentence_and_exit_1(tmp_path: Path) -> None:
    db = duckdb_url(tmp_path / "pmf.duckdb")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _pmf("--database-url", db, "serve", "--port", str(port), "--no-scheduler")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"PMF cannot serve on http://127.0.0.1:{port}: the port is already in use by another "
        "program (is PMF already running?). Stop what is using it, or choose another with "
        "--port (or --host)."
    )
    assert "Serving PMF" not in result.stderr  # it never claimed to be serving


def test_a_command_run_from_another_folder_names_the_config_folder_it_tried(
    tmp_path: Path,
) -> None:
    result = _pmf("--database-url", duckdb_url(tmp_path / "x.duckdb"), "demo", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = tmp_path.resolve() / "config"
    assert f"config folder not found at {expected}" in result.stderr
    assert "--config DIR" in result.stderr


def test_a_new_database_file_is_announced_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "typo" / "pmf.duckdb"
    url = duckdb_url(path)
    with caplog.at_level("WARNING", logger="pmf.warehouse"):
        create_tables(get_engine(url))
    dispose_engine(url)
    assert f"No warehouse file at {path.resolve()}: creating a new, empty one" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="pmf.warehouse"):
        get_engine(url)  # the file is there now: nothing to say
    dispose_engine(url)
    assert "creating a new" not in caplog.text


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Any]:
    """The real app on a warehouse with tables but no data, with one officer account."""
    from access.users import add_user
    from app import create_app
    from tests.conftest import CONFIG

    url = duckdb_url(tmp_path / "empty.duckdb")
    engine = get_engine(url)
    create_tables(engine)
    add_user(engine, "jo", "correct horse battery staple", "officer", actor="test")
    app = create_app(CONFIG, url)
    app.server.config["TESTING"] = True
    yield app
    dispose_engine(url)


def test_an_empty_warehouse_says_no_data_is_loaded_and_how_to_load_it(empty_app: Any) -> None:
    from tests.access.conftest import render_page, sign_in

    public = empty_app.server.test_client()
    public.get("/")
    page = render_page(public, "/")
    assert "No figures have been published yet" in page
    assert "Nothing needs attention" not in page
    assert "on target or within tolerance" not in page

    officer = empty_app.server.test_client()
    officer.get("/")
    assert sign_in(officer, "jo").status_code == 302
    page = render_page(officer, "/")
    assert "No data has been loaded yet" in page
    assert "pmf pipelines run --all" in page
    assert "Nothing can be judged until data is loaded." in page
    assert "Nothing needs attention" not in page
    # The matrix says the measures have no data, not that they have no target
    assert "with no data yet" in page
    assert "without a target" not in page


def test_commands_beside_a_dashboard_that_cannot_take_them_say_why_in_one_line(
    tmp_path: Path,
) -> None:
    db = duckdb_url(tmp_path / "pmf.duckdb")
    create_tables(get_engine(db))
    dispose_engine(db)
    # Where its command channel would be, something else: the dashboard serves without one, as
    # one from before the channel did (tests/test_cli_beside_server.py has the channel at work)
    (tmp_path / "pmf.duckdb.sock").write_text("not a socket\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        PMF + ["--database-url", db, "serve", "--port", str(port), "--no-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/login")
        commands = [
            ["users", "list"],
            ["users", "add", "leaver", "--role", "member", "--password-stdin"],
            ["pipelines", "run", "--all"],
            ["evaluate"],
            ["flags", "list"],
            ["rejected"],
        ]
        for command in commands:
            result = _pmf("--database-url", db, *command, stdin="correct horse battery staple\n")
            words = " ".join(command)
            assert result.returncode == 1, (words, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr, words
            assert "delete the file" not in result.stderr, words
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert lines[-1].startswith(f"The warehouse {tmp_path / 'pmf.duckdb'} is in use by"), (
                words,
                result.stderr,
            )
            assert f"process {server.pid}" in lines[-1], words
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    from warehouse.users import find_user

    # Nothing was written while it was held
    assert find_user(get_engine(db), "leaver") is None
    dispose_engine(db)
