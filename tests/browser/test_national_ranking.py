"""In a real browser, on a 390 px phone: a measure ranked among every English council (more
than the chart labels) lists them in a closed disclosure that the keyboard opens; its long
table scrolls in its own region, never the page sideways, and axe-core finds nothing."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from app import create_app
from metrics.figures import LABELLED_BARS
from metrics.registry.loader import load_registry
from pipelines.runner import run_pipeline
from tests.browser_support import assert_accessible
from tests.conftest import CONFIG
from tests.fixtures.national import REAL
from warehouse.engine import duckdb_url, get_engine
from warehouse.schema import create_tables

MEASURE = "asc-carer-quality-of-life"


@pytest.fixture(scope="module")
def national_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Oflog's published file alone, loaded through its pipeline: every English council's
    figures up to the latest year, the council's own among them."""
    folder = tmp_path_factory.mktemp("national")
    url = duckdb_url(folder / "national.duckdb")
    engine = get_engine(url)
    create_tables(engine)
    drops = folder / "drop"
    drops.mkdir()
    shutil.copy(REAL / "oflog_adult_social_care.csv", drops)
    assert run_pipeline(load_registry(CONFIG), engine, "oflog-asc", drop_folder=drops).ok
    app = create_app(CONFIG, url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_every_english_council_ranked_opens_from_the_keyboard_and_fits_a_phone(
    browser: Any, national_site: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{national_site}/metric/{MEASURE}?group=english-councils")
        summary = page.locator("summary:has-text('councils ranked as a table')")
        summary.wait_for()
        found = re.search(r"Show all (\d+) councils", summary.inner_text())
        assert found, summary.inner_text()
        councils = int(found.group(1))
        assert councils > LABELLED_BARS
        assert page.locator("#ranking-table").count() == 0  # built only when asked for
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone, closed"
        summary.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#ranking-table tbody tr >> nth={councils - 1}")
        assert page.locator("#ranking-table tbody tr").count() == councils
        assert "Staffordshire (this council)" in page.inner_text("#ranking-table")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone, open"
        scroller = page.locator(".pmf-table-scroll:has(#ranking-table)")
        if scroller.count():  # a table wider than the phone scrolls in a named region
            assert scroller.get_attribute("role") == "region"
            assert scroller.get_attribute("aria-label")
        assert_accessible(page)
        page.keyboard.press("Enter")  # closed again from the keyboard
        assert page.locator("details:has(#ranking-table)").get_attribute("open") is None
    finally:
        context.close()
