"""Debian's Chromium for the browser tests, and the axe-core check every page must pass."""

from __future__ import annotations

from typing import Any

from reports.chromium import CHROMIUM_ARGS, chromium_path

CHROMIUM = chromium_path()
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "assert_accessible"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail listing every WCAG 2.2 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
