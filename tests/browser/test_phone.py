"""Every page on a 390 px phone: no sideways scroll of the page; a wide table scrolls in its
own labelled region, which the keyboard can reach, and axe still finds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import OFFICER, OFFICER_PASSWORD, sign_in
from tests.browser_support import assert_accessible

PAGES = {
    "/": "#overview-matrix",
    "/portfolio/children-young-people": "#portfolio-cards",
    "/metric/claimant-rate": "#metric-title",
    "/committee/health-care": "#committee-title",
    "/milestones": "#milestones-table",
    "/savings": "#savings-table",
    "/savings/S-ASC-01": "#proposal-plan-table",
    "/risks": "#risk-register",
    "/actions": "#actions-table",
    "/data": "#pipelines-table",
    "/catalogue": "#catalogue-title",
    "/plan": "#plan-title",
    "/no-such-page": "#not-found-title",
    "/actions?view=history": "#trail-table",
    # The demo's month in progress: the officer owns no return, so My returns shows its title
    "/returns": "#returns-title",
    "/cycle": "#cycle-returns-table",
    "/audit": "#audit-table",
}


@pytest.fixture(scope="module")
def phone(browser: Any, live_url: str) -> Iterator[Any]:
    """A 390 px wide phone, signed in as an officer (who sees every page)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    tab = context.new_page()
    sign_in(tab, live_url, OFFICER[0], OFFICER_PASSWORD)
    yield tab
    context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_the_page_fits_a_phone_without_sideways_scroll(
    phone: Any, live_url: str, path: str
) -> None:
    phone.goto(live_url + path)
    phone.wait_for_selector(PAGES[path])
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
    # A table wider than the phone scrolls inside a named region that takes keyboard focus
    regions = phone.eval_on_selector_all(
        ".pmf-table-scroll",
        "rs => rs.map(r => [r.getAttribute('role'), r.getAttribute('aria-label'), r.tabIndex])",
    )
    for role, label, tab_index in regions:
        assert role == "region" and label and tab_index == 0, (path, role, label, tab_index)
    assert_accessible(phone)
