"""Server mode as a council would run it: PostgreSQL, `pmf serve --workers 2` (gunicorn) and
`pmf scheduler` processes, all real, talking over real HTTP and a real database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from access.users import add_user
from tests.conftest import CONFIG, DEMO_FILE, ROOT, postgres_like
from tests.postgres_server import ThrowawayPostgres
from tests.test_operations import PMF, _free_port, _wait_for
from warehouse.engine import dispose_engine, duckdb_url, get_engine
from warehouse.jobs import PIPELINE_RUN, enqueue, read_job

PASSWORD = "server-mode-password-1"
KEY = "server-mode-test-key-" + "k" * 40


def start(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PMF_SECRET_KEY": KEY}
    env.pop("PMF_DATABASE_URL", None)
    return subprocess.Popen(
        [*PMF, "--config", str(CONFIG), "--database-url", url, *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def wait_for_line(log: Path, words: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if words in log.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{log.name} never said {words!r}:\n{log.read_text()[-2000:]}")


def wait_until_finished(url: str, job_id: int, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = read_job(get_engine(url), job_id)
        if job is not None and job.finished:
            return str(job.worker)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} was not done within {seconds} s")


@pytest.fixture
def server_db(request: pytest.FixtureRequest, demo_folder: Path) -> Iterator[str]:
    """A PostgreSQL copy of the demo warehouse with an officer and a councillor."""
    url = postgres_like(request, demo_folder / DEMO_FILE)
    engine = get_engine(url)
    add_user(engine, "jo", PASSWORD, "officer", actor="test", display_name="Jo Bloggs")
    add_user(engine, "cllr", PASSWORD, "member", actor="test", display_name="Cllr Smith")
    yield url
    dispose_engine(url)


def test_one_scheduler_works_at_a_time_and_a_standby_takes_over(
    server_db: str, tmp_path: Path, postgres: ThrowawayPostgres
) -> None:
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start(server_db, first_log, "scheduler")
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for_line(first_log, "this process holds the lock")
        second = start(server_db, second_log, "scheduler")
        wait_for_line(second_log, "another PMF process holds the scheduler's lock; standing by")
        # A run asked for on a page is done by the scheduler holding the lock, once
        job = enqueue(get_engine(server_db), PIPELINE_RUN, "demo-finance", "Jo Bloggs")
        assert wait_until_finished(server_db, job).endswith(f":{first.pid}")
        assert "holds the lock" not in second_log.read_text()

        os.killpg(first.pid, signal.SIGKILL)  # the active scheduler dies without a word
        first.wait(10)
        wait_for_line(second_log, "this process holds the lock", seconds=30)
        job = enqueue(get_engine(server_db), PIPELINE_RUN, "demo-finance", "Jo Bloggs")
        assert wait_until_finished(server_db, job).endswith(f":{second.pid}")
    finally:
        stop(first)
        if second is not None:
            stop(second)


def sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    done = browser.post(
        f"{base}/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token[1], "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302 and done.headers["Location"] == "/", done.text[:300]
    return browser


def refused_everywhere(base: str, cookies: dict[str, str], tries: int = 12) -> bool:
    """Whether every one of several requests (spread over the workers) is sent to sign in."""
    for _ in range(tries):
        answer = requests.get(f"{base}/data", cookies=cookies, allow_redirects=False, timeout=10)
        if not (answer.status_code == 302 and "/login" in answer.headers["Location"]):
            return False
    return True


def test_two_web_workers_serve_pages_and_end_sessions_at_once_in_both(
    server_db: str, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "web.log"
    web = start(server_db, log, "serve", "--port", str(port), "--workers", "2")
    try:
        _wait_for(f"{base}/login")
        wait_for_line(log, "Booting worker")
        pids = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
        officer = sign_in(base, "jo")
        for path in ("/", "/data", "/_dash-layout", "/_dash-dependencies"):
            answer = officer.get(base + path, timeout=30)
            assert answer.status_code == 200, (path, answer.text[:300])
        assert "Jo Bloggs" in officer.get(f"{base}/_dash-layout", timeout=30).text

        # Sign-out ends the session on the server: a copy of the cookie is refused by every worker
        copied = officer.cookies.get_dict()
        token = officer.cookies.get("_csrf_token")
        out = officer.post(
            f"{base}/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10
        )
        assert out.status_code == 302
        assert refused_everywhere(base, copied)

        # Disabling an account ends its sessions at once too, from the command line
        member = sign_in(base, "cllr")
        assert member.get(f"{base}/data", allow_redirects=False, timeout=10).status_code == 200
        done = subprocess.run(
            [*PMF, "--database-url", server_db, "users", "disable", "cllr"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert refused_everywhere(base, member.cookies.get_dict())
        assert len(pids) == 2
    finally:
        stop(web)


def test_several_workers_on_a_duckdb_file_are_refused_in_words(tmp_path: Path) -> None:
    db_url = duckdb_url(tmp_path / "pmf.duckdb")
    done = subprocess.run(
        [*PMF, "--database-url", db_url, "serve", "--workers", "2", "--port", str(_free_port())],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Several web workers need a server database")
    assert "Traceback" not in done.stderr
