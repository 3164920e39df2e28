"""Write a screenshot of every page to docs/screenshots/, from a fresh demo warehouse.

Run with `make screenshots`. Uses Debian's Chromium through Playwright, at tablet width.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from access.users import add_user  # noqa: E402
from app import create_app  # noqa: E402
from demo.load import load_demo  # noqa: E402
from metrics.registry.loader import load_registry  # noqa: E402
from reports.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402
from warehouse.engine import duckdb_url, get_engine  # noqa: E402
from warehouse.schema import create_tables  # noqa: E402

PASSWORD = "screenshots-only"  # the warehouse is temporary and deleted afterwards
PAGES = [
    ("overview", "/", "#overview-matrix"),
    ("portfolio", "/portfolio/children-young-people", "#portfolio-cards"),
    ("metric", "/metric/cs-social-worker-caseload", "#spc-chart .main-svg"),
    ("metric-comparison", "/metric/asc-info-ease-users", "#spc-chart .main-svg"),
    ("committee", "/committee/safe-strong-communities", "#committee-remit"),
    ("milestones", "/milestones", "#milestones-chart .main-svg"),
    ("actions", "/actions", "#actions-title"),
    ("data", "/data", "#pipelines-table"),
    ("catalogue", "/catalogue", "#catalogue-grid .ag-row"),
]


def main() -> int:
    """Build the demo, serve it, and save one PNG per page."""
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = duckdb_url(Path(tmp) / "demo.duckdb")
        engine = get_engine(url)
        create_tables(engine)
        registry = load_registry(ROOT / "config")
        load_demo(registry, engine, date.today())
        add_user(
            engine, "officer", PASSWORD, "officer", actor="screenshots", display_name="Sam Officer"
        )
        app = create_app(ROOT / "config", url)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            # Signed in as an officer, so the internal pages and every measure are shown
            page.goto(base + "/login")
            page.fill("#signin-username", "officer")
            page.fill("#signin-password", PASSWORD)
            page.click("#signin-submit")
            page.wait_for_selector("#signed-in-as")
            for name, path, ready in PAGES:
                page.goto(base + path)
                page.wait_for_selector(ready)
                page.wait_for_timeout(500)  # let charts finish their first draw
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(f"wrote docs/screenshots/{name}.png")
            browser.close()
        server.shutdown()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
