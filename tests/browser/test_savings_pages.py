"""Savings delivery, a proposal and the risk register in a real browser, as an officer: each
page passes axe, a proposal opens from the keyboard, and a filter of the register is a link."""

from __future__ import annotations

from typing import Any

from tests.browser_support import assert_accessible, assert_drawn_by_basic_plotly


def test_savings_page_passes_axe_and_a_proposal_opens_from_the_keyboard(
    page: Any, live_url: str
) -> None:
    page.goto(live_url + "/savings")
    page.wait_for_selector("#savings-table")
    assert "Savings delivery" in page.inner_text("#savings-title")
    assert page.locator("#mtfs-chart").count() == 1 and page.locator("#mtfs-table").count() == 1
    # The demo loads the finance team's returns through the savings-delivery pipeline
    assert page.inner_text("#headline-delivered") != "£0"
    page.wait_for_selector("#mtfs-chart .main-svg")
    assert_drawn_by_basic_plotly(page)
    assert_accessible(page)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement.closest('#savings-table') !== null"
            " && document.activeElement.tagName === 'A'"
        ):
            break
    else:
        raise AssertionError("no proposal link was reachable with the Tab key")
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.startsWith('/savings/')")
    page.wait_for_selector("#proposal-plan-table")
    assert page.inner_text("#proposal-title") == title
    assert_accessible(page)


def test_risk_register_passes_axe_and_filters_through_the_url(page: Any, live_url: str) -> None:
    page.goto(live_url + "/risks")
    page.wait_for_selector("#risk-register")
    everything = page.locator("#risk-register tbody tr").count()
    assert page.locator("#risk-heat-map").count() == 1
    assert_accessible(page)
    page.select_option("#risks-above", "yes")
    # A function, not an expression: Playwright evals expressions, which the page's CSP refuses
    page.wait_for_function("() => location.search.includes('above=yes')")
    page.wait_for_function(
        f"() => document.querySelectorAll('#risk-register tbody tr').length < {everything}"
    )
    rows = page.locator("#risk-register tbody tr").all_inner_texts()
    assert rows and all("▲ Above" in r for r in rows)
    # A risk opens on its cause and controls from the keyboard
    page.focus("#risk-register summary")
    page.keyboard.press("Enter")
    assert page.locator("#risk-register details[open]").count() == 1
    assert_accessible(page)


def test_the_public_view_passes_axe(anonymous_page: Any, live_url: str) -> None:
    tab = anonymous_page
    tab.goto(live_url + "/savings")
    tab.wait_for_selector("#savings-public-note")
    assert tab.locator("#mtfs-chart").count() == 0
    assert_accessible(tab)
    tab.goto(live_url + "/risks")
    tab.wait_for_selector("#risk-register")
    assert_accessible(tab)
