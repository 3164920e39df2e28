"""The page asked for, drawn into the first layout Dash sends, rather than after a callback.

With `use_pages`, Dash sends the page frame first (header, navigation, an empty content area)
and the browser then asks, in a callback of its own, for the page at its address: two round
trips and two renders before anything of the page shows. The browser's request for the layout
names the page it came from (its Referer: this site's pages are sent with `same-origin`), so
the page can be routed here as Dash's router would route it, and sent with the frame. The
router's location is given the same address, so it finds nothing changed when it starts and
asks for nothing; following a link within the dashboard goes through Dash's router as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from dash import html
from dash._pages import _parse_query_string, _path_to_page

from access.policy import page_permission
from access.session import current_viewer

LOG = logging.getLogger(__name__)
# The ids of dash.page_container's parts
LOCATION, CONTENT, STORE = "_pages_location", "_pages_content", "_pages_store"


def asked_address(request: flask.Request) -> tuple[str, str] | None:
    """(pathname, search) of the page this site's request came from, as the browser's
    `window.location` gives them, or None if the request does not name a page of this site."""
    referer = request.headers.get("Referer")
    if not referer:
        return None
    address = urlsplit(referer)
    here = urlsplit(request.host_url)
    if (address.scheme, address.netloc) != (here.scheme, here.netloc):
        return None
    return address.path or "/", f"?{address.query}" if address.query else ""


def routed(app: dash.Dash, pathname: str, search: str) -> tuple[Any, str]:
    """(layout, title) of the page at this address, exactly as Dash's router makes them."""
    page, variables = _path_to_page(app.strip_relative_path(pathname))
    if page == {}:
        for module, found in dash.page_registry.items():
            if module.split(".")[-1] == "not_found_404":
                layout, title = found["layout"], found["title"]
                break
        else:
            layout, title = html.H1("404 - Page not found"), app.title
    else:
        layout, title = page.get("layout", ""), page["title"]
    if callable(layout):
        layout = layout(**{**(variables or {}), **_parse_query_string(search)})
    if callable(title):
        title = title(**(variables or {}))
    return layout, title


def first_page(app: dash.Dash, request: flask.Request) -> tuple[str, str, Any, str] | None:
    """(pathname, search, layout, title) of the page to send with the frame, or None when the
    router in the browser should fetch it (no address named, or a page this viewer is sent
    to sign in for: its callback answers them as before)."""
    address = asked_address(request)
    if address is None:
        return None
    pathname, search = address
    needed = page_permission(pathname)
    if needed and not current_viewer().can(needed):
        return None
    try:
        layout, title = routed(app, pathname, search)
    except Exception:
        # The router's callback will ask again and show the error the usual way
        LOG.exception("Could not draw %s%s into the first layout", pathname, search)
        return None
    return pathname, search, layout, title


def with_page(frame: Any, pathname: str, search: str, layout: Any, title: str) -> Any:
    """A copy of the frame's plain JSON form (as Dash sends it) with the page drawn in its
    content area and the router's location and title set to match; `frame` is unchanged."""
    changes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        LOCATION: lambda props: {**props, "pathname": pathname, "search": search},
        CONTENT: lambda props: {**props, "children": layout},
        STORE: lambda props: {**props, "data": {"title": title}},
    }

    def copy(node: Any) -> Any:
        if isinstance(node, list):
            return [copy(child) for child in node]
        if not isinstance(node, dict) or "props" not in node:
            return node
        props = node["props"]
        change = changes.get(props.get("id")) if isinstance(props.get("id"), str) else None
        if change is not None:
            return {**node, "props": change(props)}
        children = props.get("children")
        if isinstance(children, list | dict):
            return {**node, "props": {**props, "children": copy(children)}}
        return node

    return copy(frame)
