"""The drill-down in a real browser: SPC chart, readings in words, table, filters in the URL."""

from __future__ import annotations

from typing import Any

from tests.browser_support import assert_accessible


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
    assert_accessible(page)
