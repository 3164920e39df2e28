"""The reporting cycle's pages in a real browser: the owner meets the GOV.UK error summary,
follows its link to the field from the keyboard, corrects the figure and submits it; the
approver approves it; the cycle status and the audit trail pass axe and fit a phone. On a
small warehouse of its own with last month's cycle open."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from access.users import add_user
from app import create_app
from cycle.opening import open_cycle
from metrics.engine.period_codes import period_code
from metrics.engine.periods import period_bounds, previous_period
from metrics.registry.loader import load_registry
from tests.browser.conftest import sign_in
from tests.browser_support import assert_accessible
from tests.conftest import CONFIG
from tests.fixtures.warehouse import build_fixtures_warehouse
from warehouse.engine import dispose_engine, get_engine

PASSWORD = "browser-returns-password"
PEOPLE = {
    "demo-manager": ("Dee Manager", "member"),
    "demo-director": ("Dana Director", "officer"),
    "demo-officer": ("Demo Officer", "officer"),
    "demo-analyst": ("Ash Analyst", "member"),
}
MONTH = period_code(
    "monthly", previous_period("monthly", period_bounds("monthly", date.today())[0])
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over real HTTP on the fixtures warehouse, with last month's cycle open."""
    registry = load_registry(CONFIG)
    url = build_fixtures_warehouse(registry, tmp_path_factory.mktemp("returns") / "w.duckdb")
    engine = get_engine(url)
    for username, (name, role) in PEOPLE.items():
        add_user(engine, username, PASSWORD, role, actor="test", display_name=name)
    open_cycle(registry, engine, MONTH, date.today() + timedelta(days=14), opened_by="demo-officer")
    app = create_app(CONFIG, url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    dispose_engine(url)


@pytest.fixture
def person(browser: Any) -> Iterator[Any]:
    """A fresh tablet-sized browser tab, not yet signed in."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def _focused(tab: Any) -> str:
    return str(tab.evaluate("() => document.activeElement && document.activeElement.id"))


def _fits_a_phone(tab: Any, url: str, selector: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(url)
    tab.wait_for_selector(selector)
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, (url, width)
    assert_accessible(tab)
    tab.set_viewport_size({"width": 1024, "height": 768})


def test_the_owner_corrects_a_figure_from_the_error_summary_and_the_approver_approves(
    person: Any, site: str, browser: Any
) -> None:
    sign_in(person, site, "demo-manager", PASSWORD)
    person.goto(site + "/returns")
    person.wait_for_selector("#returns-table")
    assert "New foster carer households approved" in person.inner_text("#returns-table")
    assert "Calls resolved at first contact" not in person.inner_text("main")
    assert_accessible(person)
    person.click("#returns-table >> text=New foster carer households approved")
    person.wait_for_selector("#return-form")
    assert "return=" in person.url
    assert_accessible(person)
    # A figure that is not a number: the summary takes focus and links to the field
    person.fill("#return-value", "twelve")
    person.click("#return-submit")
    person.wait_for_selector("#return-error-summary")
    person.wait_for_function("() => document.activeElement.id === 'return-error-summary'")
    link = person.locator("#return-error-summary a")
    assert link.count() == 1 and link.get_attribute("href") == "#return-value"
    message = link.inner_text()
    beside = " ".join(person.inner_text("#return-form .pmf-field-with-error").split())
    assert f"Error: {message}" in beside
    assert person.input_value("#return-value") == "twelve"  # what was typed is kept
    assert_accessible(person)
    person.keyboard.press("Tab")
    assert person.evaluate("() => document.activeElement.getAttribute('href')") == "#return-value"
    person.keyboard.press("Enter")
    person.wait_for_function("() => document.activeElement.id === 'return-value'")
    # Corrected and sent, with a reason: the success banner takes focus, the form goes
    person.keyboard.press("Control+A")
    person.keyboard.type("5")
    person.fill("#return-commentary", "Two households approved at the late panel.")
    person.click("#return-submit")
    person.wait_for_selector("#return-saved")
    assert "Submitted for sign-off." in person.inner_text("#return-saved")
    person.wait_for_function("() => document.activeElement.id === 'return-saved'")
    assert person.locator("#return-form").count() == 0
    assert "Submitted" in person.inner_text("#return-facts")
    assert_accessible(person)

    # The approver finds it waiting and approves it
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    approver = context.new_page()
    try:
        sign_in(approver, site, "demo-director", PASSWORD)
        approver.goto(site + "/returns")
        approver.wait_for_selector("#returns-waiting")
        assert "Two households approved" in approver.inner_text("#returns-waiting")
        assert_accessible(approver)
        approver.click("#returns-waiting >> text=Approve or send back")
        approver.wait_for_selector("#signoff-form")
        assert_accessible(approver)
        approver.click("#signoff-send-back")  # no note: refused, and said beside the field
        approver.wait_for_selector("#signoff-error-summary")
        assert approver.locator("#signoff-error-summary a").get_attribute("href") == (
            "#signoff-note"
        )
        assert_accessible(approver)
        approver.click("#signoff-approve")
        approver.wait_for_selector("#signoff-done")
        assert "Approved." in approver.inner_text("#signoff-done")
        assert "Approved" in approver.inner_text("#return-facts")
        assert_accessible(approver)
        # The trail shows every step, and the pages fit a phone
        approver.goto(site + "/audit?metric=foster-carers-approved")
        approver.wait_for_selector("#audit-table")
        trail = approver.inner_text("#audit-table")
        assert "demo-manager" in trail and "demo-director" in trail and "Approved" in trail
        assert_accessible(approver)
        _fits_a_phone(approver, site + "/audit", "#audit-table")
        _fits_a_phone(approver, site + "/cycle", "#cycle-returns-table")
        _fits_a_phone(approver, site + f"/cycle?period={MONTH}", "#cycle-by-portfolio")
    finally:
        context.close()
    _fits_a_phone(person, site + "/returns", "#returns-table")


def test_the_audit_filters_travel_in_the_address(person: Any, site: str) -> None:
    sign_in(person, site, "demo-officer", PASSWORD)
    person.goto(site + "/audit")
    person.wait_for_selector("#audit-table")
    person.select_option("#audit-by", "demo-officer")
    person.fill("#audit-from", date.today().isoformat())
    person.click("#audit-filters button[type=submit]")
    person.wait_for_function("() => location.search.includes('by=demo-officer')")
    person.wait_for_selector("#audit-table")
    assert f"from={date.today().isoformat()}" in person.url
    assert person.input_value("#audit-by") == "demo-officer"
    assert "Return asked for" in person.inner_text("#audit-table")
    assert_accessible(person)


def test_the_cycle_page_is_for_everyone_signed_in_and_the_trail_for_the_team(
    person: Any, site: str
) -> None:
    person.goto(site + "/cycle")
    assert "/login" in person.url  # sent to sign in first
    sign_in(person, site, "demo-analyst", PASSWORD)
    person.goto(site + "/cycle")
    person.wait_for_selector("#cycle-by-directorate")
    assert person.locator("header .pmf-nav a[href='/audit']").count() == 0
    assert person.locator("header .pmf-nav a[href='/returns']").count() == 1
    assert_accessible(person)
    with person.expect_download() as download:
        person.click("#cycle-csv-button")
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved.splitlines()[0] == "period,metric_id,area_code,owner,approver,state,due,late"


def test_the_owner_downloads_the_workbook_and_uploads_it_filled_in(
    person: Any, site: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    sign_in(person, site, "demo-manager", PASSWORD)
    person.goto(site + "/returns")
    person.wait_for_selector("#returns-sheet")
    with person.expect_download() as download:
        person.click("#returns-template-button")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    book = load_workbook(template)
    sheet = book["Returns"]
    headings = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headings, row, strict=True))
        if cells["Measure id"].value == "trading-standards-scams-prevented":
            cells["Value"].value = "lots"
    bad = tmp_path / "october.xlsx"
    book.save(bad)
    # The upload's file input is reached from the keyboard, named by its label
    upload = person.locator("#returns-upload input[type=file]")
    assert person.get_by_label("Upload the filled-in workbook (XLSX)").count() == 1
    upload.set_input_files(str(bad))
    person.wait_for_selector("#returns-upload-errors")
    person.wait_for_function("() => document.activeElement.id === 'returns-upload-errors'")
    text = person.inner_text("#returns-upload-errors")
    assert "october.xlsx: Nothing was saved" in text and "'lots'" in text
    assert_accessible(person)
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headings, row, strict=True))
        if cells["Measure id"].value == "trading-standards-scams-prevented":
            cells["Value"].value = 150
    good = tmp_path / "october-corrected.xlsx"
    book.save(good)
    upload.set_input_files(str(good))
    person.wait_for_selector("#returns-upload-saved")
    assert "1 return submitted for sign-off" in person.inner_text("#returns-upload-saved")
    person.wait_for_selector("#returns-table:has-text('Submitted')")
    assert_accessible(person)
