"""The page asked for is drawn into the first layout (layouts/_first_page.py): the same
content the router's callback would send, with the router's location set to match, and only
for a page of this site the viewer may open."""

from __future__ import annotations

import json
from typing import Any

import dash

from tests.access.conftest import client_as, render_page


def _find(node: Any, component_id: str) -> dict[str, Any] | None:
    """The component with this id in a layout's JSON form."""
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found is not None:
                return found
        return None
    if not isinstance(node, dict) or "props" not in node:
        return None
    if node["props"].get("id") == component_id:
        return node
    return _find(node["props"].get("children"), component_id)


def _first_layout(client: Any, address: str) -> dict[str, Any]:
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost" + address})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data(as_text=True))


def test_the_page_comes_with_the_frame_as_the_router_would_send_it(
    demo_app: dash.Dash, role: str
) -> None:
    client = client_as(demo_app, role)
    frame = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    for path, search in [("/", ""), ("/", "?priority=jobs-growth&enabler=digital"), ("/plan", "")]:
        layout = _first_layout(client, path + search)
        routed = json.loads(render_page(client, path, search))["response"]
        content = _find(layout, "_pages_content")
        assert content is not None
        assert content["props"]["children"] == routed["_pages_content"]["children"]
        store = _find(layout, "_pages_store")
        assert store is not None and store["props"]["data"] == routed["_pages_store"]["data"]
        location = _find(layout, "_pages_location")
        assert location is not None
        assert (location["props"]["pathname"], location["props"]["search"]) == (path, search)
        # The rest of the frame is the viewer's own, unchanged
        header = _find(layout, "pmf-url")
        assert header is not None and header == _find(frame, "pmf-url")
        assert json.dumps(layout).count('"id": "main-content"') == 1
    assert "overview-matrix" in json.dumps(_first_layout(client, "/"))
    cell = _first_layout(client, "/?priority=jobs-growth&enabler=digital")
    assert _find(cell, "cell-measures") is not None


def test_no_page_is_drawn_for_another_site_or_a_page_the_viewer_may_not_open(
    demo_app: dash.Dash,
) -> None:
    public = client_as(demo_app, "public")
    frame = public.get("/_dash-layout").get_data()
    for referer in ("http://elsewhere.example/", "http://localhost/data", ""):
        asked = public.get("/_dash-layout", headers={"Referer": referer} if referer else {})
        assert asked.get_data() == frame, referer
    officer = client_as(demo_app, "officer")
    assert "run-now" in officer.get(
        "/_dash-layout", headers={"Referer": "http://localhost/data"}
    ).get_data(as_text=True)


def test_the_page_asks_for_its_layout_as_it_starts(demo_app: dash.Dash) -> None:
    page = client_as(demo_app, "public").get("/").get_data(as_text=True)
    for answer in ("_dash-layout", "_dash-dependencies"):
        assert f'<link rel="preload" href="/{answer}" as="fetch" crossorigin="anonymous">' in page
