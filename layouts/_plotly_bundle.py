"""The charts' plotly.js: its basic bundle (scatter, bar and pie traces), not the full one.

Dash's graph asks for plotly.js when a page first draws a chart, at the address of the full
bundle the plotly package ships: 4.8 MB holding every trace type (maps, 3D, finance ...), which
the browser fetches, parses and starts before a chart shows, and which Dash reads from disk and
hashes again on every request. The dashboard draws only scatter and bar traces, and plotly's
basic bundle of the same version (1.2 MB, kept in `layouts/_vendor` with its licence) draws
them alike, so it is answered at that address instead, from memory, with an ETag: a browser
that has it asks only whether it changed. Should the plotly package move to another version,
the full bundle is served as before (a bundle of one version drawing another's figures could
draw them wrongly) and a warning says to update the basic one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import flask

LOG = logging.getLogger(__name__)
BUNDLE = Path(__file__).resolve().parent / "_vendor" / "plotly-basic.min.js"
# Where Dash's graph asks for plotly.js (package, path), beneath the component suites
FULL_BUNDLE = ("plotly", "package_data/plotly.min.js")
COMPONENT_SUITES = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"
# The trace types the basic bundle draws: every figure the dashboard sends keeps to them
TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
_VERSION = re.compile(rb"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)")


def bundle_version(body: bytes) -> str | None:
    """The plotly.js version a basic bundle names in its opening comment."""
    found = _VERSION.search(body[:500])
    return found.group(1).decode() if found else None


def expected_version() -> str:
    """The plotly.js version the installed plotly package draws its figures for."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def serve_basic_plotly(server: flask.Flask, prefix: str) -> bool:
    """Answer Dash's request for the full plotly.js with the basic bundle, where both are the
    same version; `prefix` is the app's routes prefix. Whether it is served."""
    body = BUNDLE.read_bytes()
    version, expected = bundle_version(body), expected_version()
    if version != expected:
        LOG.warning(
            "Serving the full plotly.js: %s is plotly.js %s but the plotly package draws for "
            "%s. Replace it with plotly.js-basic-dist-min %s from the npm registry.",
            BUNDLE,
            version,
            expected,
            expected,
        )
        return False
    endpoint = prefix + COMPONENT_SUITES
    dash_view = server.view_functions[endpoint]
    tag = hashlib.sha256(body).hexdigest()[:32]

    def serve(package_name: str, fingerprinted_path: str) -> Any:  # Dash's answer, or the bundle's
        if (package_name, fingerprinted_path) != FULL_BUNDLE:
            return dash_view(package_name, fingerprinted_path)
        response = flask.Response(body, mimetype="text/javascript")
        response.set_etag(tag)
        # The address carries no version, so the browser asks each time whether it changed
        response.cache_control.no_cache = True
        return response.make_conditional(flask.request)

    server.view_functions[endpoint] = serve
    return True
