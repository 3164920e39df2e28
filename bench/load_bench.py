"""Load benchmark: real page loads replayed for 50 simulated users, in both ways of running PMF.

Builds the demo warehouse (`pmf init-db`, `pmf demo`) in a temporary folder and adds an officer
account (`pmf users add --role officer --password-stdin`). Then, for each mode:

- embedded: `pmf serve` (waitress, one process) on the DuckDB file;
- server: a throwaway PostgreSQL (tests/postgres_server.py) holding a copy of the same
  warehouse (`pmf db copy`), `pmf serve --workers 2` (gunicorn) and `pmf scheduler` beside
  it, with `PMF_SECRET_KEY` set for both.

Real page loads are first recorded in headless Chromium as an officer and as the public
(bench/load_capture.py; from the embedded server, since both modes serve the same pages), then
replayed by 50 simulated users, 40 signed in and 10 public, each
loading a captured page at random and thinking 0.2–1 s, for 60 s (bench/load_replay.py).
Half-way through, `pmf pipelines run demo-finance --force` is started beside the server (in
embedded mode it is handed to the running server over its local socket).

Prints, per mode, requests per second, errors, and p50/p95/max of a full page load and of a
single request, and the slowest kinds of request; rewrites the load section of
docs/performance.md. Goals (2-core machine): no errors, and a full page load's p95 within
1.5 s in both modes; exit 1 if one is missed. Run with `make bench-load`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.doc_section import replace_section  # noqa: E402
from bench.load_capture import OFFICER, PUBLIC, PageLoad, capture  # noqa: E402
from bench.load_replay import Results, run_users, warm_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- load section: maintained with bench/load_bench.py; replace only this section -->"
END = "<!-- end load section -->"
EMBEDDED, SERVER = "embedded", "server"
MODES = {
    EMBEDDED: "embedded: `pmf serve` (waitress, 8 threads) on a DuckDB file",
    SERVER: "server: `pmf serve --workers 2` (gunicorn, 8 threads each) and `pmf scheduler` "
    "on PostgreSQL",
}
SERVER_WORKERS = 2
PAGES = {
    OFFICER: [
        "/",
        "/metric/looked-after-children-rate",
        "/metric/claimant-rate",
        "/portfolio/finance",
        "/committee/corporate-review",
        "/data",
        "/actions",
    ],
    PUBLIC: ["/", "/metric/claimant-rate", "/committee/prosperous-staffordshire", "/catalogue"],
}
OFFICER_SHARE = 0.8  # 40 of 50 users signed in
USERNAME = "load-officer"
PIPELINE = "demo-finance"
GOAL_P95_SECONDS = 1.5
SLOWEST_SHOWN = 6
ERRORS_SHOWN = 5
START_SECONDS = 180.0
# A Python exception's last line in a server's log: "psycopg.OperationalError: ..."
LOGGED_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception): .*$", re.M)


@dataclass
class PipelineRun:
    """The pipeline run started half-way: when (seconds from the start), for how long, and
    how it ended."""

    began: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None
    said: str = ""


@dataclass
class ModeResult:
    """Everything measured for one mode."""

    mode: str
    users: int
    officers: int
    results: Results
    pipeline: PipelineRun
    static_per_load: float
    client_cpu: float  # CPU seconds the simulated users themselves used
    warm_up_errors: list[str] = field(default_factory=list)
    capture_problems: list[str] = field(default_factory=list)  # page loads Chromium retried
    logged: Counter[str] = field(default_factory=Counter)  # exceptions in the servers' logs
    alone: dict[str, float] = field(default_factory=dict)  # kind: seconds, in the warm-up

    @property
    def seconds(self) -> float:
        """From the clock starting to the last user finishing its last page load."""
        return self.results.finished - self.results.started

    @property
    def errors(self) -> list[str]:
        """Every error: page loads Chromium had to retry, the warm-up's, the load's, and the
        pipeline run failing."""
        found = [f"in Chromium, before the load: {problem}" for problem in self.capture_problems]
        found += self.warm_up_errors + self.results.errors
        if self.pipeline.returncode != 0:
            found.append(
                f"the pipeline run half-way ended with {self.pipeline.returncode}: "
                f"{self.pipeline.said}"
            )
        return found

    def load_times(self, during: PipelineRun | None = None) -> list[float]:
        """Full page load times (s); only those overlapping `during`'s run, if given."""
        loads = self.results.loads
        if during is not None:
            end = during.began + during.seconds
            loads = [x for x in loads if x.began < end and x.began + x.seconds > during.began]
        return [x.seconds for x in loads]

    def request_times(self) -> list[float]:
        """Single request times (s)."""
        return [x.seconds for x in self.results.samples]

    def met(self) -> bool:
        """No errors, and a full page load's p95 within the goal."""
        times = self.load_times()
        return bool(times) and not self.errors and percentile(times, 0.95) <= GOAL_P95_SECONDS


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.95 for p95); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, max) in milliseconds."""
    return (
        percentile(values, 0.5) * 1000,
        percentile(values, 0.95) * 1000,
        (max(values) if values else 0.0) * 1000,
    )


def slowest(result: ModeResult) -> list[tuple[str, int, float, float, float, float]]:
    """The kinds of request with the highest p95: (kind, count, p50, p95, max ms, and ms
    with nothing else running, from the warm-up)."""
    kinds: dict[str, list[float]] = defaultdict(list)
    for sample in result.results.samples:
        kinds[sample.kind].append(sample.seconds)
    rows = [
        (kind, len(times), *spread(times), result.alone.get(kind, math.nan) * 1000)
        for kind, times in kinds.items()
    ]
    return sorted(rows, key=lambda row: row[3], reverse=True)[:SLOWEST_SHOWN]


def costliest(result: ModeResult, shown: int = 3) -> list[tuple[str, float]]:
    """The requests that take longest with nothing else running (the warm-up): (kind, s)."""
    return sorted(result.alone.items(), key=lambda item: item[1], reverse=True)[:shown]


# --- processes ---------------------------------------------------------------------------


def pmf_command() -> list[str]:
    """This environment's `pmf`."""
    script = Path(sys.executable).with_name("pmf")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def pmf_env(secret: str | None = None) -> dict[str, str]:
    """The environment of a `pmf` process: this checkout; no warehouse or config from outside;
    `PMF_SECRET_KEY` set for server mode."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("PMF_DATABASE_URL", "PMF_CONFIG", "PMF_SECRET_KEY"):
        env.pop(name, None)
    if secret:
        env["PMF_SECRET_KEY"] = secret
    return env


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_group(process: subprocess.Popen[Any]) -> None:
    """Stop a process started in a session of its own, with its children: SIGTERM to its
    group, then SIGKILL after 30 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


class Processes:
    """Every process the benchmark starts, each in a process group of its own, so that it is
    stopped with its children (gunicorn's workers) however the benchmark ends."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(
        self, args: Sequence[str], url: str, log: Path, cwd: Path, secret: str | None
    ) -> subprocess.Popen[bytes]:
        """Start `pmf --config ... --database-url URL ARGS`, its output in `log`."""
        process = subprocess.Popen(
            [*pmf_command(), "--config", str(CONFIG), "--database-url", url, *args],
            cwd=cwd,
            env=pmf_env(secret),
            stdin=subprocess.DEVNULL,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """SIGTERM to its group, then SIGKILL after 30 s."""
        stop_group(process)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        """Stop every process still running, newest first."""
        for process in reversed(list(self.running)):
            self.stop(process)


def pmf(*args: str, url: str, cwd: Path, stdin: str = "", secret: str | None = None) -> str:
    """Run `pmf` to the end; what it printed (a RuntimeError if it failed)."""
    done = subprocess.run(
        [*pmf_command(), "--config", str(CONFIG), "--database-url", url, *args],
        cwd=cwd,
        env=pmf_env(secret),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pmf {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def tail(log: Path, lines: int = 30) -> str:
    """The end of a process's log, to say why it failed."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def wait_for_line(log: Path, words: str, process: subprocess.Popen[bytes], count: int = 1) -> None:
    """Wait until `log` says `words` (`count` times); fail if the process stops first."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if log.read_text(encoding="utf-8", errors="replace").count(words) >= count:
            return
        if process.poll() is not None:
            raise RuntimeError(f"{log.stem} stopped (exit {process.returncode}):\n{tail(log)}")
        time.sleep(0.2)
    raise RuntimeError(f"{log.stem} never said {words!r}:\n{tail(log)}")


def wait_for_answer(base: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until the sign-in page answers 200; fail if the server stops first."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.stem} stopped (exit {process.returncode}):\n{tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer within {START_SECONDS:.0f} s:\n{tail(log)}")


# --- one mode ----------------------------------------------------------------------------


@dataclass
class Setup:
    """What both modes share: the folder, the warehouses and the officer's sign-in."""

    folder: Path
    duckdb_url: str
    postgres_url: str
    secret: str
    credentials: tuple[str, str]
    processes: Processes
    stop: threading.Event


def start_servers(setup: Setup, mode: str, port: int) -> tuple[str, str]:
    """Start `mode`'s processes on `port` and wait until they are ready; (base URL, database
    URL)."""
    base = f"http://127.0.0.1:{port}"
    folder, processes = setup.folder, setup.processes
    if mode == EMBEDDED:
        url = setup.duckdb_url
        log = folder / "embedded-serve.log"
        web = processes.start(["serve", "--port", str(port)], url, log, folder, None)
        wait_for_answer(base, log, web)
        # Commands run beside it are handed over once it holds the warehouse
        wait_for_line(log, "handed to it through", web)
        return base, url
    url = setup.postgres_url
    log = folder / "server-scheduler.log"
    scheduler = processes.start(["scheduler"], url, log, folder, setup.secret)
    wait_for_line(log, "this process holds the lock", scheduler)
    log = folder / "server-serve.log"
    args = ["serve", "--port", str(port), "--workers", str(SERVER_WORKERS)]
    web = processes.start(args, url, log, folder, setup.secret)
    wait_for_line(log, "Booting worker", web, count=SERVER_WORKERS)
    wait_for_answer(base, log, web)
    return base, url


def run_pipeline_half_way(
    setup: Setup, url: str, mode: str, started: threading.Event, seconds: float
) -> PipelineRun:
    """Once the users' clock starts, wait half of `seconds`, then run the pipeline beside the
    server (handed to it in embedded mode) and time it."""
    run = PipelineRun()
    if not started.wait(START_SECONDS) or setup.stop.wait(seconds / 2):
        run.said = "not started"
        return run
    clock = time.perf_counter()
    args = ["pipelines", "run", PIPELINE, "--force", "--drop-folder", str(setup.folder / "drops")]
    log = setup.folder / f"{mode}-pipeline.log"
    secret = setup.secret if mode == SERVER else None
    began = time.perf_counter()
    process = setup.processes.start(args, url, log, setup.folder, secret)
    try:
        run.returncode = process.wait(START_SECONDS * 3)
    except subprocess.TimeoutExpired:
        run.said = "still running after 9 minutes"
    run.seconds = time.perf_counter() - began
    run.began = began - clock + seconds / 2
    setup.processes.stop(process)
    lines = [line for line in tail(log, 5).splitlines() if line.strip()]
    run.said = run.said or (lines[-1].strip() if lines else "")
    return run


def record_pages(setup: Setup, base: str) -> tuple[list[PageLoad], list[str]]:
    """Record every page's load in Chromium from the server at `base`, saying what was
    recorded; the loads, and the loads Chromium had to try again."""
    print(f"recording page loads in Chromium from {base} ...")
    loads, problems = capture(base, PAGES, *setup.credentials, stop=setup.stop)
    for problem in problems:
        print(f"  tried again: {problem}")
    for load in loads:
        waves = " → ".join(str(len(wave)) for wave in load.waves)
        print(
            f"  {load.audience:8} {load.page:38} {load.calls} requests in waves {waves}; "
            f"{load.static} static files skipped"
        )
    return loads, problems


def record_from_embedded(setup: Setup) -> list[PageLoad]:
    """Record the page loads from an embedded server started for the purpose (when server
    mode is measured alone: both modes serve the same pages, so the same requests)."""
    running_before = list(setup.processes.running)
    base, _url = start_servers(setup, EMBEDDED, free_port())
    try:
        return record_pages(setup, base)[0]
    finally:
        for process in list(setup.processes.running):
            if process not in running_before:
                setup.processes.stop(process)


def run_mode(
    setup: Setup, mode: str, users: int, seconds: float, captured: list[PageLoad]
) -> tuple[ModeResult, list[PageLoad]]:
    """Serve in `mode`, record the page loads in Chromium (unless `captured`), warm up, then
    replay them for `users` for `seconds` with the pipeline run half-way; the servers are
    stopped after."""
    running_before = list(setup.processes.running)
    base, url = start_servers(setup, mode, free_port())
    try:
        capture_problems: list[str] = []
        if not captured:
            captured, capture_problems = record_pages(setup, base)
        warm = warm_up(base, captured, setup.credentials, setup.stop)
        if setup.stop.is_set():
            raise KeyboardInterrupt
        officers = min(users, round(users * OFFICER_SHARE))
        print(
            f"{mode}: {users} users ({officers} signed in, {users - officers} public) "
            f"for {seconds:g} s ..."
        )
        started = threading.Event()
        pipeline: list[PipelineRun] = []
        runner = threading.Thread(
            target=lambda: pipeline.append(
                run_pipeline_half_way(setup, url, mode, started, seconds)
            ),
            daemon=True,
        )
        runner.start()
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        results = run_users(
            base,
            captured,
            users=users,
            officers=officers,
            seconds=seconds,
            credentials=setup.credentials,
            stop=setup.stop,
            on_start=started,
        )
        used = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
        started.set()  # should nobody have started, the runner gives up
        runner.join()
    finally:
        for process in list(setup.processes.running):
            if process not in running_before:
                setup.processes.stop(process)
    logged: Counter[str] = Counter()
    for log in setup.folder.glob(f"{mode}-*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        logged.update(found[:160] for found in LOGGED_EXCEPTION.findall(text))
    static = sum(load.static for load in captured) / max(1, len(captured))
    result = ModeResult(
        mode=mode,
        users=users,
        officers=officers,
        results=results,
        pipeline=pipeline[0] if pipeline else PipelineRun(said="not started"),
        static_per_load=static,
        client_cpu=client_cpu,
        warm_up_errors=[f"warm-up: {error}" for error in warm.errors],
        capture_problems=capture_problems,
        logged=logged,
        alone={sample.kind: sample.seconds for sample in warm.samples},
    )
    return result, captured


# --- report ------------------------------------------------------------------------------


def print_result(result: ModeResult) -> None:
    """The figures for one mode, as a small table."""
    requests_made = len(result.results.samples)
    loads = result.load_times()
    print(f"\n== {MODES[result.mode]} ==")
    print(
        f"{result.users} users ({result.officers} signed in) for {result.seconds:.1f} s: "
        f"{len(loads)} full page loads, {requests_made} requests, "
        f"{requests_made / result.seconds:.1f} requests/s, "
        f"{len(loads) / result.seconds:.1f} page loads/s"
    )
    print(
        f"the simulated users themselves used {result.client_cpu:.0f} CPU seconds "
        f"({result.client_cpu / result.seconds:.2f} of a core)"
    )
    errors = result.errors
    print(f"errors: {len(errors)}")
    for error in errors[:ERRORS_SHOWN]:
        print(f"  {error}")
    run = result.pipeline
    during = result.load_times(run)
    print(f"\n{'':44} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    rows = [
        ("full page load", loads),
        ("single request", result.request_times()),
        (f"full page load while {PIPELINE} ran", during),
    ]
    for name, times in rows:
        p50, p95, top = spread(times)
        print(f"{name:44} {len(times):6} {p50:8.0f} {p95:8.0f} {top:8.0f}")
    print(
        f"pipeline run half-way: started at {run.began:.1f} s, took {run.seconds:.1f} s, "
        f"exit {run.returncode}: {run.said}"
    )
    if result.logged:
        print("exceptions in the servers' logs:")
        for line, count in result.logged.most_common(ERRORS_SHOWN):
            print(f"  {count}× {line}")
    print("costliest alone: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in costliest(result)))
    print(f"slowest requests (by p95), and each alone (in the warm-up):{'alone ms':>27}")
    for kind, count, p50, p95, top, alone in slowest(result):
        print(f"  {kind[:72]:72} {count:6} {p50:8.0f} {p95:8.0f} {top:8.0f} {alone:8.0f}")


def _wrap(line: str) -> str:
    # Prose is wrapped like the rest of the docs; tables, headings and markers are kept as is
    if line.startswith(("|", "#", "<!--")) or "\n" in line:
        return line
    return textwrap.fill(line, width=95, break_on_hyphens=False, break_long_words=False)


def _cell(times: Sequence[float]) -> str:
    p50, p95, top = spread(times)
    return f"{p50:,.0f} / {p95:,.0f} / {top:,.0f}"


def goal_words(result: ModeResult) -> str:
    """'met', or which goal was missed."""
    missed = []
    if percentile(result.load_times(), 0.95) > GOAL_P95_SECONDS or not result.load_times():
        missed.append(f"p95 over {GOAL_P95_SECONDS:g} s")
    if result.errors:
        missed.append("errors")
    return "missed: " + ", ".join(missed) if missed else "met"


def _pages(audience: str) -> str:
    return ", ".join(f"`{page}`" for page in PAGES[audience])


def write_doc(results: list[ModeResult], seconds: float) -> None:
    """Replace the load section of docs/performance.md (other sections are left alone)."""
    first = results[0]
    summary = [
        "| mode | requests/s | full page loads | errors | page load p50 / p95 / max ms "
        "| request p50 / p95 / max ms | page load p95 ms while the pipeline ran | goals |",
        "|---|---|---|---|---|---|---|---|",
    ]
    slow = [
        "| mode | request (page, then what) | count | p50 ms | p95 ms | max ms "
        "| alone ms (warm-up) |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = []
    for result in results:
        run = result.pipeline
        summary.append(
            f"| {result.mode} | {len(result.results.samples) / result.seconds:.1f} "
            f"| {len(result.load_times()):,} | {len(result.errors)} | {_cell(result.load_times())} "
            f"| {_cell(result.request_times())} "
            f"| {spread(result.load_times(run))[1]:,.0f} (the run took {run.seconds:.0f} s) "
            f"| {goal_words(result)} |"
        )
        for kind, count, p50, p95, top, alone in slowest(result)[:4]:
            slow.append(
                f"| {result.mode} | `{kind}` | {count:,} | {p50:,.0f} | {p95:,.0f} | {top:,.0f} "
                f"| {alone:,.0f} |"
            )
        notes.append(
            f"- {result.mode}: the simulated users themselves used "
            f"{result.client_cpu / result.seconds:.2f} of a core"
            + (
                "; errors (the first few): "
                + "; ".join(f"`{error[:160]}`" for error in result.errors[:3])
                if result.errors
                else "; no errors"
            )
            + "; alone, the costliest requests are "
            + ", ".join(
                f"`{kind}` ({seconds * 1000:,.0f} ms)" for kind, seconds in costliest(result)
            )
            + (
                "; the servers logged "
                + ", ".join(f"{n}× `{line[:120]}`" for line, n in result.logged.most_common(3))
                if result.logged
                else ""
            )
            + "."
        )
    met = all(result.met() for result in results)
    modes = "both modes" if len(results) > 1 else f"{first.mode} mode"
    verdict = (
        f"The goals, no errors and a full page load's p95 within {GOAL_P95_SECONDS:g} s, are "
        f"met in {modes}."
        if met
        else f"The goals (no errors, and a full page load's p95 within {GOAL_P95_SECONDS:g} s, "
        f"in {modes}) are missed; the script exits 1."
    )
    section = "\n".join(
        _wrap(line)
        for line in [
            BEGIN,
            "## Under load (`make bench-load`)",
            "",
            "**What is measured.** `bench/load_bench.py` builds the demo warehouse in a temporary "
            "folder and adds an officer account. It records real page loads in headless "
            "Chromium from the embedded server (both modes serve the same pages): as that "
            f"officer, signed in, {_pages(OFFICER)}; as the public, {_pages(PUBLIC)}. Every "
            "request a page makes to the app is kept: the page HTML, `/_dash-layout`, "
            "`/_dash-dependencies` and every callback with the JSON body the browser sent. "
            f"Static files (about {first.static_per_load:.0f} a page: `/assets/`, "
            "`/_dash-component-suites/`, the favicon) are not replayed, since a browser keeps "
            f"them after the first visit. Then {first.users} simulated users "
            f"({first.officers} signed in through the `/login` form, "
            f"{first.users - first.officers} public) each replay a recorded page load at "
            f"random and think for 0.2 to 1 s, for {seconds:g} s. A full page load is timed "
            "from its first request sent to its last answered; requests the browser had in "
            "flight together (such as `/_dash-layout` and `/_dash-dependencies`) are sent in "
            "parallel, the rest in order, as the browser sent them. Callbacks carry the CSRF "
            "header and a same-origin `Origin`, as Dash's renderer sends them. Half-way through, "
            "`pmf pipelines run demo-finance --force` runs beside the server (in embedded mode "
            "it is handed to the running server). Every page is loaded twice, one load at a "
            "time, before the clock starts (the warm-up; its errors count too).",
            "",
            "**The modes.** Embedded: `pmf serve` (waitress, one process, 8 threads) on the "
            "DuckDB file. Server: a copy of the same warehouse in PostgreSQL, "
            f"`pmf serve --workers {SERVER_WORKERS}` (gunicorn, 8 threads each) and "
            "`pmf scheduler`. The simulated users, the servers and PostgreSQL share the machine.",
            "",
            f"**Results** ({date.today().isoformat()}, this {os.cpu_count()}-core machine, with "
            "other work running). An error is any answer other than 2xx or 3xx (to a sign-in "
            "too: a user whose sign-in fails tries again, up to three times), an exception (a "
            "refused connection, a 60 s timeout), a signed-in user sent to sign in, or the "
            "pipeline run failing:",
            "",
            "\n".join(summary),
            "",
            "\n".join(
                textwrap.fill(note, width=95, subsequent_indent="  ", break_on_hyphens=False)
                for note in notes
            ),
            "",
            "The slowest kinds of request under load (by p95), and the same request alone, "
            "one at a time with nothing else running (its time in the warm-up's last pass):",
            "",
            "\n".join(slow),
            "",
            verdict,
            END,
        ]
    )
    replace_section(DOC, BEGIN, END, section)


# --- the whole run -----------------------------------------------------------------------


@contextlib.contextmanager
def prepared(modes: Sequence[str], stop: threading.Event) -> Iterator[Setup]:
    """The demo warehouse, an officer, and (for server mode) a PostgreSQL copy; all of it,
    and every process started meanwhile, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="pmf-load-"))
    processes = Processes()
    postgres = None
    try:
        began = time.perf_counter()
        duckdb = f"duckdb:///{folder / 'pmf.duckdb'}"
        pmf("init-db", url=duckdb, cwd=folder)
        pmf("demo", url=duckdb, cwd=folder)
        password = secrets.token_urlsafe(18)
        add = ["users", "add", USERNAME, "--role", "officer", "--password-stdin"]
        pmf(*add, url=duckdb, cwd=folder, stdin=password + "\n")
        postgres_url = ""
        if SERVER in modes:
            from tests.postgres_server import ThrowawayPostgres

            postgres = ThrowawayPostgres()
            postgres.start()
            postgres_url = postgres.database()
            pmf("db", "copy", postgres_url, url=duckdb, cwd=folder)
        print(f"demo warehouse ready in {time.perf_counter() - began:.0f} s ({folder})")
        yield Setup(
            folder=folder,
            duckdb_url=duckdb,
            postgres_url=postgres_url,
            secret=secrets.token_urlsafe(48),
            credentials=(USERNAME, password),
            processes=processes,
            stop=stop,
        )
    finally:
        stop.set()
        processes.stop_all()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _stop_on_signals(stop: threading.Event) -> None:
    """Ctrl+C and SIGTERM stop the run: `stop` is set (checked between steps, since Playwright
    may swallow the KeyboardInterrupt) and KeyboardInterrupt raised; everything is then
    cleaned up on the way out."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if stopping:
            return  # a second Ctrl+C must not interrupt the clean-up
        stopping.append(True)
        stop.set()
        raise KeyboardInterrupt

    stopping: list[bool] = []

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def main() -> int:
    """Set up, measure each mode, print and record; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="Load time (default 60).")
    parser.add_argument("--users", type=int, default=50, help="Simulated users (default 50).")
    parser.add_argument(
        "--mode", choices=[EMBEDDED, SERVER, "both"], default="both", help="Default both."
    )
    parser.add_argument(
        "--no-write", action="store_true", help="Do not update docs/performance.md."
    )
    args = parser.parse_args()
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")
    modes = [EMBEDDED, SERVER] if args.mode == "both" else [args.mode]
    stop = threading.Event()
    _stop_on_signals(stop)
    results: list[ModeResult] = []
    try:
        with prepared(modes, stop) as setup:
            # Both modes serve the same pages: they are recorded once, from the embedded server
            captured = record_from_embedded(setup) if modes[0] != EMBEDDED else []
            for mode in modes:
                result, captured = run_mode(setup, mode, args.users, args.seconds, captured)
                results.append(result)
                if stop.is_set():
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        print("\nstopped; every process and temporary folder removed", file=sys.stderr)
        return 130
    for result in results:
        print_result(result)
    missed = [result.mode for result in results if not result.met()]
    if not args.no_write:
        write_doc(results, args.seconds)
        print(f"\nupdated {DOC.relative_to(ROOT)}")
    if missed:
        print(f"\nMissed goals in: {', '.join(missed)}")
        return 1
    print("\nGoals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
