"""Replay captured page loads (bench/load_capture.py) for many simulated users at once.

Each user is a thread with its own `requests.Session`: an officer signs in through the real
`/login` form first (the form's hidden `csrf_token`, then username, password, token and
`next`), a member of the public does not. Then, until the time is up, the user picks one of
its audience's captured pages at random, replays the whole load, wave by wave (a wave's
requests in parallel, as the browser sent them), and thinks for 0.2 to 1 s.

Callbacks are sent as Dash's renderer sends them: the JSON body the browser sent, the page's
fresh `endId` (read from the replayed HTML), `X-CSRFToken` set to the `_csrf_token` cookie
and a same-origin `Origin`.

An error is any answer other than 2xx or 3xx, any exception (a refused connection, a timeout
after 60 s), a signed-in user sent to sign in, or a sign-in that failed (tried again up to
three times, as a person would).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bench.load_capture import CALLBACK_PATH, END_ID, OFFICER, Call, PageLoad

REQUEST_TIMEOUT_SECONDS = 60.0
THINK_SECONDS = (0.2, 1.0)
SIGN_IN_ATTEMPTS = 3
BROWSER_CONNECTIONS = 6  # what Chromium opens to one host at most
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE_END_ID = re.compile(r'"end_id":\s*"([^"]+)"')


@dataclass(frozen=True)
class Sample:
    """One request: what it was, when it was sent (seconds from the start) and how long."""

    kind: str  # "<page> [public] <label>"
    began: float
    seconds: float
    error: str | None


@dataclass(frozen=True)
class Load:
    """One full page load: all its requests, from the first sent to the last answered."""

    page: str
    audience: str
    began: float
    seconds: float
    ok: bool


@dataclass
class Results:
    """What every user did, gathered under a lock."""

    samples: list[Sample] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        """Record one request (and its error, if any)."""
        with self.lock:
            self.samples.append(sample)
            if sample.error:
                self.errors.append(f"{sample.kind}: {sample.error}")


def sign_in(session: requests.Session, base: str, username: str, password: str) -> str | None:
    """Sign in through the real form; None when signed in, else what went wrong."""
    try:
        form = session.get(f"{base}/login", timeout=REQUEST_TIMEOUT_SECONDS)
        token = FORM_TOKEN.search(form.text)
        if token is None:
            return f"GET /login gave {form.status_code} without a csrf_token field"
        done = session.post(
            f"{base}/login",
            data={"username": username, "password": password, "csrf_token": token[1], "next": "/"},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        return f"sign-in: {type(exc).__name__}: {exc}"
    if done.status_code != 302 or done.headers.get("Location") != "/":
        return f"sign-in: POST /login gave {done.status_code}"
    return None


class User:
    """One simulated person: a session, a random choice of pages, and think time."""

    def __init__(
        self,
        base: str,
        loads: Sequence[PageLoad],
        results: Results,
        seed: int,
        signed_in: bool,
    ) -> None:
        self.base = base
        self.loads = loads
        self.results = results
        self.random = random.Random(seed)
        self.signed_in = signed_in
        self.session = requests.Session()
        self.end_id: str | None = None

    def send(self, load: PageLoad, call: Call, clock: float) -> bool:
        """Send one recorded request; record it; whether it was answered well."""
        kind = load.page + ("" if load.audience == OFFICER else " [public]") + " " + call.label
        began = time.perf_counter()
        error: str | None = None
        try:
            if call.method == "POST":
                headers = {
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "Origin": self.base,
                    CSRF_HEADER: self.session.cookies.get(CSRF_COOKIE) or "",
                }
                params = {END_ID: self.end_id} if self.end_id and call.path == CALLBACK_PATH else {}
                answer = self.session.post(
                    self.base + call.path,
                    data=(call.body or "").encode("utf-8"),
                    headers=headers,
                    params=params,
                    allow_redirects=False,
                    timeout=REQUEST_TIMEOUT_SECONDS,
                )
            else:
                answer = self.session.get(
                    self.base + call.path, allow_redirects=False, timeout=REQUEST_TIMEOUT_SECONDS
                )
                if call.label == "page HTML":
                    found = PAGE_END_ID.search(answer.text)
                    self.end_id = found[1] if found else None
            if not 200 <= answer.status_code < 400:
                error = (
                    f"{call.method} {call.path} gave {answer.status_code}: {answer.text[:120]!r}"
                )
            elif self.signed_in and "/login" in answer.headers.get("Location", ""):
                error = f"{call.method} {call.path} sent a signed-in officer to sign in"
        except requests.RequestException as exc:
            error = f"{call.method} {call.path}: {type(exc).__name__}: {exc}"
        ended = time.perf_counter()
        self.results.add(Sample(kind, began - clock, ended - began, error))
        return error is None

    def replay(self, load: PageLoad, pool: ThreadPoolExecutor, clock: float) -> None:
        """One full page load, wave by wave; recorded as one Load."""
        began = time.perf_counter()
        ok = True
        for wave in load.waves:
            if len(wave) == 1:
                ok = self.send(load, wave[0], clock) and ok
            else:
                answers = list(pool.map(lambda call: self.send(load, call, clock), wave))
                ok = all(answers) and ok
        seconds = time.perf_counter() - began
        with self.results.lock:
            self.results.loads.append(Load(load.page, load.audience, began - clock, seconds, ok))

    def run(
        self,
        start: threading.Barrier,
        clock: list[float],
        seconds: float,
        stop: threading.Event,
        credentials: tuple[str, str],
    ) -> None:
        """Sign in (if an officer), wait for everyone, then load pages until the time is up.

        A failed sign-in is an error, and is tried again (as a person would) up to
        SIGN_IN_ATTEMPTS times; an officer who never gets in drops out."""
        for _attempt in range(SIGN_IN_ATTEMPTS if self.signed_in else 0):
            problem = sign_in(self.session, self.base, *credentials)
            if problem is None:
                break
            with self.results.lock:
                self.results.errors.append(problem)
            stop.wait(self.random.uniform(*THINK_SECONDS))
        else:
            if self.signed_in:
                self.loads = []
        try:
            start.wait()
        except threading.BrokenBarrierError:
            return
        deadline = clock[0] + seconds
        with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
            while self.loads and not stop.is_set() and time.perf_counter() < deadline:
                self.replay(self.random.choice(self.loads), pool, clock[0])
                stop.wait(self.random.uniform(*THINK_SECONDS))
        self.session.close()


def warm_up(
    base: str,
    loads: Sequence[PageLoad],
    credentials: tuple[str, str],
    stop: threading.Event,
    passes: int = 2,
) -> Results:
    """Replay every captured load `passes` times, one load at a time, before the clock starts
    (caches and connections). The errors of every pass are kept, and the requests of the
    last: what each costs with nothing else running."""
    results = Results()
    clock = time.perf_counter()
    officer = User(base, loads, results, seed=0, signed_in=True)
    problem = sign_in(officer.session, base, *credentials)
    if problem:
        results.errors.append(problem)
    public = User(base, loads, results, seed=0, signed_in=False)
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        for _pass in range(passes):
            results.samples.clear()
            for load in loads:
                if stop.is_set():
                    break
                (officer if load.audience == OFFICER else public).replay(load, pool, clock)
    return results


def run_users(
    base: str,
    loads: Sequence[PageLoad],
    *,
    users: int,
    officers: int,
    seconds: float,
    credentials: tuple[str, str],
    stop: threading.Event,
    on_start: threading.Event,
) -> Results:
    """`users` simulated people (the first `officers` signed in) for `seconds`; `on_start` is
    set when they have all signed in and the clock starts."""
    results = Results()
    clock = [0.0]

    def begin() -> None:
        clock[0] = time.perf_counter()
        results.started = clock[0]
        on_start.set()

    start = threading.Barrier(users, action=begin)
    people = []
    for number in range(users):
        signed_in = number < officers
        mine = [load for load in loads if (load.audience == OFFICER) == signed_in]
        people.append(User(base, mine, results, seed=number + 1, signed_in=signed_in))
    threads = [
        threading.Thread(
            target=person.run,
            args=(start, clock, seconds, stop, credentials),
            name=f"user-{number}",
            daemon=True,
        )
        for number, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        start.abort()
        raise
    results.finished = time.perf_counter()
    return results
