"""Benchmark the dashboard at a million observations: server-side page builds and a real render.

Builds a synthetic registry of 300 district-level metrics (from bench/evaluate_bench.py) and
loads 300 x 9 areas x 370 periods (about 1,000,000 rows) into a temporary DuckDB file, runs
the engine once so the status snapshot exists, then times, in the same run:

- the overview's `layout()` and a drill-down's `layout()` in-process (p50 and p95 of 30);
- the raw DuckDB queries that fetch the same data (the yardstick for each);
- the overview fully rendered in headless Chromium (navigation to the matrix on screen).

Run with `make bench-pages`. Goals: overview and drill-down p95 within 100 ms, the overview
fully rendered within 1.5 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import flask_login
import numpy as np
import pandas as pd
import sqlalchemy as sa
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access.identity import Viewer  # noqa: E402
from access.session import SignedIn  # noqa: E402
from app import create_app  # noqa: E402
from bench.evaluate_bench import write_config  # noqa: E402
from metrics.engine.evaluate import evaluate  # noqa: E402
from metrics.engine.periods import add_months, month_end  # noqa: E402
from metrics.registry.loader import Registry, load_registry  # noqa: E402
from reports.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402
from warehouse.engine import duckdb_url, get_engine  # noqa: E402
from warehouse.observations import load_observations  # noqa: E402
from warehouse.schema import create_tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PERIODS = 370
TODAY = date(2024, 11, 25)
RUNS = 30
DRILL_METRIC = "bench-001"
GOALS = {"overview": 0.100, "drill-down": 0.100, "render": 1.5}


def observations(registry: Registry) -> pd.DataFrame:
    """About a million rows: every metric and area, monthly or weekly, level plus noise."""
    rng = np.random.default_rng(7)
    months = [add_months(date(2024, 10, 1), -k) for k in range(PERIODS)][::-1]
    weeks = [date(2024, 11, 11) - timedelta(weeks=k) for k in range(PERIODS)][::-1]
    frames = []
    for metric in registry.metrics:
        weekly = metric.frequency == "weekly"
        starts = weeks if weekly else months
        ends = [s + timedelta(days=6) for s in weeks] if weekly else [month_end(m) for m in months]
        for area in registry.areas_for(metric):
            frames.append(
                pd.DataFrame(
                    {
                        "metric_id": metric.id,
                        "area_code": area.code,
                        "period_start": starts,
                        "period_end": ends,
                        "value": np.round(52 + rng.normal(0, 1.5, PERIODS), 1),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def timings(task: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """(p50, p95) seconds of `runs` timed calls after one warm-up."""
    task()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        task()
        times.append(time.perf_counter() - began)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def render_times(url: str, runs: int = 5) -> tuple[float, float]:
    """(p50, max) seconds from navigation to the overview's matrix being on screen."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(url)
        page.wait_for_selector("#overview-matrix")
        for _ in range(runs):
            began = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("#overview-matrix")
            times.append(time.perf_counter() - began)
        browser.close()
    return statistics.median(times), max(times)


def main() -> int:
    """Build the data, time everything, print a table; exit 1 if a goal is missed."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "config").mkdir()
        write_config(folder / "config")
        registry = load_registry(folder / "config")
        url = duckdb_url(folder / "bench.duckdb")
        engine = get_engine(url)
        create_tables(engine)
        frame = observations(registry)
        with engine.begin() as conn:
            load_observations(conn, frame, run_id=None, now=pd.Timestamp.now().to_pydatetime())
        evaluate(registry, engine, today=TODAY)
        print(f"{len(frame):,} observations loaded; snapshot computed")

        app = create_app(folder / "config", url)
        import layouts.metric as drill
        import layouts.overview as overview

        with app.server.test_request_context("/"):
            # Timed as a signed-in officer, who sees every measure (the public sees fewer)
            flask_login.login_user(SignedIn(Viewer("bench", "Benchmark officer", "officer")))
            over = timings(lambda: overview.layout())
            deep = timings(lambda: drill.layout(metric_id=DRILL_METRIC))
        raw_engine = engine
        snapshot_sql = sa.text("SELECT * FROM status_snapshot")
        drill_sql = sa.text(
            "SELECT * FROM observations WHERE metric_id = :m AND superseded_at IS NULL "
            "ORDER BY area_code, period_start"
        )

        def raw_overview() -> None:
            with raw_engine.connect() as conn:
                pd.read_sql(snapshot_sql, conn)

        def raw_drill() -> None:
            with raw_engine.connect() as conn:
                pd.read_sql(drill_sql, conn, params={"m": DRILL_METRIC})

        over_raw = timings(raw_overview)
        deep_raw = timings(raw_drill)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        render = render_times(f"http://127.0.0.1:{server.server_port}/")
        server.shutdown()
        engine.dispose()

    rows = [
        ("overview layout()", over, over_raw, GOALS["overview"]),
        ("drill-down layout()", deep, deep_raw, GOALS["drill-down"]),
    ]
    print(
        f"\n{'what':24} {'p50 ms':>8} {'p95 ms':>8} {'raw p50 ms':>11} {'× raw':>7} {'goal p95':>9}"
    )
    missed = []
    for name, (p50, p95), (raw50, _), goal in rows:
        print(
            f"{name:24} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {raw50 * 1000:11.1f} "
            f"{p50 / raw50:7.1f} "
            f"{goal * 1000:8.0f}ms"
        )
        if p95 > goal:
            missed.append(name)
    print(
        f"{'overview in Chromium':24} {render[0] * 1000:8.0f} {render[1] * 1000:8.0f} (max) "
        f"{'':>11} {'':>7} {GOALS['render'] * 1000:8.0f}ms"
    )
    if render[1] > GOALS["render"]:
        missed.append("render")
    if missed:
        print("Missed goals: " + ", ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
