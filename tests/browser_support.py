"""Debian's Chromium for the browser tests, and the axe-core check every page must pass."""

from __future__ import annotations

from typing import Any

from reports.chromium import CHROMIUM_ARGS, chromium_path

CHROMIUM = chromium_path()
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "assert_accessible", "assert_drawn_by_basic_plotly"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail listing every WCAG 2.2 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


CHARTS_DRAWN = """() => ({
    version: window.Plotly.version,
    registered: Object.keys(window.Plotly.PlotSchema.get().traces).sort(),
    drawn: [...document.querySelectorAll('.js-plotly-plot')]
        .flatMap(chart => chart.data.map(trace => trace.type || 'scatter')),
})"""


def assert_drawn_by_basic_plotly(page: Any) -> None:
    """The page's charts were drawn by plotly's basic bundle (layouts._plotly_bundle), of the
    plotly package's version, and each of their traces is of a type it holds."""
    from layouts._plotly_bundle import TRACE_TYPES, expected_version

    found = page.evaluate(CHARTS_DRAWN)
    assert found["version"] == expected_version()
    assert set(found["registered"]) == TRACE_TYPES
    assert found["drawn"] and set(found["drawn"]) <= TRACE_TYPES
