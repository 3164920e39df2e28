"""Browser tests: the real app on a local port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from access.users import add_user
from app import create_app
from demo.load import load_demo
from jobs.worker import JobWorker
from metrics.registry.loader import load_registry
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine
from warehouse.schema import create_tables

# The pages judge freshness and milestones against today, so the demo is built as at today
DEMO_AS_OF = date.today()
OFFICER = ("jo", "Jo Bloggs")
OFFICER_PASSWORD = "browser-test-password"


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
    add_user(engine, OFFICER[0], OFFICER_PASSWORD, "officer", actor="test", display_name=OFFICER[1])
    app = create_app(CONFIG, url)
    # As `pmf serve` does: a job worker beside the web server does the runs and packs asked for
    worker = JobWorker(registry, engine).start()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    worker.stop()


def sign_in(tab: Any, live_url: str, username: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    tab.goto(live_url + "/login")
    tab.fill("#signin-username", username)
    tab.fill("#signin-password", password)
    tab.click("#signin-submit")
    tab.wait_for_selector("#signed-in-as")


@pytest.fixture
def anonymous_page(browser: Any) -> Iterator[Any]:
    """A fresh tablet-sized page, not signed in (the public)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def page(anonymous_page: Any, live_url: str) -> Any:
    """A fresh tablet-sized page, signed in as an officer of the performance team."""
    sign_in(anonymous_page, live_url, OFFICER[0], OFFICER_PASSWORD)
    return anonymous_page
