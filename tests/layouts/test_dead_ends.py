"""No dead ends: the plan links every measure, an unpublished measure asks the public to sign
in (saying nothing else about it), and an unknown address or id is a real 404 page."""

from __future__ import annotations

import re
from typing import Any

import dash
import pytest
from dash import dcc

from access.not_found import install_not_found, page_exists
from layouts._runtime import CONFIG_KEY
from tests.fixtures.warehouse import CLAIMANTS, INTERNAL_METRIC
from tests.layouts.conftest import page, plain, text_of, viewing


def links(component: Any) -> list[str]:
    """Every link's address in a component tree, in order."""
    if isinstance(component, list | tuple):
        return [href for child in component for href in links(child)]
    found = []
    href = getattr(component, "href", None)
    if isinstance(component, dcc.Link | dash.html.A) and href:
        found.append(str(href))
    return found + links(getattr(component, "children", None) or [])


def test_the_plan_links_every_measure_the_viewer_may_see(app: dash.Dash) -> None:
    registry = app.server.config[CONFIG_KEY].registry
    with viewing(app, "member"):
        layout = page("plan").layout()
    hrefs = set(links(layout))
    assert {f"/metric/{m.id}" for m in registry} <= hrefs
    assert not re.search(r"\b1 measures", text_of(layout))
    with viewing(app, "public"):
        public = set(links(page("plan").layout()))
    assert f"/metric/{INTERNAL_METRIC}" not in public and f"/metric/{CLAIMANTS}" in public


def test_an_unpublished_measure_asks_the_public_to_sign_in_and_tells_nothing_more(
    app: dash.Dash,
) -> None:
    registry = app.server.config[CONFIG_KEY].registry
    metric = registry.metric(INTERNAL_METRIC)
    with viewing(app, "public"):
        layout = page("metric").layout(metric_id=INTERNAL_METRIC, area="", start="", end="")
    words = text_of(layout)
    assert "Sign in to see this measure" in words
    assert "not found" not in words.lower()
    assert metric.name not in words and metric.owner not in words
    assert f"/login?next=/metric/{INTERNAL_METRIC}" in links(layout)
    with viewing(app, "member"):
        signed_in = text_of(page("metric").layout(metric_id=INTERNAL_METRIC))
    assert metric.name in signed_in and "Sign in" not in signed_in


def test_the_way_back_after_sign_in_keeps_the_view_asked_for(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("metric").layout(
            metric_id=INTERNAL_METRIC, area="E07000192", start="all", end=""
        )
    assert f"/login?next=/metric/{INTERNAL_METRIC}%3Farea%3DE07000192%26start%3Dall" in links(
        layout
    )


@pytest.mark.parametrize("role", ["public", "member"])
def test_an_unknown_measure_says_so_and_where_to_go(app: dash.Dash, role: str) -> None:
    with viewing(app, role):
        layout = page("metric").layout(metric_id="no-such-measure")
    words = text_of(layout)
    assert "Measure not found" in words and "“no-such-measure”" in words
    assert {"/catalogue", "/plan", "/"} <= set(links(layout))


def test_the_404_page_says_what_was_not_found(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("not_found_404").layout()
        path = plain(page("not_found_404").show_path)("/no/such/page")
    words = text_of(layout)
    assert "Page not found" in words and "There is no page at" in words
    assert path == "/no/such/page"
    assert {"/catalogue", "/plan", "/"} <= set(links(layout))


def test_pages_that_exist_are_told_from_those_that_do_not(app: dash.Dash) -> None:
    registry = app.server.config[CONFIG_KEY].registry
    committee = registry.plan.select_committees[0].id
    for path in ("/", "/catalogue", "/plan/", f"/metric/{CLAIMANTS}", f"/committee/{committee}"):
        assert page_exists(path, registry), path
    for path in ("/nowhere", "/metric/no-such", "/metric/", "/committee/x", "/catalogue/x"):
        assert not page_exists(path, registry), path
    assert not page_exists("/not-found-404", registry)


def test_an_unknown_address_is_answered_with_status_404(writable_app: dash.Dash) -> None:
    # create_app installs the hook; installing it again changes nothing
    client = writable_app.server.test_client()
    assert client.get("/nowhere").status_code == 404
    install_not_found(writable_app.server, writable_app.server.config[CONFIG_KEY].registry)
    client = writable_app.server.test_client()
    for path in ("/nowhere", "/metric/no-such-measure", "/committee/no-such-committee"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert b"_dash-renderer" in answer.data or b"dash-renderer" in answer.data
    for path in ("/", "/catalogue", f"/metric/{CLAIMANTS}", f"/metric/{INTERNAL_METRIC}"):
        assert client.get(path).status_code == 200, path
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/actions").status_code == 302  # sent to sign in, not "not found"
