"""Record real page loads in headless Chromium, for bench/load_bench.py to replay.

Each page is opened by Debian's Chromium (Playwright, never a downloaded browser) in a fresh
browser context, as a signed-in officer or as the public, and every request the
page makes to the app is recorded in the order the browser sent it: the page HTML,
`/_dash-layout`, `/_dash-dependencies` and every `POST /_dash-update-component` with its JSON
body. Static files (`/assets/`, `/_dash-component-suites/`, the favicon) are counted but not
kept: a browser fetches them once and then keeps them.

Requests the browser had in flight together are kept together as a *wave*: a request joins the
current wave when it was sent before any request of that wave had been answered, so it cannot
have depended on their answers. The replay sends a wave's requests in parallel, as the
browser did, and waits for the whole wave before the next.

A load that fails in the browser (a request that is refused or never answered, a page that
is never drawn) is tried again, up to three times, and each failure is reported.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from reports.chromium import CHROMIUM_ARGS, chromium_path

OFFICER = "officer"
PUBLIC = "public"
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
CALLBACK_PATH = "/_dash-update-component"
PAGE_CONTENT = "_pages_content"  # Dash pages' routing callback, which builds the page
END_ID = "endId"  # Dash's per-page signed token, echoed on every callback; fresh on each load
QUIET_SECONDS = 1.5  # a page has finished loading once it has made no request for this long
PAGE_TIMEOUT_SECONDS = 30.0
ATTEMPTS = 3  # a page whose load fails in the browser is tried again, and the failure reported


@dataclass(frozen=True)
class Call:
    """One request a page made to the app, as the browser sent it."""

    method: str
    path: str  # path and query, without Dash's endId (the replay adds the fresh one)
    body: str | None  # a callback's JSON body, exactly as sent
    label: str  # what it is: "page HTML", "/_dash-layout", or "callback <outputs>"


@dataclass(frozen=True)
class PageLoad:
    """Everything one full load of a page asks the app for, wave by wave."""

    page: str  # the path opened
    audience: str  # OFFICER or PUBLIC
    waves: tuple[tuple[Call, ...], ...]
    static: int  # static files the browser fetched too, not replayed

    @property
    def calls(self) -> int:
        """How many requests a replay of this load sends."""
        return sum(len(wave) for wave in self.waves)


class CaptureError(RuntimeError):
    """The browser could not load a page cleanly, so there is nothing fair to replay."""


def callback_label(body: str | None) -> str:
    """'callback ' and the outputs a callback updates (Dash's duplicate-output hashes cut)."""
    try:
        parsed = json.loads(body or "{}")
    except ValueError:
        return "callback"
    outputs = parsed.get("outputs", []) if isinstance(parsed, dict) else []
    if isinstance(outputs, dict):
        outputs = [outputs]
    names = [
        f"{output.get('id')}.{str(output.get('property', '')).split('@')[0]}"
        for output in outputs
        if isinstance(output, dict)
    ]
    if any(name.startswith(PAGE_CONTENT) for name in names):
        return f"callback {PAGE_CONTENT} (the page's layout)"
    return "callback " + (" + ".join(names) if names else "?")


def _call(method: str, url: str, body: str | None, page: str) -> Call:
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != END_ID])
    path = parts.path + (f"?{query}" if query else "")
    if parts.path == CALLBACK_PATH:
        label = callback_label(body)
    elif path == page:
        label = "page HTML"
    else:
        label = parts.path
    return Call(method=method, path=path, body=body if method == "POST" else None, label=label)


def _waves(timed: list[tuple[float, float, Call]]) -> tuple[tuple[Call, ...], ...]:
    """Group (sent, answered, call) triples into waves: see the module's docstring."""
    waves: list[list[Call]] = []
    first_answer = 0.0
    for sent, answered, call in sorted(timed, key=lambda item: item[0]):
        if waves and sent < first_answer:
            waves[-1].append(call)
            first_answer = min(first_answer, answered)
        else:
            waves.append([call])
            first_answer = answered
    return tuple(tuple(wave) for wave in waves)


def _record(page: Any, base: str, path: str, audience: str) -> PageLoad:
    """Open `path` in `page` and record what it asks the app for until it falls quiet."""
    seen: list[Any] = []
    last = [time.monotonic()]

    def on_request(request: Any) -> None:
        seen.append(request)
        last[0] = time.monotonic()

    page.on("request", on_request)
    try:
        page.goto(base + path, timeout=PAGE_TIMEOUT_SECONDS * 1000)
        page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_SECONDS * 1000)
        deadline = time.monotonic() + PAGE_TIMEOUT_SECONDS
        while time.monotonic() - last[0] < QUIET_SECONDS and time.monotonic() < deadline:
            page.wait_for_timeout(250)
    finally:
        page.remove_listener("request", on_request)

    documents = [
        number
        for number, request in enumerate(seen)
        if request.resource_type == "document" and request.url == base + path
    ]
    timed: list[tuple[float, float, Call]] = []
    static = 0
    for request in seen[documents[0] if documents else 0 :]:
        if not request.url.startswith(base):
            continue
        if urlsplit(request.url).path.startswith(STATIC_PREFIXES):
            static += 1
            continue
        response = request.response()
        status = response.status if response is not None else None
        if status is None or status >= 400:
            raise CaptureError(f"{request.method} {request.url} gave {status}")
        timing = request.timing
        sent = float(timing["startTime"])
        answered = sent + max(float(timing["responseEnd"]), 0.0)
        timed.append((sent, answered, _call(request.method, request.url, request.post_data, path)))
    if not timed or timed[0][2].label != "page HTML":
        raise CaptureError("the page itself was not the first request")
    asked = {call.label for _, _, call in timed}
    # A page loaded afresh comes drawn into its layout (no callback needed to show it); one
    # reached otherwise is drawn by the router's callback. Either way it shows in the frame
    drawn = page.evaluate(
        f"() => (document.getElementById('{PAGE_CONTENT}')?.childElementCount ?? 0) > 0"
    )
    if not {"/_dash-layout", "/_dash-dependencies"} <= asked or not drawn:
        raise CaptureError(
            f"the page did not finish loading: it asked only for {sorted(asked)}"
            + ("" if drawn else ", and nothing was drawn in the page's frame")
        )
    return PageLoad(page=path, audience=audience, waves=_waves(timed), static=static)


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base}/login", timeout=PAGE_TIMEOUT_SECONDS * 1000)
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    page.wait_for_url(lambda url: "/login" not in url, timeout=PAGE_TIMEOUT_SECONDS * 1000)
    # The page signed in to is left to finish, so none of its requests is taken for the next's
    page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_SECONDS * 1000)


def capture(
    base: str,
    pages: dict[str, list[str]],
    username: str,
    password: str,
    stop: threading.Event | None = None,
) -> tuple[list[PageLoad], list[str]]:
    """Load `pages[audience]` in Chromium, each in a fresh browser context (OFFICER signed
    in through the real form as `username`); every page load recorded, and what went wrong
    with any load that had to be tried again. Gives up (KeyboardInterrupt) once `stop` is
    set: Playwright may swallow a Ctrl+C that arrives while it waits."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    loads: list[PageLoad] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for audience, paths in pages.items():
                for path in paths:
                    for attempt in range(1, ATTEMPTS + 1):
                        if stop is not None and stop.is_set():
                            raise KeyboardInterrupt
                        context = browser.new_context(viewport={"width": 1280, "height": 900})
                        try:
                            page = context.new_page()
                            if audience == OFFICER:
                                _sign_in(page, base, username, password)
                            loads.append(_record(page, base, path, audience))
                            break
                        except (CaptureError, PlaywrightError) as exc:
                            first_line = str(exc).strip().splitlines()[0]
                            problem = f"{audience} {path}, attempt {attempt}: {first_line}"
                            problems.append(problem)
                            if attempt == ATTEMPTS:
                                raise CaptureError(problem) from exc
                        finally:
                            context.close()
        finally:
            browser.close()
    return loads, problems
