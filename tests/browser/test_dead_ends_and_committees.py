"""In a real browser: an unknown address is a 404 page with the site's frame, an unpublished
measure asks the public to sign in and comes back to it, a failed sign-in keeps the name, and
a committee chooses the councils it compares with. Every page passes axe-core."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.browser.conftest import DEMO_AS_OF, OFFICER, OFFICER_PASSWORD
from tests.browser_support import assert_accessible
from tests.conftest import CONFIG
from tests.fixtures.national import demo_with_national

INTERNAL = "cs-social-worker-caseload"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served over HTTP with the 404 hook installed, as app.py installs it."""
    folder: Path = tmp_path_factory.mktemp("dead-ends")
    # Oflog's published file: every English council's figures, so there is a group to choose
    account = (OFFICER[0], OFFICER_PASSWORD, "officer", OFFICER[1])
    url = demo_with_national(CONFIG, folder, DEMO_AS_OF, [account])
    app = create_app(CONFIG, url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_an_unknown_address_is_a_404_page_in_the_site_frame(anonymous_page: Any, site: str) -> None:
    page = anonymous_page
    response = page.goto(site + "/no/such/page")
    assert response is not None and response.status == 404
    page.wait_for_selector("#not-found-title")
    page.wait_for_selector("#not-found-path:has-text('/no/such/page')")
    assert page.locator("header .pmf-nav a[href='/catalogue']").count() == 1
    assert page.locator("footer.pmf-footer").count() == 1
    assert_accessible(page)
    response = page.goto(site + "/metric/no-such-measure")
    assert response is not None and response.status == 404
    page.wait_for_selector("#metric-title:has-text('Measure not found')")
    assert_accessible(page)


def test_an_unpublished_measure_asks_to_sign_in_and_comes_back(
    anonymous_page: Any, site: str
) -> None:
    page = anonymous_page
    response = page.goto(site + f"/metric/{INTERNAL}")
    assert response is not None and response.status == 200
    page.wait_for_selector("#signin-needed:has-text('Sign in to see this measure')")
    assert "caseload" not in page.inner_text("main").lower()
    assert_accessible(page)
    page.click("#signin-needed-link")
    page.wait_for_selector("#signin-form")
    assert "a measure that is not published" in page.inner_text("#signin-destination")
    page.fill("#signin-username", OFFICER[0])
    page.fill("#signin-password", "not the password")
    page.click("#signin-submit")
    page.wait_for_selector("#signin-error")
    # The name typed is kept; the error summary comes first and links to the field to fix
    assert page.input_value("#signin-username") == OFFICER[0]
    assert page.locator("#signin-error a[href='#signin-password']").count() == 1
    assert page.locator("header .pmf-nav").count() == 1 and page.locator("footer").count() == 1
    assert_accessible(page)
    page.fill("#signin-password", OFFICER_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#metric-title:has-text('caseload')")
    assert page.url.endswith(f"/metric/{INTERNAL}")


def test_a_committee_chooses_the_councils_it_compares_with(anonymous_page: Any, site: str) -> None:
    page = anonymous_page
    page.goto(site + "/committee/health-care")
    page.wait_for_selector("#committee-group")
    heading = "#committee-table-healthier-independent thead"
    page.wait_for_selector(heading)
    assert "Rank among similar councils" in page.inner_text(heading)
    assert_accessible(page)
    page.select_option("#committee-group", "english-councils")
    page.wait_for_selector(f"{heading}:has-text('Rank among all English councils')")
    assert "group=english-councils" in page.url
    assert " of 1" in page.inner_text("#committee-table-healthier-independent tbody")
    assert_accessible(page)
    page.click("#committee-table-healthier-independent tbody a >> nth=0")
    page.wait_for_selector("#comparison-group")
    page.select_option("#comparison-group", "english-councils")
    page.wait_for_selector("#comparison-heading")
    page.wait_for_function("() => location.search.includes('group=english-councils')")
    page.wait_for_selector("#ranking-table caption:has-text('all English councils ranked')")
    assert_accessible(page)
    # The download is the table the reader chose, not the measure's own group
    with page.expect_download() as sent:
        page.click("#comparison-download-button")
    rows = list(csv.DictReader(io.StringIO(Path(sent.value.path()).read_text(encoding="utf-8"))))
    assert rows and {r["Comparator group"] for r in rows} == {"All English councils"}


def test_arriving_at_a_measure_leaves_its_address_alone_until_a_group_is_chosen(
    anonymous_page: Any, site: str
) -> None:
    # The group the page is drawn with is no choice: the address is not rewritten (which drew
    # the page a second time, and could lose a choice made meanwhile)
    page = anonymous_page
    page.goto(site + "/committee/health-care")
    page.wait_for_selector("#committee-group")
    page.wait_for_load_state("networkidle")
    assert "group=" not in page.url
    page.click("#committee-table-healthier-independent tbody a >> nth=0")
    page.wait_for_selector("#comparison-group")
    page.wait_for_load_state("networkidle")
    assert "group=" not in page.url
    page.select_option("#comparison-group", "english-councils")
    page.wait_for_function("() => location.search.includes('group=english-councils')")
    page.wait_for_selector("#ranking-table caption:has-text('all English councils ranked')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("?group=english-councils")
