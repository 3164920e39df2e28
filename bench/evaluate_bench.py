"""Benchmark the performance engine: evaluate 300 metrics x 9 areas x 260 periods.

Builds a synthetic registry (YAML, in a temporary folder) and loads 702,000 observations
into a temporary DuckDB file, then times:

- the yardstick: one raw DuckDB query fetching the same rows the engine reads;
- the first evaluation, which raises every flag;
- a steady-state evaluation (nothing changed since the last), best of three.

Run with `make bench-engine`. The goal is a steady-state evaluation within 2 seconds.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics.engine.evaluate import evaluate
from metrics.engine.periods import add_months, month_end
from metrics.engine.series_layout import series_layout
from metrics.engine.snapshot import spc_table
from metrics.engine.status import status_table
from metrics.registry.loader import Registry, load_registry
from warehouse.bulk import current_values, fetch_baseline
from warehouse.engine import duckdb_url, get_engine
from warehouse.observations import load_observations
from warehouse.schema import create_tables

ROOT = Path(__file__).resolve().parents[1]
METRICS = 300
PERIODS = 260
GOAL_SECONDS = 2.0
TODAY = date(2024, 11, 25)
FIRST_MONTH = add_months(date(2024, 10, 1), -(PERIODS - 1))
FIRST_WEEK = date(2024, 11, 11) - timedelta(weeks=PERIODS - 1)


def write_config(folder: Path) -> None:
    """A copy of the shipped plan and settings, with 300 synthetic district-level metrics."""
    for name in ("plan.yaml", "settings.yaml", "defaults.yaml", "flags.yaml"):
        shutil.copy(ROOT / "config" / name, folder / name)
    (folder / "metrics").mkdir()
    lines = [
        "defaults:",
        "  priority: jobs-growth",
        "  portfolio: economy-skills",
        "  select_committee: prosperous-staffordshire",
        "  owner: Head of Performance",
        "  area_level: districts",
        "  unit: percent",
        # Public, so the page benchmark's anonymous browser sees every measure too
        "  visibility: public",
        "metrics:",
    ]
    for i in range(METRICS):
        polarity = ("higher_is_better", "lower_is_better", "neutral")[i % 3]
        lines += [
            f"  - id: bench-{i:03d}",
            f"    name: Benchmark measure {i}",
            "    description: A synthetic measure for the engine benchmark.",
            f"    polarity: {polarity}",
            f"    frequency: {'weekly' if i % 4 == 0 else 'monthly'}",
        ]
        if polarity != "neutral":
            if i % 5 == 0:
                lines.append(
                    "    target: [{from: 2010-04-01, value: 50}, {from: 2020-04-01, value: 52}]"
                )
            else:
                lines.append("    target: 50")
            lines.append(f"    tolerance: {{{'percent: 5' if i % 2 else 'absolute: 2'}}}")
        if i % 7 == 0:
            lines.append("    spc: {rebase_at: [2020-04-01]}")
        if i % 6 == 0:
            lines.append("    year_to_date: sum")
    (folder / "metrics" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def synthetic_observations(registry: Registry) -> pd.DataFrame:
    """702,000 rows: a level, noise and, for some series, a drift off target or a late feed."""
    rng = np.random.default_rng(2024)
    months = np.array([add_months(FIRST_MONTH, k) for k in range(PERIODS)])
    month_ends = np.array([month_end(m) for m in months])
    weeks = np.array([FIRST_WEEK + timedelta(weeks=k) for k in range(PERIODS)])
    week_ends = weeks + timedelta(days=6)
    frames = []
    for index, metric in enumerate(registry.metrics):
        weekly = metric.frequency == "weekly"
        starts, ends = (weeks, week_ends) if weekly else (months, month_ends)
        for area_index, area in enumerate(registry.areas_for(metric)):
            drift = 6.0 if (index + area_index) % 9 == 0 else 0.0
            values = 52 + rng.normal(0, 1.5, PERIODS) + np.linspace(0, drift, PERIODS)
            # One series in forty stops three periods early, so some data is late
            keep = PERIODS - (3 if (index * 9 + area_index) % 40 == 0 else 0)
            frames.append(
                pd.DataFrame(
                    {
                        "metric_id": metric.id,
                        "area_code": area.code,
                        "period_start": starts[:keep],
                        "period_end": ends[:keep],
                        "value": np.round(values[:keep], 1),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def best_of(runs: int, task: Callable[[], object]) -> float:
    """The fastest of several timed runs of a no-argument callable."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        task()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> int:
    """Build, load, time and print the results; exit 1 if the goal is missed."""
    with tempfile.TemporaryDirectory(prefix="pmf-bench-") as tmp:
        folder = Path(tmp)
        config = folder / "config"
        config.mkdir()
        write_config(config)
        registry = load_registry(config)
        engine = get_engine(duckdb_url(folder / "bench.duckdb"))
        create_tables(engine)
        frame = synthetic_observations(registry)
        with engine.begin() as conn:
            load_observations(conn, frame, run_id=None, now=datetime.now())
        rows = len(frame)
        with engine.connect() as conn:
            conn.execute(sa.text("CHECKPOINT"))

        baseline = best_of(3, lambda: fetch_baseline(engine))
        began = time.perf_counter()
        first = evaluate(registry, engine, today=TODAY)
        first_seconds = time.perf_counter() - began
        steady = best_of(3, lambda: evaluate(registry, engine, today=TODAY))
        layout = series_layout(status_table(registry.metrics, current_values(engine)))
        spc = best_of(3, lambda: spc_table(registry, layout))
        engine.dispose()

    print(f"Engine benchmark: {len(registry)} metrics, {first.series} series, {rows:,} rows")
    print(f"  raw DuckDB fetch of the same rows (yardstick): {baseline:.3f} s")
    print(
        f"  first evaluation (raises {first.flags.raised} flags): {first_seconds:.3f} s "
        f"= {first_seconds / baseline:.1f} x yardstick"
    )
    verdict = "met" if steady <= GOAL_SECONDS else "MISSED"
    print(
        f"  steady-state evaluation, best of 3: {steady:.3f} s "
        f"= {steady / baseline:.1f} x yardstick (goal {GOAL_SECONDS:.1f} s: {verdict})"
    )
    print(
        f"  of which SPC (metrics.engine.spc.xmr once per series): {spc:.3f} s "
        f"= {spc / baseline:.1f} x yardstick"
    )
    return 0 if steady <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
