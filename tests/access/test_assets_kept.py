"""Stylesheets and scripts that Dash names by version are kept by browsers (app.py), so a page
load does not ask for each of them again."""

from __future__ import annotations

import re

import dash

from tests.access.conftest import client_as


def test_versioned_assets_are_kept_and_unversioned_ones_checked(demo_app: dash.Dash) -> None:
    client = client_as(demo_app, "public")
    page = client.get("/").get_data(as_text=True)
    addresses = re.findall(r'(/assets/[^"?]+\?m=[0-9.]+)"', page)
    assert any(a.startswith("/assets/pmf.css?") for a in addresses)
    assert any(a.startswith("/assets/pmf.js?") for a in addresses)
    for address in addresses:
        cache = client.get(address).headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache, address
        assert "no-store" not in cache and "no-cache" not in cache
    # Without the version the file may have changed since: the browser checks each time
    assert "max-age=31536000" not in client.get("/assets/pmf.css").headers["Cache-Control"]
    # Pages themselves stay personal and fresh
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_every_callback_run_in_the_browser_has_its_script_in_the_page(demo_app: dash.Dash) -> None:
    # The page's tags are kept between loads; the script of a callback Dash adds at its first
    # request (the page title's) must still be in them, or the browser fails on every route
    client = client_as(demo_app, "public")
    for _ in range(2):
        page = client.get("/").get_data(as_text=True)
        callbacks = client.get("/_dash-dependencies").get_json()
        inline = [
            c["clientside_function"]["function_name"]
            for c in callbacks
            if (c.get("clientside_function") or {}).get("namespace")
            == "_dashprivate_clientside_funcs"
        ]
        assert inline, "the app has callbacks written inline for the browser"
        missing = [name for name in inline if name not in page]
        assert not missing, missing
