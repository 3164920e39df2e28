"""The plan page in a real browser: renders, passes axe, works from the keyboard."""

from __future__ import annotations

from typing import Any

from tests.browser_support import assert_accessible


def test_plan_page_lists_priorities_and_enablers(page: Any, live_url: str) -> None:
    page.goto(live_url + "/plan")
    page.wait_for_selector("#plan-title")
    assert "Connected Staffordshire" in page.inner_text("#plan-title")
    assert page.get_attribute("html", "lang") == "en-GB"
    headings = page.locator("h2").all_inner_texts()
    assert "More good jobs and the benefits of economic growth" in headings
    assert "Enabler: Digital" in headings
    assert "Children's social worker average caseload" in page.inner_text(
        "#priority-safer-supported ~ .pmf-table-scroll table"
    )
    assert_accessible(page)


def test_skip_link_is_first_and_moves_focus_to_main(page: Any, live_url: str) -> None:
    page.goto(live_url + "/plan")
    page.wait_for_selector("#plan-title")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
