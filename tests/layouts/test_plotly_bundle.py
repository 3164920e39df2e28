"""The charts get plotly's basic bundle, of the version the plotly package draws for: answered
at the address Dash's graph asks, from memory, with a 304 to a browser that has it; and every
chart a page draws keeps to the trace types that bundle holds."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import dash
import plotly
import pytest
from dash import dcc
from dash.development.base_component import Component

import layouts._plotly_bundle as bundle
from app import create_app
from tests.conftest import CONFIG
from tests.fixtures.warehouse import CASELOAD, CLAIMANTS, FOI, KSI, TAMWORTH
from tests.layouts.conftest import page, viewing
from warehouse.engine import dispose_engine, duckdb_url

FULL = "/_dash-component-suites/plotly/package_data/plotly.min.js"


def test_the_vendored_bundle_is_the_version_the_plotly_package_draws_for() -> None:
    # Fails when plotly is upgraded without the bundle (layouts/_vendor/README.md says how)
    assert bundle.bundle_version(bundle.BUNDLE.read_bytes()) == bundle.expected_version()


def test_the_full_bundles_address_answers_the_basic_bundle(app: dash.Dash) -> None:
    client = app.server.test_client()
    first = client.get(FULL)
    assert first.status_code == 200
    assert first.data == bundle.BUNDLE.read_bytes()
    assert first.mimetype == "text/javascript"
    assert "no-cache" in first.headers["Cache-Control"]
    tag = first.headers["ETag"]
    # A browser that has it is told it is unchanged, without the 1.2 MB again
    again = client.get(FULL, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    # Dash's own scripts are still Dash's
    renderer = client.get("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js")
    assert renderer.status_code == 200 and b"plotly.js (basic" not in renderer.data
    assert client.get("/_dash-component-suites/plotly/package_data/nothing.js").status_code != 200


def test_a_bundle_of_another_version_leaves_the_full_one_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    older = tmp_path / "plotly-basic.min.js"
    older.write_bytes(b"/**\n* plotly.js (basic - minified) v1.0.0\n*/\n")
    monkeypatch.setattr(bundle, "BUNDLE", older)
    url = duckdb_url(tmp_path / "pmf.duckdb")
    with caplog.at_level(logging.WARNING, logger=bundle.LOG.name):
        served = create_app(CONFIG, url)
    try:
        assert "plotly.js 1.0.0" in caplog.text and bundle.expected_version() in caplog.text
        full = served.server.test_client().get(FULL)
        assert full.status_code == 200
        assert (
            full.data == (Path(plotly.__file__).parent / "package_data/plotly.min.js").read_bytes()
        )
    finally:
        dispose_engine(url)


def trace_types(node: Any) -> set[str]:
    """The type of every trace of every chart in a layout (plotly's default is scatter)."""
    found: set[str] = set()
    if isinstance(node, list | tuple):
        for child in node:
            found |= trace_types(child)
    elif isinstance(node, Component):
        figure = getattr(node, "figure", None) if isinstance(node, dcc.Graph) else None
        if figure:
            found |= {trace.get("type", "scatter") for trace in figure["data"]}
        found |= trace_types(getattr(node, "children", None))
    return found


def test_every_chart_keeps_to_the_trace_types_of_the_bundle(app: dash.Dash) -> None:
    drawn: set[str] = set()
    with viewing(app, "officer"):
        for metric_id in (KSI, CLAIMANTS, FOI, CASELOAD):
            drawn |= trace_types(page("metric").layout(metric_id=metric_id))
        drawn |= trace_types(page("metric").layout(metric_id=CLAIMANTS, area=TAMWORTH))
        drawn |= trace_types(page("milestones").layout())
    assert drawn  # charts were drawn
    assert drawn <= bundle.TRACE_TYPES
