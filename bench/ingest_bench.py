"""Benchmark ingest: validate and load ~1M observation rows from a CSV drop, against DuckDB.

Writes a synthetic registry (300 district-level metrics) and a CSV of 300 metrics x 9 areas
x 400 months (1,080,000 rows) under bench/out/, then, in the same run and on the same file:

- ours: the real `bench-ingest` file-drop pipeline (read, map, pandera validation, one-
  transaction load with revision history, run log) into a new DuckDB file;
- ours again: the same file forced through a second time (every row compared, none changed);
- the yardstick: DuckDB's own `read_csv` + `INSERT INTO observations` into a new DuckDB file.

Run with `make bench-ingest`. Prints a table and rewrites the ingest section of
docs/performance.md. The goal is ours within 1.5x the yardstick; the run exits 1 when missed.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics.registry.loader import Registry, load_registry
from pipelines.runner import run_pipeline
from warehouse.engine import duckdb_url, get_engine
from warehouse.schema import create_tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.doc_section import replace_section
from bench.shipped_config import shipped_config_without_measures  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "performance.md"
METRICS, PERIODS = 300, 400
AREAS = ["E10000028", *(f"E07000{n}" for n in range(192, 200))]
UNITS = ("percent", "count", "rate per 10k")
GOAL_RATIO = 1.5
BEGIN = "<!-- ingest section: maintained with bench/ingest_bench.py; replace only this section -->"
END = "<!-- end ingest section -->"


def write_config(folder: Path) -> Registry:
    """The shipped plan and settings, 300 synthetic metrics, and the bench-ingest pipeline."""
    shipped_config_without_measures(folder)
    lines = [
        "defaults:",
        "  priority: jobs-growth",
        "  portfolio: economy-skills",
        "  select_committee: prosperous-staffordshire",
        "  owner: Head of Performance",
        "  area_level: districts",
        "  polarity: higher_is_better",
        "  frequency: monthly",
        "  source: bench-ingest",
        "metrics:",
    ]
    for i in range(METRICS):
        lines += [
            f"  - id: bench-{i:03d}",
            f"    name: Benchmark measure {i}",
            "    description: A synthetic measure for the ingest benchmark.",
            f"    unit: {UNITS[i % 3]}",
        ]
    (folder / "metrics" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = "\n".join(f"      - bench-{i:03d}" for i in range(METRICS))
    (folder / "pipelines" / "bench.yaml").write_text(
        "pipelines:\n"
        "  - id: bench-ingest\n"
        "    description: One million synthetic observations from a CSV drop.\n"
        "    owner: Benchmark\n"
        "    source: {kind: file, path: ingest.csv}\n"
        "    mapping:\n"
        "      metric: {column: metric_id}\n"
        "      area: {column: area_code}\n"
        "      period: {column: period, format: date}\n"
        "      value: value\n"
        "      numerator: numerator\n"
        "      denominator: denominator\n"
        f"    metrics:\n{ids}\n",
        encoding="utf-8",
    )
    return load_registry(folder)


def write_csv(path: Path) -> int:
    """The synthetic file: valid rows, percentages with their numerator and denominator."""
    rng = np.random.default_rng(2018)
    n = METRICS * len(AREAS) * PERIODS
    metric = np.repeat(np.arange(METRICS), len(AREAS) * PERIODS)
    unit = metric % 3
    months = pd.date_range("1991-04-01", periods=PERIODS, freq="MS").strftime("%Y-%m-%d")
    denominator = rng.integers(1_000, 50_000, n).astype(float)
    numerator = np.floor(denominator * rng.uniform(0.05, 0.95, n))
    value = np.where(
        unit == 0,
        np.round(numerator / denominator * 100, 2),
        np.where(unit == 1, rng.integers(0, 5_000, n), np.round(rng.uniform(1, 400, n), 1)),
    )
    frame = pd.DataFrame(
        {
            "metric_id": np.array([f"bench-{i:03d}" for i in range(METRICS)])[metric],
            "area_code": np.tile(np.repeat(np.array(AREAS), PERIODS), METRICS),
            "period": np.tile(np.array(months), METRICS * len(AREAS)),
            "value": value,
            "numerator": np.where(unit == 0, numerator, np.nan),
            "denominator": np.where(unit == 0, denominator, np.nan),
        }
    )
    frame.to_csv(path, index=False, float_format="%.10g")
    return n


def _fresh_engine(path: Path) -> sa.Engine:
    for leftover in (path, path.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)
    engine = get_engine(duckdb_url(path))
    create_tables(engine)
    return engine


def _cpu() -> float:
    """Processor seconds this process has used, on every thread (DuckDB works on several)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_ours(
    registry: Registry, database: Path
) -> tuple[float, float, float, dict[str, float], int]:
    """Seconds for a first load, its processor seconds, seconds for a forced reload, the
    phases, and rows loaded."""
    engine = _fresh_engine(database)
    marks: list[tuple[float, str]] = []
    cpu = _cpu()
    began = time.perf_counter()
    result = run_pipeline(
        registry,
        engine,
        "bench-ingest",
        drop_folder=OUT,
        hooks=False,
        progress=lambda line: marks.append((time.perf_counter(), line)),
    )
    first = time.perf_counter() - began
    cpu = _cpu() - cpu
    if result.status != "succeeded" or result.rows_loaded == 0:
        raise SystemExit(f"the benchmark pipeline did not load: {result.summary()}")
    read_at = next(t for t, line in marks if ": read " in line)
    checked_at = next(t for t, line in marks if ": checked " in line)
    phases = {
        "read and parse": read_at - began,
        "map and validate": checked_at - read_at,
        "load and commit": first - (checked_at - began),
    }
    began = time.perf_counter()
    again = run_pipeline(registry, engine, "bench-ingest", drop_folder=OUT, force=True, hooks=False)
    second = time.perf_counter() - began
    if again.rows_unchanged != result.rows_loaded:
        raise SystemExit(f"the forced reload changed data: {again.summary()}")
    engine.dispose()
    get_engine.cache_clear()
    return first, cpu, second, phases, result.rows_loaded


def time_duckdb(csv: Path, database: Path) -> tuple[float, float]:
    """Seconds, and processor seconds, for DuckDB's own read_csv + INSERT of the same file into
    `observations`."""
    engine = _fresh_engine(database)
    cpu = _cpu()
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO observations (id, metric_id, area_code, period_start, period_end, value,"
            " numerator, denominator, is_benchmark, source_ref, run_id, loaded_at) "
            "SELECT nextval('observations_id_seq'), metric_id, area_code, period::DATE,"
            " last_day(period::DATE), value, numerator, denominator, false, 'ingest.csv', NULL,"
            f" now() FROM read_csv('{csv}')"
        )
    seconds = time.perf_counter() - began
    cpu = _cpu() - cpu
    engine.dispose()
    get_engine.cache_clear()
    return seconds, cpu


@dataclass(frozen=True)
class Trial:
    """One measured round."""

    ours: float
    reload: float
    duckdb: float
    phases: dict[str, float]
    ours_cpu: float
    duckdb_cpu: float


def _span(values: list[float], digits: int = 2) -> str:
    low, high = min(values), max(values)
    return (
        f"{low:.{digits}f}"
        if f"{low:.{digits}f}" == f"{high:.{digits}f}"
        else (f"{low:.{digits}f}–{high:.{digits}f}")
    )


def report(trials: list[Trial], rows: int, peak_mb: float) -> tuple[str, float]:
    """The markdown table, and the median ratio of ours to the yardstick."""
    ratios = [t.ours / t.duckdb for t in trials]
    lines = [
        "| what | seconds | processor seconds | rows per second | × yardstick |",
        "|---|---|---|---|---|",
        f"| yardstick: DuckDB `read_csv` + `INSERT` | {_span([t.duckdb for t in trials])} | "
        f"{_span([t.duckdb_cpu for t in trials])} | "
        f"{rows / statistics.median(t.duckdb for t in trials):,.0f} | 1 |",
        f"| ours: first load (validate + load) | {_span([t.ours for t in trials])} | "
        f"{_span([t.ours_cpu for t in trials])} | "
        f"{rows / statistics.median(t.ours for t in trials):,.0f} | {_span(ratios, 1)} |",
    ]
    for phase in trials[0].phases:
        seconds = [t.phases[phase] for t in trials]
        lines.append(f"| — of which {phase} | {_span(seconds)} | | | |")
    reload = [t.reload for t in trials]
    lines.append(
        f"| ours: forced reload, every row unchanged | {_span(reload)} | | "
        f"{rows / statistics.median(reload):,.0f} | "
        f"{_span([t.reload / t.duckdb for t in trials], 1)} |"
    )
    lines.append(f"\nPeak memory of the benchmark process: {peak_mb:,.0f} MB.")
    return "\n".join(lines), statistics.median(ratios)


def _wrap(line: str) -> str:
    # Prose is wrapped like the rest of the docs; tables, headings and markers are kept as is
    if line.startswith(("|", "#", "<!--")) or "\n|" in line:
        return line
    return textwrap.fill(line, width=95, break_on_hyphens=False, break_long_words=False)


def write_doc(table: str, ratio: float, rows: int, runs: int) -> None:
    """Replace the ingest section of docs/performance.md (other sections are left alone)."""
    verdict = (
        f"The goal, ours within {GOAL_RATIO:g}× the yardstick, is met (median {ratio:.1f}×)."
        if ratio <= GOAL_RATIO
        else f"The goal of {GOAL_RATIO:g}× is missed: the median is {ratio:.1f}×."
    )
    section = "\n".join(
        _wrap(line)
        for line in [
            BEGIN,
            "## Ingest: validate and load a million rows (`make bench-ingest`)",
            "",
            f"**What is timed.** `bench/ingest_bench.py` writes a synthetic registry of 300 "
            f"district-level monthly metrics (percentages with numerator and denominator, counts "
            f"and rates) and one CSV of 300 metrics × 9 areas × 400 months ({rows:,} rows, "
            "about 60 MB) under `bench/out/`. It runs the real file-drop pipeline on it: read "
            "and parse, map columns, parse periods, pandera validation with every check the "
            "registry implies, then one transaction that merges into `observations` with "
            "revision history, records the file's hash and the run log. It then forces the "
            "same file through again, so every row is compared and found unchanged.",
            "",
            "**The yardstick.** In the same run, DuckDB's own `read_csv` + `INSERT INTO "
            "observations … SELECT … FROM read_csv(…)` of the same file into a fresh database: "
            "no validation, no history, no run log. It runs just before and just after ours in "
            "each round, and ours is compared with the mean of the two. Processor seconds count "
            "every thread: DuckDB parses on both cores, but the id it draws for each row in "
            "its `SELECT` keeps most of its insert on one; the goal is on seconds.",
            "",
            f"**Results** (this 2-core machine, other work running; {runs} rounds; the ratio "
            "is the median round's):",
            "",
            table,
            "",
            verdict,
            "",
            "**How.** Nothing loops over rows in Python. A UTF-8 file (the usual case, with or "
            "without a byte-order mark or Windows line ends) is parsed by pandas' C parser "
            "straight from its bytes, with the mapped value columns as numbers and every other "
            "column as a categorical (a million cells, a few hundred distinct values); a "
            "Windows-1252 file is decoded first, and a file with a value cell that is not a "
            "plain number (`1,234`, `45%`) is read as text and only its distinct unreadable "
            "cells are cleaned. Periods, metric and area codes, units and period alignment are "
            "worked out once per distinct value, or per distinct (frequency, period) pair, and "
            "spread back by integer code (`pipelines/codes.py`); a metric, area and period "
            "given twice is found by counting keys rather than hashing them. Every pandera "
            "check is a whole-column predicate; pandera validates in place (the schema coerces "
            "nothing, so its copy of the frame is not needed), its per-check null scan is off "
            "(`ignore_na=False`) and failing rows are read from each check's own output. On "
            "DuckDB the load reads the validated DataFrame where it lies, with no staging "
            "table. When the file's periods hold nothing current yet (a first load, or history "
            "further back, as here) every row is new: the load draws all their ids from the "
            "table's sequence in one query and inserts them in the file's order, by those "
            "ids, which DuckDB does on both cores (with the ids drawn row by row in the "
            "`INSERT`, as the yardstick's are, it inserts on one). Otherwise it merges with "
            "revision history in two joins: an `UPDATE … FROM` that "
            "supersedes each current row whose figures changed, then an `INSERT … SELECT` of "
            "every row with no current row under its key; the rows left are the unchanged ones. "
            "(Written as a correlated `EXISTS`, DuckDB first gathered every incoming key, which "
            "cost more than the insert.) On DuckDB the table keeps no primary key (the ids "
            "come from its sequence, and no query looks a row up by one): its index was about "
            "a third of the insert, ours and the yardstick's. PostgreSQL keeps the portable "
            "staging table, and its key. What remains above the yardstick is pandas' parse, "
            "on one core where DuckDB parses on both, and the checks.",
            "",
            "**Tried and not kept.** Letting DuckDB parse the file: its reader treats blank "
            "rows, rows wider than the heading, leading spaces and quoted line breaks "
            "differently, so neither the rows nor the messages for bad cells would stay the "
            "same, and handing its text columns to pandas took longer than pandas' whole "
            "parse. Parsing two halves of the file on two threads: pandas' parser holds the "
            "interpreter lock, so it took as long.",
            "",
            "**Failures cost more.** Explaining a rejected row (its reasons and raw record as "
            "JSON) takes about 30 µs, so a 100,000-row file that fails throughout spends about "
            "3 s on its quarantine before the run is marked failed.",
            END,
        ]
    )
    replace_section(DOC, BEGIN, END, section)


def main() -> int:
    """Generate, measure, print and record; exit 1 if the ratio goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3, help="Measured rounds (default 3).")
    parser.add_argument("--no-doc", action="store_true", help="Do not update docs/performance.md.")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    registry = write_config(OUT / "config")
    csv = OUT / "ingest.csv"
    began = time.perf_counter()
    rows = write_csv(csv)
    print(f"wrote {rows:,} rows to {csv} in {time.perf_counter() - began:.1f} s")
    trials = []
    for round_number in range(1, args.rounds + 1):
        gc.collect()
        before, before_cpu = time_duckdb(csv, OUT / "ingest-duckdb.duckdb")
        gc.collect()
        ours, ours_cpu, reload, phases, loaded = time_ours(registry, OUT / "ingest-ours.duckdb")
        if loaded != rows:
            raise SystemExit(f"loaded {loaded:,} of {rows:,} rows")
        gc.collect()
        # The yardstick runs either side of ours, so a machine busier for one than the other
        # moves both alike
        after, after_cpu = time_duckdb(csv, OUT / "ingest-duckdb.duckdb")
        duck, duck_cpu = (before + after) / 2, (before_cpu + after_cpu) / 2
        trials.append(Trial(ours, reload, duck, phases, ours_cpu, duck_cpu))
        print(
            f"round {round_number}: duckdb {duck:.2f} s, ours {ours:.2f} s "
            f"({ours / duck:.1f}x), forced reload {reload:.2f} s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table, ratio = report(trials, rows, peak_mb)
    print()
    print(table)
    if not args.no_doc:
        write_doc(table, ratio, rows, len(trials))
        print(f"\nupdated {DOC.relative_to(ROOT)}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
