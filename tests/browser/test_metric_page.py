"""The drill-down in a real browser: SPC chart, readings in words, table, filters in the URL."""

from __future__ import annotations

from typing import Any

from tests.browser_support import assert_accessible, assert_drawn_by_basic_plotly


def test_drilldown_shows_spc_and_passes_axe(page: Any, live_url: str) -> None:
    page.goto(live_url + "/metric/cs-social-worker-caseload")
    page.wait_for_selector("#spc-chart .main-svg")
    assert page.inner_text("#metric-title") == "Children's social worker average caseload"
    assert "Special cause: concern" in page.inner_text("#spc-variation")
    assert "Consistently failing" in page.inner_text("#spc-assurance")
    assert_accessible(page)


def test_area_choice_goes_into_the_url(page: Any, live_url: str) -> None:
    page.goto(live_url + "/metric/looked-after-children-rate?area=E07000199")
    page.wait_for_selector("#spc-heading")
    assert "Tamworth" in page.inner_text("#spc-heading")
    assert page.locator("#districts-table tbody tr").count() == 9


def test_drilldown_compares_with_similar_councils(page: Any, live_url: str) -> None:
    page.goto(live_url + "/metric/asc-info-ease-users")
    page.wait_for_selector("#ranking-chart .main-svg")
    sentence = page.inner_text("#comparison-sentence")
    assert (
        sentence.startswith("Staffordshire ranked ") and " of 16 similar councils in " in sentence
    )
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == 16
    assert "Staffordshire (this council)" in page.inner_text("#ranking-table")
    ranks = [int(r.split()[0]) for r in rows.all_inner_texts()]
    assert ranks == sorted(ranks) and ranks[0] == 1
    page.wait_for_selector("#comparison-chart .main-svg")
    assert_drawn_by_basic_plotly(page)
    assert_accessible(page)


def test_an_officer_rebases_through_the_form_and_sees_the_break(page: Any, live_url: str) -> None:
    page.goto(live_url + "/metric/library-visits")
    page.wait_for_selector("#spc-chart .main-svg")
    assert "Mean and limits from" in page.inner_text("#spc-limits")
    assert page.locator("#spc-chart .shapelayer path").count() == 0
    # Nothing chosen: a GOV.UK error summary linked to each field, and an error beside each
    page.click("#rebase-submit")
    page.wait_for_selector("#rebase-error-summary .pmf-error-summary")
    links = page.locator("#rebase-error-summary a")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href") == "#rebase-period"
    assert "Choose the first period" in page.inner_text("#rebase-period-error")
    assert "Say why the process changed" in page.inner_text("#rebase-reason-error")
    assert_accessible(page)
    options = page.eval_on_selector_all("#rebase-period option", "os => os.map(o => o.value)")
    chosen = options[-24]  # two years before the latest month
    page.select_option("#rebase-period", chosen)
    page.fill("#rebase-reason", "Libraries moved into the family hubs")
    page.click("#rebase-submit")
    page.wait_for_selector("#rebase-status:has-text('Limits recalculated')")
    assert page.locator("#rebase-error-summary .pmf-error-summary").count() == 0
    page.wait_for_selector("#spc-chart .shapelayer path", state="attached")  # the break
    assert "Limits recalculated" in page.inner_text("#spc-chart")
    summary = page.inner_text("#spc-summary")
    assert "Libraries moved into the family hubs (recorded by Jo Bloggs" in summary
    assert_accessible(page)
    # The page as loaded afresh shows the same break
    page.reload()
    page.wait_for_selector("#spc-chart .shapelayer path", state="attached")
    assert "Libraries moved into the family hubs" in page.inner_text("#rebase-list")
    # Withdrawn from the keyboard: the button asks first, then the break goes
    withdraw = page.locator("[id*='rebase-withdraw'][id*='\"type\":\"rebase-withdraw\"']").first
    withdraw.focus()
    page.keyboard.press("Enter")
    yes = page.locator('[id*=\'"type":"rebase-withdraw-yes"\']').first
    yes.wait_for(state="visible")
    assert_accessible(page)
    yes.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#rebase-withdraw-status:has-text('Rebase withdrawn')")
    page.wait_for_selector("#spc-chart .shapelayer path", state="detached")
    assert "Limits recalculated" not in page.inner_text("#spc-chart")
    assert_accessible(page)


def test_the_tables_behind_the_charts_open_from_the_keyboard(page: Any, live_url: str) -> None:
    # The long tables are built when opened: the page arrives without their cells
    page.goto(live_url + "/metric/asc-info-ease-users")
    page.wait_for_selector("#comparison-chart .main-svg")
    assert page.locator("#spc-table").count() == 0
    assert page.locator("#comparison-table").count() == 0
    summary = page.locator("summary", has_text="Show the data as a table")
    summary.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#spc-table tbody tr")
    points = page.locator("#spc-table tbody tr")
    assert points.count() >= 1
    # Newest first, as the chart's last point
    assert page.locator("#spc-table caption").inner_text().endswith("newest first")
    over_time = page.locator("summary", has_text="Show the comparison over time as a table")
    over_time.focus()
    page.keyboard.press(" ")
    page.wait_for_selector("#comparison-table tbody tr")
    assert "Median" in page.inner_text("#comparison-table thead")
    assert page.locator("#comparison-table tbody tr").count() >= 1
    assert_accessible(page)
    # Closed and opened again, the table is still there (built afresh from the same figures)
    page.keyboard.press(" ")
    page.keyboard.press(" ")
    page.wait_for_selector("#comparison-table tbody tr")
