"""A page loaded afresh arrives with its first layout (layouts/_first_page.py): no callback is
asked for before it shows, links within the dashboard still go through Dash's router, and a
link to part of a page still brings that part into view."""

from __future__ import annotations

from typing import Any


def _callbacks(tab: Any) -> list[str]:
    asked: list[str] = []
    tab.on(
        "request",
        lambda request: (
            asked.append(request.url) if "/_dash-update-component" in request.url else None
        ),
    )
    return asked


def test_the_overview_shows_without_a_callback_and_links_still_route(
    anonymous_page: Any, live_url: str
) -> None:
    asked = _callbacks(anonymous_page)
    answers: list[str] = []
    anonymous_page.on(
        "request",
        lambda r: (
            answers.append(r.url.rsplit("/", 1)[-1])
            if r.url.endswith(("/_dash-layout", "/_dash-dependencies"))
            else None
        ),
    )
    anonymous_page.goto(live_url + "/")
    anonymous_page.wait_for_selector("#overview-matrix")
    anonymous_page.wait_for_load_state("networkidle")
    assert asked == []
    # The page's early requests are the ones Dash's renderer uses
    assert sorted(answers) == ["_dash-dependencies", "_dash-layout"]
    # A link within the dashboard is routed in the browser, by a callback, as before
    anonymous_page.click("a[href='/plan']")
    anonymous_page.wait_for_selector("#overview-matrix", state="detached")
    assert anonymous_page.url.endswith("/plan")
    assert len(asked) >= 1
    anonymous_page.go_back()
    anonymous_page.wait_for_selector("#overview-matrix")


def test_a_cell_link_loaded_afresh_lists_the_cell_and_brings_it_into_view(
    page: Any, live_url: str
) -> None:
    asked = _callbacks(page)
    page.goto(live_url + "/?priority=safer-supported&enabler=workforce#cell-measures")
    page.wait_for_selector("#cell-table")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'cell-measures'"
    )
    assert "Children's social worker average caseload" in page.inner_text("#cell-table")
    assert "priority=safer-supported" in page.url and page.url.endswith("#cell-measures")
    page.wait_for_load_state("networkidle")
    assert asked == []
