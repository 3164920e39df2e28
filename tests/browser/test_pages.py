"""Every page in a real browser: it renders, one key interaction works, and axe finds nothing."""

from __future__ import annotations

import io
import re
from typing import Any

from tests.browser_support import assert_accessible


def test_overview_matrix_cell_lists_its_measures(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    page.wait_for_selector("#overview-summary")
    assert re.match(
        r"Of \d+ measures with targets, \d+ are on target", page.inner_text("#overview-summary")
    )
    assert_accessible(page)
    page.click("#overview-matrix a[href*='priority=safer-supported'][href*='enabler=workforce']")
    page.wait_for_selector("#cell-table")
    assert "priority=safer-supported" in page.url and "enabler=workforce" in page.url
    assert "Children's social worker average caseload" in page.inner_text("#cell-table")


def test_portfolio_week_choice_is_in_the_url(page: Any, live_url: str) -> None:
    page.goto(live_url + "/portfolio/children-young-people")
    page.wait_for_selector("#portfolio-cards")
    assert page.locator("#portfolio-cards > li").count() == 8  # with foster carers, entered by hand
    assert "Off target" in page.inner_text("#portfolio-cards")
    assert_accessible(page)
    current = page.input_value("#portfolio-week")
    values = page.eval_on_selector_all("#portfolio-week option", "os => os.map(o => o.value)")
    second = next(v for v in values if v and v != current)
    page.select_option("#portfolio-week", second)
    # A function, not an expression: Playwright evals expressions, which the page's CSP refuses
    page.wait_for_function(f"() => location.search.includes('week={second}')")
    page.wait_for_selector("#portfolio-cards")


def test_portfolio_week_chooser_moves_the_cards_to_that_week(page: Any, live_url: str) -> None:
    page.goto(live_url + "/portfolio/children-young-people")
    page.wait_for_selector("#portfolio-cards")
    # What is off target comes first: the cards, then the week in a few counts
    text = page.inner_text("main")
    assert text.index("Measures, off target first") < text.index("What changed in the week")
    assert page.inner_text("#portfolio-as-at").startswith("As they stood today:")
    now = page.inner_text("#portfolio-cards")
    # Every card's sparkline shows the target and says so
    alts = page.eval_on_selector_all("#portfolio-cards img", "imgs => imgs.map(i => i.alt)")
    assert alts and any("(dashed line)" in a for a in alts)
    oldest = page.eval_on_selector_all("#portfolio-week option", "os => os.map(o => o.value)")[-1]
    page.select_option("#portfolio-week", oldest)
    page.wait_for_function(f"() => location.search.includes('week={oldest}')")
    page.wait_for_selector("#portfolio-as-at:has-text('at the end of')")
    assert page.inner_text("#portfolio-cards") != now  # earlier figures, as they stood then
    assert_accessible(page)


def test_committee_links_to_the_drilldown(page: Any, live_url: str) -> None:
    page.goto(live_url + "/committee/health-care")
    page.wait_for_selector("#committee-remit")
    assert_accessible(page)
    page.click("text=Delayed transfers of care from hospital")
    page.wait_for_selector("#spc-chart .main-svg")
    assert page.url.endswith("/metric/delayed-transfers-of-care")


def test_drilldown_comment_is_saved_and_shown(page: Any, live_url: str) -> None:
    page.goto(live_url + "/metric/general-debt-outstanding")
    page.wait_for_selector("#spc-chart .main-svg")
    page.click("#metric-comment-submit")
    page.wait_for_selector("#metric-comment-status:has-text('Not saved')")
    assert page.input_value("#metric-comment-author") == "Jo Bloggs"  # the signed-in name
    page.fill("#metric-comment-body", "Debt recovery push agreed with Exchequer Services.")
    page.click("#metric-comment-submit")
    page.wait_for_selector("#metric-comments:has-text('Debt recovery push agreed')")
    assert "Comment saved." in page.inner_text("#metric-comment-status")


def test_milestones_filter_by_status(page: Any, live_url: str) -> None:
    page.goto(live_url + "/milestones")
    page.wait_for_selector("#milestones-table")
    assert_accessible(page)
    page.select_option("#milestones-status", "slipped")
    page.wait_for_function("() => location.search.includes('status=slipped')")
    page.wait_for_function(
        "() => document.querySelector('#milestones-summary')"
        ".innerText.includes('milestones: 0 complete')"
    )
    statuses = page.locator("#milestones-table tbody tr td:nth-child(7)").all_inner_texts()
    assert statuses and all("Slipped" in s for s in statuses)


def _focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def test_action_register_records_each_step(page: Any, live_url: str) -> None:
    page.goto(live_url + "/actions")
    page.wait_for_selector("#actions-table")
    assert "need attention" in page.inner_text("#actions-counts")
    assert_accessible(page)
    # Open the first flag from the keyboard: focus moves to its panel
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('#actions-table') !== null"):
            break
    else:
        raise AssertionError("no flag link was reachable with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_selector("#flag-form")
    page.wait_for_function("() => document.activeElement.id === 'flag-panel'")
    opened = page.url.rsplit("flag=", 1)[1]
    assert "Why it still holds" in page.inner_text("#flag-panel")
    # Text fields use the form's width, not a 216 px sliver
    assert page.eval_on_selector("#flag-action", "e => e.getBoundingClientRect().width") > 400
    page.evaluate("() => { window.pmfNoReload = true; }")
    page.click("#flag-save")
    page.wait_for_selector("#flag-saved")
    assert "acknowledged" in page.inner_text("#flag-saved")
    assert _focused_id(page) == "flag-saved"
    # The register is redrawn in place: no reload (the marker survives)
    page.wait_for_selector("#actions-table:has-text('Acknowledged')")
    assert page.evaluate("() => window.pmfNoReload === true")
    # The next step is a set of radios under a legend, chosen from the keyboard
    legend = " ".join(page.inner_text("#flag-form fieldset:has(#flag-step) legend").split())
    assert legend == "Next step"
    assert page.get_by_role("radio").count() == 2
    assert page.get_by_label("Record an action plan").is_checked()
    page.focus("#flag-step input[value=closed]")
    page.keyboard.press("Space")
    assert page.get_by_label("Close with no action").is_checked()
    page.keyboard.press("ArrowUp")  # the radios are one group: arrows move the choice
    assert page.get_by_label("Record an action plan").is_checked()
    # A plan due in the past, with no action: an error summary linked to each field
    page.fill("#flag-due-day", "1")
    page.fill("#flag-due-month", "1")
    page.fill("#flag-due-year", "2020")
    page.click("#flag-save")
    page.wait_for_selector("#flag-error-summary")
    page.wait_for_function("() => document.activeElement.id === 'flag-error-summary'")
    links = page.eval_on_selector_all(
        "#flag-error-summary a", "as => as.map(a => [a.getAttribute('href'), a.innerText])"
    )
    assert links == [
        ["#flag-action", "Enter the action that is planned"],
        ["#flag-due-day", "The due date must be today or in the future"],
    ]
    # and each error beside its field
    due_field = " ".join(page.inner_text("#flag-form fieldset:has(#flag-due-day)").split())
    assert "Error: The due date must be today or in the future" in due_field
    assert page.input_value("#flag-due-year") == "2020"  # what was typed is kept
    assert_accessible(page)
    page.fill("#flag-action", "Weekly review of the recovery plan")
    page.fill("#flag-due-year", "2030")
    page.click("#flag-save")
    page.wait_for_selector("#flag-saved:has-text('action plan recorded')")
    assert "Weekly review of the recovery plan" in page.inner_text("#actions-table")
    # Resolving while the reasons hold needs a note, and the form says why
    page.check("#flag-step input[value=resolved]")
    page.click("#flag-save")
    page.wait_for_selector("#flag-error-summary:has-text('condition still holds')")
    history = page.inner_text("#flag-history")
    assert "Jo Bloggs" in history and "Action planned" in history
    assert_accessible(page)
    # Every flag's history on one page
    page.click("text=History of every flag")
    page.wait_for_selector("#trail-table")
    assert "Jo Bloggs" in page.inner_text("#trail-table")
    assert_accessible(page)
    # The panel and the history fit a 390 px phone
    flag_url = page.url
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (flag_url, live_url + "/actions?" + "flag=" + opened):
        page.goto(url)
        page.wait_for_selector("#trail-table, #flag-form")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (url, width)


def test_data_page_run_now_is_recorded_as_the_officer(page: Any, live_url: str) -> None:
    page.goto(live_url + "/data")
    page.wait_for_selector("#pipelines-table")
    assert_accessible(page)
    assert page.input_value("#run-now-by") == "Jo Bloggs"
    page.check("#run-now-force")
    page.click("#pipelines-table button[aria-label='Run Finance return now']")
    page.wait_for_selector("#run-now-status:has-text('The Finance return will run shortly')")
    # The worker beside the server runs it; the page polls and says how it ended
    page.wait_for_selector("#run-now-progress:has-text('Reload the page')", timeout=60_000)
    assert "The Finance return has run" in page.inner_text("#run-now-progress")
    assert_accessible(page)


def test_catalogue_search_and_download(page: Any, live_url: str) -> None:
    page.goto(live_url + "/catalogue")
    page.wait_for_selector("#catalogue-grid .ag-row")
    assert_accessible(page)
    page.fill("#catalogue-search", "social worker")
    page.wait_for_selector("#catalogue-count:has-text('social worker')")
    assert "q=social+worker" in page.url or "q=social%20worker" in page.url
    with page.expect_download() as info:
        page.click("#catalogue-download-button")
    text = open(info.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("Measure,Measure id,Priority")
    assert "cs-social-worker-caseload" in text and "jobs-created" not in text


def test_keyboard_reaches_and_follows_a_matrix_link(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    page.wait_for_selector("#overview-matrix")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#overview-matrix') !== null"):
            break
    else:
        raise AssertionError("no matrix link was reachable with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_selector("#cell-table")


def test_committee_pack_downloads_as_a_spreadsheet(page: Any, live_url: str) -> None:
    from openpyxl import load_workbook

    page.goto(live_url + "/committee/corporate-review")
    page.wait_for_selector("#pack-button")
    page.select_option("#pack-format", "xlsx")
    # Record what the progress line says as it changes, to see it said it was preparing
    page.evaluate(
        """() => {
            const region = document.querySelector('#pack-progress');
            window.pmfSeen = [];
            new MutationObserver(() => window.pmfSeen.push(region.innerText)).observe(
                region, {childList: true, subtree: true, characterData: true});
        }"""
    )
    with page.expect_download(timeout=120_000) as info:
        page.click("#pack-button")
    seen = page.evaluate("() => window.pmfSeen")
    assert any(s.startswith("Preparing the pack (spreadsheet).") for s in seen), seen
    assert page.get_attribute("#pack-progress", "aria-live") == "polite"
    assert info.value.suggested_filename.startswith("committee-corporate-review-")
    workbook = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert "Definitions" in " ".join(workbook.sheetnames)
