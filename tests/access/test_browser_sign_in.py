"""Sign in and out in a real browser; both pages pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import OFFICER, OFFICER_PASSWORD
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser


def test_sign_in_and_sign_out(anonymous_page: Any, live_url: str) -> None:
    page = anonymous_page
    page.goto(live_url + "/actions")
    page.wait_for_selector("#signin-form")  # sent to sign in, and back afterwards
    assert_accessible(page)
    page.fill("#signin-username", OFFICER[0])
    page.fill("#signin-password", "not the password")
    page.click("#signin-submit")
    page.wait_for_selector("#signin-error")
    assert "not right" in page.inner_text("#signin-error")
    assert_accessible(page)
    page.fill("#signin-username", OFFICER[0])
    page.fill("#signin-password", OFFICER_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#actions-table")
    assert page.url.endswith("/actions")
    assert "Jo Bloggs" in page.inner_text("#signed-in-as")
    page.click("#signout-link")
    page.wait_for_selector("#signout-form")
    assert_accessible(page)
    page.click("#signout-submit")
    page.wait_for_selector("#signin-link")
    page.goto(live_url + "/")
    page.wait_for_selector("#overview-summary")
    assert "corrective" not in page.inner_text("#overview-summary")
    assert page.locator(".pmf-nav a[href='/actions']").count() == 0
