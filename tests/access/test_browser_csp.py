"""The Content-Security-Policy breaks no page: Chromium reports no violation on any of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import OFFICER, OFFICER_PASSWORD, sign_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = (
    "/",
    "/catalogue",
    "/plan",
    "/committee/health-care",
    "/metric/road-casualties-ksi",
    "/login",
)
SIGNED_IN_PAGES = (
    "/",
    "/portfolio/children-young-people",
    "/committee/corporate-review",
    "/metric/general-debt-outstanding",
    "/milestones",
    "/actions",
    "/data",
    "/catalogue",
    "/plan",
    "/logout",
)


def _watch(page: Any) -> list[str]:
    problems: list[str] = []

    def note(text: str) -> None:
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.append(f"{page.url}: {text}")

    page.on("console", lambda message: note(message.text))
    # A refused eval surfaces as an uncaught error rather than a console message
    page.on("pageerror", lambda error: note(str(error)))
    return problems


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if not url.endswith(("/login", "/logout")):
        page.wait_for_selector("#_pages_content *")


def test_no_page_breaks_the_policy(anonymous_page: Any, live_url: str) -> None:
    page = anonymous_page
    problems = _watch(page)
    for path in PUBLIC_PAGES:
        _visit(page, live_url + path)
    sign_in(page, live_url, OFFICER[0], OFFICER_PASSWORD)
    for path in SIGNED_IN_PAGES:
        _visit(page, live_url + path)
    # A chart's toolbar and hover use blobs and inline styles: draw one and hover it
    _visit(page, live_url + "/metric/general-debt-outstanding")
    page.wait_for_selector(".js-plotly-plot")
    page.hover(".js-plotly-plot")
    assert problems == []


def test_the_policy_is_enforced(anonymous_page: Any, live_url: str) -> None:
    page = anonymous_page
    problems = _watch(page)
    page.goto(live_url + "/")
    page.wait_for_selector("#_pages_content *")
    # An injected inline script is refused, and the refusal is what the watcher looks for
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in p for p in problems)
