"""`pmf` commands beside a running dashboard are handed to it over its channel (cli/channel.py).

One real `pmf serve` on a copy of the demo warehouse for the module, and real `pmf` processes
beside it: each prints what it would print without the dashboard, with the same exit code. The
last test stops the server. Sockets the client must not trust are real sockets too.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from cli.wire import Wire, connect
from cycle.template_sheet import column_letter
from tests.conftest import CONFIG, DEMO_FILE, ROOT, copy_demo
from tests.running import contents, pmf, pmf_env
from tests.test_operations import PMF, _free_port, _wait_for
from warehouse.engine import duckdb_url

PASSWORD = "correct horse battery staple"
NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"  # one another account can run (the virtualenv may be private)
as_another_account = pytest.mark.skipif(
    os.getuid() != 0 or not Path(SYSTEM_PYTHON).exists(),
    reason="acting as another account needs root and a system Python",
)


@dataclass
class Served:
    """A running `pmf serve`, and an identical copy of its warehouse that nobody serves."""

    folder: Path
    url: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    reference: Path

    @property
    def database(self) -> Path:
        return self.folder / DEMO_FILE

    @property
    def socket(self) -> Path:
        return self.folder / f"{DEMO_FILE}.sock"

    def stop(self) -> None:
        """Stop it as a service manager would (SIGTERM)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)


@pytest.fixture(scope="module")
def served(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # A folder another account may pass through (not list), for the test that connects as one
    folder = Path(tempfile.mkdtemp(prefix="pmf-served-"))
    copy_demo(demo_folder, folder)
    folder.chmod(0o711)
    reference = copy_demo(demo_folder, tmp_path_factory.mktemp("reference"))
    # What a dashboard that was killed leaves behind: a socket nobody listens on
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(folder / f"{DEMO_FILE}.sock"))
    stale.close()
    log = tmp_path_factory.mktemp("served-log") / "serve.log"
    port = _free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*PMF, "--config", str(CONFIG), "--database-url", duckdb_url(folder / DEMO_FILE)]
            + ["serve", "--port", str(port), "--no-scheduler"],
            cwd=ROOT,
            env=pmf_env(),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    found = Served(
        folder,
        duckdb_url(folder / DEMO_FILE),
        f"http://127.0.0.1:{port}",
        process,
        log,
        reference,
    )
    try:
        _wait_for(f"{found.base}/login")
        yield found
    finally:
        found.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _same(
    beside: subprocess.CompletedProcess[str], alone: subprocess.CompletedProcess[str]
) -> None:
    assert (beside.returncode, beside.stdout, beside.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    ), beside.args


def _sign_in(served: Served, username: str, password: str) -> int:
    """Post the sign-in form over HTTP as a browser would; the status code."""
    browser = requests.Session()
    browser.get(f"{served.base}/login", timeout=30)
    form = {
        "username": username,
        "password": password,
        "csrf_token": browser.cookies.get("_csrf_token") or "",
        "next": "/",
    }
    answer = browser.post(f"{served.base}/login", data=form, allow_redirects=False, timeout=30)
    return answer.status_code


def _user_line(served: Served, username: str) -> str:
    listed = pmf("users", "list", url=served.url)
    assert listed.returncode == 0, listed.stderr
    return next(line for line in listed.stdout.splitlines() if line.split()[0] == username)


def _latest_run(served: Served, pipeline_id: str) -> int:
    history = pmf("pipelines", "history", pipeline_id, "--limit", "1", url=served.url)
    assert history.returncode == 0, history.stderr
    return int(history.stdout.splitlines()[1].split()[0])


# First, while the warehouse is as the demo left it


def test_reading_commands_print_what_they_print_without_the_dashboard(served: Served) -> None:
    socket_mode = served.socket.lstat()
    # The stale socket was replaced by the server's own, which only its account may open
    assert stat.S_ISSOCK(socket_mode.st_mode)
    assert stat.S_IMODE(socket_mode.st_mode) == 0o600
    reference = duckdb_url(served.reference)
    for command in (
        ["users", "list"],
        ["flags", "list"],
        ["flags", "list", "--open", "--as-of", "2024-11-25"],
        ["rejected"],
        ["pipelines", "history", "--limit", "5"],
    ):
        beside = pmf(*command, url=served.url)
        assert beside.returncode == 0, (command, beside.stderr)
        _same(beside, pmf(*command, url=reference))
    assert "Running 'pmf users list' for process" in served.log.read_text(encoding="utf-8")


def test_mistakes_end_as_they_would_without_the_dashboard(served: Served) -> None:
    reference = duckdb_url(served.reference)
    cases = {
        ("users", "add"): 2,  # click's usage error
        ("flags", "update", "not-a-number", "--status", "closed", "--by", "Jo"): 2,
        ("pipelines", "run", "no-such-pipeline"): 2,
        ("users", "disable", "nobody-such"): 1,
        ("flags", "update", "999999", "--status", "acknowledged", "--by", "Jo"): 1,
        ("report", "--portfolio", "no-such-portfolio", "--format", "xlsx"): 1,
    }
    for command, code in cases.items():
        beside = pmf(*command, url=served.url)
        assert beside.returncode == code, (command, beside.stdout, beside.stderr)
        assert "Traceback" not in beside.stderr
        _same(beside, pmf(*command, url=reference))
    assert "Usage:" in pmf("users", "add", url=served.url).stderr


# Then commands that write


def test_an_account_added_and_disabled_beside_the_dashboard_takes_effect(served: Served) -> None:
    added = pmf(
        "users", "add", "leaver", "--role", "member", "--password-stdin",
        url=served.url,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added leaver (member).\n", "")
    assert _user_line(served, "leaver").split()[1:3] == ["member", "enabled"]
    assert _sign_in(served, "leaver", PASSWORD) == 302

    disabled = pmf("users", "disable", "leaver", url=served.url)
    assert (disabled.returncode, disabled.stdout, disabled.stderr) == (0, "Disabled leaver.\n", "")
    assert _user_line(served, "leaver").split()[1:3] == ["member", "disabled"]
    assert _sign_in(served, "leaver", PASSWORD) == 401

    enabled = pmf("users", "update", "leaver", "--enable", url=served.url)
    assert enabled.returncode == 0, enabled.stderr
    assert _sign_in(served, "leaver", PASSWORD) == 302


def test_a_password_is_typed_at_the_callers_terminal_and_not_shown(served: Served) -> None:
    output, code = _in_a_terminal(
        ["users", "add", "typist", "--role", "officer"],
        served.url,
        answers=[("Password:", PASSWORD), ("Repeat for confirmation:", PASSWORD)],
    )
    assert code == 0, output
    assert "Added typist (officer)." in output
    assert PASSWORD not in output  # the caller's terminal did not echo it
    assert _sign_in(served, "typist", PASSWORD) == 302


def _in_a_terminal(args: list[str], url: str, answers: list[tuple[str, str]]) -> tuple[str, int]:
    """Run `pmf ARGS` with a terminal of its own, typing each answer when its prompt shows."""
    command = [*PMF, "--config", str(CONFIG), "--database-url", url, *args]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: becomes pmf, its terminal the pseudo-terminal
        os.chdir(ROOT)
        os.execve(sys.executable, command, pmf_env())
    output, seen, pending = b"", 0, list(answers)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            break  # the child has closed its terminal
        if not chunk:
            break
        output += chunk
        if pending and pending[0][0].encode() in output[seen:]:
            seen = len(output)
            os.write(terminal, (pending.pop(0)[1] + "\n").encode())
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return output.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


def test_a_pipeline_run_beside_the_dashboard_is_recorded(served: Served) -> None:
    before = _latest_run(served, "demo-economy")
    # The drop folder is relative to the caller's folder, not the dashboard's
    run = pmf(
        "pipelines", "run", "demo-economy", "--force", "--drop-folder", "drops",
        url=served.url,
        cwd=served.folder,
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout, run.stderr)
    assert run.stdout.startswith("[1/1] demo-economy\n")
    assert run.stdout.splitlines()[-1].startswith("1 of 1 run(s) finished, 0 failed")
    after = _latest_run(served, "demo-economy")
    assert after > before
    history = pmf("pipelines", "history", "demo-economy", "--limit", "1", url=served.url)
    assert "failed" not in history.stdout.splitlines()[1]


def test_evaluate_and_a_flag_update_beside_the_dashboard(served: Served) -> None:
    evaluated = pmf("evaluate", "--as-of", "2024-11-25", url=served.url)
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.startswith("Evaluated 61 metrics")

    listed = pmf("flags", "list", "--open", "--as-of", "2024-11-25", url=served.url)
    assert listed.returncode == 0, listed.stderr
    flag_id = listed.stdout.split()[0]
    updated = pmf(
        "flags", "update", flag_id, "--status", "acknowledged", "--by", "Test Officer",
        url=served.url,
    )  # fmt: skip
    assert (updated.returncode, updated.stderr) == (0, "")
    assert updated.stdout == (
        f"Flag {flag_id} is now acknowledged (recorded as changed by Test Officer).\n"
    )


def test_a_pack_is_written_where_the_caller_asked(served: Served, tmp_path: Path) -> None:
    made = pmf(
        "report", "--portfolio", "finance", "--format", "xlsx", "--period", "2024-11-25",
        "--out", "finance.xlsx",
        url=served.url,
        cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "finance.xlsx").stat().st_size > 0


def test_a_returns_template_and_its_upload_beside_the_dashboard(
    served: Served, tmp_path: Path
) -> None:
    made = pmf(
        "returns", "template", "--owner", "demo-manager", "--out", "returns.xlsx",
        url=served.url,
        cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    book = load_workbook(tmp_path / "returns.xlsx")
    sheet = book["Returns"]
    number = next(
        n
        for n in range(2, sheet.max_row + 1)
        if sheet[f"{column_letter('Target')}{n}"].value is not None
    )
    period, metric_id, area, target = (
        sheet[f"{column_letter(heading)}{number}"].value
        for heading in ("Period", "Measure id", "Area code", "Target")
    )
    sheet[f"{column_letter('Value')}{number}"] = target  # on target: no commentary needed
    book.save(tmp_path / "returns.xlsx")

    uploaded = pmf(
        "returns", "upload", "returns.xlsx", "--by", "demo-manager", url=served.url, cwd=tmp_path
    )

    assert uploaded.returncode == 0, uploaded.stderr
    # With the demo's draft, already filled in by the template
    assert " submitted for sign-off" in uploaded.stdout, uploaded.stdout
    status = pmf("cycle", "status", str(period), "--format", "csv", url=served.url)
    assert f"{period},{metric_id},{area},demo-manager," in status.stdout
    row = next(
        line
        for line in status.stdout.splitlines()
        if line.startswith(f"{period},{metric_id},{area},")
    )
    assert row.split(",")[5] == "submitted"
    assert "Running 'pmf returns upload returns.xlsx" in served.log.read_text(encoding="utf-8")


def test_restore_beside_the_dashboard_is_refused_and_changes_nothing(served: Served) -> None:
    before = sorted(os.listdir(served.folder))
    refused = pmf("restore", str(served.reference), url=served.url)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "stop the dashboard first" in refused.stderr
    assert "Nothing was written." in refused.stderr
    assert sorted(os.listdir(served.folder)) == before


RAW_CLIENT = """
import json, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
request = {"channel": 1, "args": ["users", "add", "intruder", "--role", "admin"],
           "prog": "pmf", "folder": "/", "config_dir": sys.argv[2], "database": sys.argv[3],
           "tty": {}}
sock.sendall((json.dumps(request) + "\\n").encode())
print(sock.makefile("rb").readline().decode().strip() or "{}")
"""


@as_another_account
def test_the_dashboard_refuses_a_caller_of_another_account(served: Served) -> None:
    # As if the socket's mode had been loosened: the kernel's word on the caller still decides
    served.socket.chmod(0o666)
    try:
        answer = subprocess.run(
            [
                SYSTEM_PYTHON,
                "-c",
                RAW_CLIENT,
                str(served.socket),
                str(CONFIG),
                str(served.database),
            ],
            user=NOBODY,
            group=NOBODY,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        served.socket.chmod(0o600)
    assert answer.returncode == 0, answer.stderr
    reply = json.loads(answer.stdout)
    assert "refused" in reply and "accepted" not in reply
    assert "Refused a command from process" in served.log.read_text(encoding="utf-8")
    assert "intruder" not in pmf("users", "list", url=served.url).stdout


# Last: a backup made beside the dashboard, then the dashboard stops


def test_a_backup_beside_the_dashboard_restores_to_what_it_held(
    served: Served, tmp_path: Path
) -> None:
    made = pmf("backup", "snapshot.duckdb", url=served.url, cwd=tmp_path)
    snapshot = tmp_path / "snapshot.duckdb"
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Backed up the warehouse {served.database} to {snapshot}: "), (
        made.stdout
    )
    served.stop()
    assert served.process.returncode == 0
    assert not served.socket.exists()  # the socket goes with the server

    held = contents(served.database)  # nothing ran between the backup and the stop
    assert held["users"] and held["observations"]
    assert contents(snapshot) == held
    elsewhere = tmp_path / "restored" / "pmf.duckdb"
    elsewhere.parent.mkdir()
    restored = pmf("restore", str(snapshot), url=duckdb_url(elsewhere))
    assert restored.returncode == 0, restored.stderr
    assert contents(elsewhere) == held
    assert "Traceback" not in served.log.read_text(encoding="utf-8")


# Sockets the client must not trust (no dashboard needed)


def test_a_socket_nobody_listens_on_is_ignored(demo_folder: Path, tmp_path: Path) -> None:
    database = copy_demo(demo_folder, tmp_path / "w")
    url = duckdb_url(database)
    expected = pmf("users", "list", url=url)
    assert expected.returncode == 0, expected.stderr
    place = database.with_name(database.name + ".sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(place))
    stale.close()
    _same(pmf("users", "list", url=url), expected)
    place.unlink()
    place.write_text("not a socket\n", encoding="utf-8")
    _same(pmf("users", "list", url=url), expected)


@as_another_account
def test_a_socket_of_another_account_is_never_connected_to(
    demo_folder: Path, tmp_path: Path
) -> None:
    database = copy_demo(demo_folder, tmp_path / "w")
    url = duckdb_url(database)
    expected = pmf("users", "list", url=url)
    place = database.with_name(database.name + ".sock")
    trap = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    trap.bind(str(place))
    trap.listen()
    trap.setblocking(False)
    os.chown(place, NOBODY, NOBODY)
    try:
        _same(pmf("users", "list", url=url), expected)
        with pytest.raises(BlockingIOError):
            trap.accept()  # pmf never even connected
    finally:
        trap.close()


LISTENER = """
import json, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(sys.argv[1])
sock.listen()
print("listening", flush=True)
sock.settimeout(120)
conn, _ = sock.accept()
conn.settimeout(10)
print(json.dumps({"received": conn.recv(65536).decode()}), flush=True)
"""


@as_another_account
def test_a_listener_of_another_account_behind_our_own_socket_file_is_told_nothing(
    demo_folder: Path,
) -> None:
    # A folder the other account can write in, so it can make the socket
    folder = Path(tempfile.mkdtemp(prefix="pmf-trap-"))
    try:
        database = copy_demo(demo_folder, folder)
        folder.chmod(0o777)
        url = duckdb_url(database)
        expected = pmf("users", "list", url=url)
        place = database.with_name(database.name + ".sock")
        listener = subprocess.Popen(
            [SYSTEM_PYTHON, "-c", LISTENER, str(place)],
            user=NOBODY,
            group=NOBODY,
            cwd="/",
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert listener.stdout is not None
            assert listener.stdout.readline().strip() == "listening"
            os.chown(place, os.getuid(), os.getgid())  # the file looks like ours
            _same(pmf("users", "list", url=url), expected)
            said = json.loads(listener.stdout.readline())
        finally:
            listener.kill()
            listener.wait(30)
        assert said == {"received": ""}  # pmf asked the kernel who listened, and hung up
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_socket_in_a_folder_with_a_long_name_is_reached(tmp_path: Path) -> None:
    folder = tmp_path / ("a-folder-with-a-long-name-" * 5)
    folder.mkdir()
    place = folder / "pmf.duckdb.sock"
    assert len(str(place)) > 108  # more than a socket address holds
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with_fd = os.open(folder, os.O_RDONLY)
    try:
        listener.bind(f"/proc/self/fd/{with_fd}/{place.name}")
    finally:
        os.close(with_fd)
    listener.listen()
    caller = Wire(connect(place, timeout=5))
    served_side, _ = listener.accept()
    caller.send(hello="there")
    assert Wire(served_side).receive() == {"hello": "there"}
    caller.close()
    served_side.close()
    listener.close()
