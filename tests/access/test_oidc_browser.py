"""Single sign-on in a real browser against a real OpenID Connect provider: "Sign in with the
council" first, back where you were going, signed out of both, and failure pages that pass axe
and fit a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.access.oidc_fixtures import SsoServer
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh 390 px phone, not signed in anywhere."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    yield context.new_page()
    context.close()


def at_provider(tab: Any, login: str) -> None:
    """Sign in on the provider's own page, as the person would."""
    tab.wait_for_selector("input[name=login]")
    tab.fill("input[name=login]", login)
    tab.fill("input[name=password]", "anything")
    tab.click("button.login-submit")


def fits_a_phone(tab: Any) -> bool:
    """Whether the page fits the 390 px screen without sideways scroll."""
    return bool(tab.evaluate("() => document.documentElement.scrollWidth <= 390"))


def test_sign_in_with_the_council_and_sign_out_of_both(
    anonymous_page: Any, sso_server: SsoServer
) -> None:
    tab, url = anonymous_page, sso_server.url
    tab.goto(url + "/actions")
    tab.wait_for_selector("#signin-sso")
    assert tab.inner_text("#signin-sso") == "Sign in with Test County Council"
    # Passwords are folded away for the break-glass administrators
    assert not tab.is_visible("#signin-username")
    assert_accessible(tab)
    tab.click("#signin-sso")
    at_provider(tab, "ann-officer")
    tab.wait_for_selector("#signed-in-as")
    assert tab.url == url + "/actions"
    assert "Ann Officer" in tab.inner_text("#signed-in-as")
    tab.click("#signout-link")
    tab.click("#signout-submit")
    # The provider asks to end its own session too, then sends the browser back to PMF
    tab.click("button[value=yes]")
    tab.wait_for_selector("#signin-link")
    assert tab.url == url + "/"
    tab.goto(url + "/login/oidc")
    tab.wait_for_selector("input[name=login]")  # signed out at the provider: asked again


def test_refusal_pages_pass_axe_and_fit_a_phone(phone: Any, sso_server: SsoServer) -> None:
    url = sso_server.url
    phone.goto(url + "/login")
    phone.wait_for_selector("#signin-sso")
    assert fits_a_phone(phone)
    phone.click("#signin-sso")
    at_provider(phone, "no-group")
    phone.wait_for_selector("#signin-problem")
    assert phone.inner_text("#signin-title") == "You do not have access to PMF"
    assert_accessible(phone)
    assert fits_a_phone(phone)
    phone.click("#signin-again")
    phone.wait_for_selector("#signin-sso")
    # The provider still knows them: straight back to the refusal, this time for a bad token
    phone.goto(url + "/login/oidc/callback?code=made-up&state=made-up")
    phone.wait_for_selector("#signin-problem")
    assert phone.inner_text("#signin-title") == "Your sign-in link has expired"
    assert_accessible(phone)
    assert fits_a_phone(phone)
