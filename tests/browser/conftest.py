"""Browser tests: the real app on a local port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from app import create_app
from metrics.evaluate import evaluate
from metrics.registry import load_registry
from pipelines.demo import load_demo
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine
from warehouse.tables import create_tables

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# The pages judge freshness and milestones against today, so the demo is built as at today
DEMO_AS_OF = date.today()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app over real HTTP on a free local port, on a demo warehouse."""
    folder: Path = tmp_path_factory.mktemp("live")
    url = duckdb_url(folder / "live.duckdb")
    engine = get_engine(url)
    create_tables(engine)
    registry = load_registry(CONFIG)
    load_demo(registry, engine, DEMO_AS_OF)
    evaluate(registry, engine, today=DEMO_AS_OF)
    app = create_app(CONFIG, url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make system-deps' (apt package chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tablet-sized page."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    tab = context.new_page()
    yield tab
    context.close()


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail listing every WCAG 2.2 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
