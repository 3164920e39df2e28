"""Benchmark the performance engine: evaluate 300 metrics x 9 areas x 260 periods.

Builds a synthetic registry (YAML, in a temporary folder) and loads 702,000 observations
into a temporary DuckDB file, then times, in the same run:

- the yardstick: one raw DuckDB query fetching the same rows the engine reads;
- the first evaluation, which raises the flags;
- a steady-state evaluation (nothing changed since the last), best of five, taking turns
  with the yardstick;
- SPC alone: every series at once (`metrics.spc.xmr_all`, what the engine runs) and, for
  comparison, `metrics.spc.xmr` called once per series.

Run with `make bench-engine`. The goal is the steady-state whole-registry evaluation within
2x the yardstick (both best of five over best of ten, and the median of each run over the
yardstick run just before it); the script prints the figures, rewrites the engine section of
docs/performance.md and exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics.engine.evaluate import evaluate
from metrics.engine.periods import add_months, month_end
from metrics.engine.series import SPC_WINDOW, series_rebases, spc_for
from metrics.engine.series_layout import SeriesLayout, series_layout
from metrics.engine.snapshot import spc_table
from metrics.engine.status import status_table
from metrics.registry.loader import Registry, load_registry
from warehouse.bulk import current_values, fetch_baseline
from warehouse.engine import duckdb_url, get_engine
from warehouse.observations import load_observations
from warehouse.schema import create_tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.doc_section import replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
BEGIN = (
    "<!-- engine section: maintained with bench/evaluate_bench.py; replace only this section -->"
)
END = "<!-- end engine section -->"
METRICS = 300
PERIODS = 260
GOAL_RATIO = 2.0
RUNS = 5
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


def spc_once_per_series(registry: Registry, layout: SeriesLayout) -> None:
    """The reference: metrics.spc.xmr (through spc_for) called once per series, as before."""
    frame = layout.frame
    values = frame["value"].to_numpy(dtype=float)
    starts = frame["period_start"].to_numpy(dtype="datetime64[D]")
    targets = frame["target"].to_numpy(dtype=float)
    bounds = layout.bounds.tolist()
    for number in range(layout.count):
        lo, hi = bounds[number], bounds[number + 1]
        lo = max(lo, hi - SPC_WINDOW)
        metric = registry.metric(str(layout.metric_ids[number]))
        target = targets[hi - 1]
        spc_for(
            metric,
            values[lo:hi],
            starts[lo:hi],
            None if np.isnan(target) else float(target),
            series_rebases(metric, str(layout.area_codes[number]), {}),
        )


@dataclass(frozen=True)
class Figures:
    """What one run measured, in seconds."""

    rows: int
    series: int
    flags: int
    baseline: float
    first: float
    steady: float
    spc_all: float
    spc_each: float
    paired: tuple[float, ...]  # each steady-state run over the yardstick run just before it
    load: tuple[float, float]  # the machine's one-minute load average at the start and end

    def ratio(self, seconds: float) -> float:
        """Seconds as a multiple of the yardstick."""
        return seconds / self.baseline

    @property
    def steady_ratio(self) -> float:
        """What the goal is judged on: the best steady-state run over the best yardstick run,
        or the median of the paired ratios, whichever is higher."""
        return max(self.ratio(self.steady), statistics.median(self.paired))

    @property
    def met(self) -> bool:
        """Whether the steady-state evaluation is within the goal."""
        return self.steady_ratio <= GOAL_RATIO


def measure() -> Figures:
    """Build the registry and warehouse in a temporary folder and time everything."""
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
        with engine.connect() as conn:
            conn.execute(sa.text("CHECKPOINT"))
        rows = len(frame)
        # The synthetic rows are the benchmark's, not the engine's: let them go, so the
        # garbage collector does not walk them during the timed runs
        del frame
        gc.collect()

        baseline = best_of(RUNS, lambda: fetch_baseline(engine))
        began = time.perf_counter()
        first = evaluate(registry, engine, today=TODAY)
        first_seconds = time.perf_counter() - began
        # The yardstick and the evaluation take turns, so a busy spell on a shared machine
        # is less likely to flatter or punish one side only
        load_before = os.getloadavg()[0]
        steady = float("inf")
        paired = []
        for _ in range(RUNS):
            fetch = best_of(1, lambda: fetch_baseline(engine))
            run = best_of(1, lambda: evaluate(registry, engine, today=TODAY))
            baseline, steady = min(baseline, fetch), min(steady, run)
            paired.append(run / fetch)
        layout = series_layout(status_table(registry.metrics, current_values(engine)))
        spc_all = best_of(3, lambda: spc_table(registry, layout))
        spc_each = best_of(1, lambda: spc_once_per_series(registry, layout))
        engine.dispose()
    return Figures(
        rows=rows,
        series=first.series,
        flags=first.flags.raised,
        baseline=baseline,
        first=first_seconds,
        steady=steady,
        spc_all=spc_all,
        spc_each=spc_each,
        paired=tuple(paired),
        load=(load_before, os.getloadavg()[0]),
    )


def table(f: Figures) -> str:
    """The results as a markdown table of ratios to the yardstick, with seconds beside them."""
    rows = [
        ("yardstick: raw DuckDB fetch of the same rows", f.baseline),
        (f"first evaluation (raises {f.flags:,} flags)", f.first),
        (f"steady-state evaluation, best of {RUNS}", f.steady),
        ("of which SPC, every series at once (`metrics.spc.xmr_all`)", f.spc_all),
        ("SPC as before: `metrics.spc.xmr` once per series", f.spc_each),
    ]
    lines = ["| what | × yardstick | seconds |", "|---|---|---|"]
    lines += [f"| {what} | {f.ratio(sec):.2f} | {sec:.3f} |" for what, sec in rows]
    low, high = min(f.paired), max(f.paired)
    lines.append(
        f"| steady-state over the yardstick run just before it, median of {RUNS} (range) "
        f"| {statistics.median(f.paired):.2f} ({low:.2f}–{high:.2f}) | |"
    )
    return "\n".join(lines)


def _wrap(line: str) -> str:
    # Prose is wrapped like the rest of the docs; tables, headings and markers are kept as is
    if line.startswith(("|", "#", "<!--")) or "\n|" in line:
        return line
    return textwrap.fill(line, width=95, break_on_hyphens=False, break_long_words=False)


def write_doc(f: Figures) -> None:
    """Replace the engine section of docs/performance.md (other sections are left alone)."""
    steady = f.steady_ratio
    verdict = (
        f"The goal, a steady-state evaluation within {GOAL_RATIO:g}× the yardstick (judged on "
        f"the higher of the best-of ratio and the median paired ratio), is met ({steady:.2f}×)."
        if f.met
        else f"The goal, a steady-state evaluation within {GOAL_RATIO:g}× the yardstick (judged "
        f"on the higher of the best-of ratio and the median paired ratio), is missed: "
        f"{steady:.2f}×."
    )
    section = "\n".join(
        _wrap(line)
        for line in [
            BEGIN,
            "## The performance engine (`make bench-engine`)",
            "",
            "**What is timed.** `bench/evaluate_bench.py` writes a synthetic registry of 300 "
            "district-level metrics (a third each higher-is-better, lower-is-better and "
            "neutral; a quarter weekly, the rest monthly; target schedules, percentage and "
            "absolute tolerances, rebase dates and year-to-date totals mixed in) into a "
            f"temporary folder, loads 300 × 9 areas × 260 periods ({f.rows:,} rows, a few "
            "series deliberately cut short so some data is late) into a temporary DuckDB file, "
            "and times `metrics.engine.evaluate.evaluate` over the whole registry: reading "
            "every current value, status against target, directions, year to date, SPC for "
            f"all {f.series:,} series, freshness, the flag rules, syncing the flags and "
            "replacing the status snapshot, in one transaction. The first evaluation raises "
            "the flags that hold; a steady-state evaluation (nothing changed since the last) is "
            "what runs after a load that changed little.",
            "",
            "**The yardstick.** In the same run, one raw DuckDB query fetching the same rows "
            "(`SELECT metric_id, area_code, period_start, value … ORDER BY …` into a "
            f"DataFrame), the best of {RUNS} runs before the evaluations and {RUNS} taking turns "
            "with the steady-state ones, so the figures compare across machines as ratios.",
            "",
            "**Results** (this 2-core machine, shared with other work: its load average was "
            f"{f.load[0]:.1f} when the timing began and {f.load[1]:.1f} when it ended):",
            "",
            table(f),
            "",
            verdict + " The script exits 1 when it is missed. The ratio moves with the load "
            "on the machine: the fetch uses both cores and the engine's own work mostly one, so "
            "other work slows the yardstick more and flatters the ratio; on a quiet machine "
            "expect it higher than on a busy one. Before SPC was worked out for every series "
            "at once, this benchmark measured the steady-state evaluation at 5.2× the yardstick "
            "and SPC alone at 1.4× on a quiet machine.",
            "",
            "**How.** No figure is worked out in a Python loop over rows or series: the loops "
            "left are over metrics (their settings) and, for the flag rules, over the snapshot's "
            "rows that can raise a flag (the county's, unless a measure flags every area). On "
            "DuckDB the values are fetched as one row per series, its dates and values as lists "
            "in date order, so each series' metric and area are read once rather than once per "
            "figure (the yardstick reads them on every row, which is most of its time); they "
            "are laid out by series once, by category codes, checking the order rather than "
            "sorting. Targets and directions (previous and last year's figures looked for a fixed "
            "number of rows back, with one binary search for the few rows that misses) are "
            "whole-array numpy operations, with one small loop over metrics for their settings; "
            "RAG is worked out only for rows with a target to miss (for the runs of reds) and, "
            "with directions and year to date, only for each series' latest row, the only one "
            "the snapshot stores (year to date from the running total at its financial year's "
            "first row, found by a binary search). SPC is `metrics.spc.xmr_all`: every "
            "series' window of 60 figures laid end to end, segments (a series, or its part "
            "after a rebase) numbered across the whole array, and each Making Data Count rule "
            "evaluated once over every point, a change of segment breaking its runs. Its "
            "readings are identical to `metrics.spc.xmr` on every series, to the last bit "
            "(means are summed in numpy's own pairwise order; `tests/unit/test_spc_batch.py` "
            "compares them on edge cases and 3,000 random series). Freshness and period ends "
            "are worked out once per frequency, lag and period, not per series. The flag sync "
            "reads the flags once (again only after merging duplicates). What is left beside "
            "the fetch is mostly the status table's whole-array work, SPC, writing the "
            "snapshot and the flag queries, each a few hundredths of a second.",
            END,
        ]
    )
    replace_section(DOC, BEGIN, END, section)


def main() -> int:
    """Build, load, time, print and record the results; exit 1 if the goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-doc", action="store_true", help="Do not update docs/performance.md.")
    args = parser.parse_args()
    f = measure()
    print(f"Engine benchmark: {METRICS} metrics, {f.series:,} series, {f.rows:,} rows")
    print(table(f))
    verdict = "met" if f.met else "MISSED"
    print(
        f"Goal: steady-state evaluation within {GOAL_RATIO:g}x the yardstick: "
        f"{f.steady_ratio:.2f}x ({verdict}); first evaluation {f.ratio(f.first):.2f}x; "
        f"load average {f.load[0]:.1f} to {f.load[1]:.1f}"
    )
    if not args.no_doc:
        write_doc(f)
    return 0 if f.met else 1


if __name__ == "__main__":
    sys.exit(main())
