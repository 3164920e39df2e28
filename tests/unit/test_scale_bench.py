"""The national dataset `make bench-scale` builds: every English council once, history without
gaps or overlaps, and a file the real pipeline loads whole, benchmark rows marked."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bench import scale_bench
from pipelines.runner import run_pipeline
from warehouse.engine import duckdb_url, get_engine
from warehouse.observations import current_observations
from warehouse.schema import create_tables


def test_every_english_council_once_and_never_the_councils_own_areas() -> None:
    """320 distinct council codes of the ONS kinds, none of them the plan's nine areas."""
    codes = scale_bench.english_councils()
    assert len(codes) == len(set(codes)) == 320
    assert all(re.fullmatch(r"E(06|07|08|09|10)\d{6}", c) for c in codes)
    assert not set(codes) & set(scale_bench.OWN_AREAS)


def test_steps_go_back_month_by_month_without_gaps_or_overlaps() -> None:
    """Each step adds older months; together they are the last 100 months, each once."""
    months = [
        m for step in range(len(scale_bench.PERIOD_STEPS)) for m in scale_bench.months_of_step(step)
    ]
    assert len(months) == len(set(months)) == scale_bench.PERIOD_STEPS[-1]
    assert max(months) == scale_bench.LATEST_MONTH
    assert len(pd.date_range(min(months), max(months), freq="MS")) == len(months)


def test_a_tiny_national_file_loads_whole_through_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two measures, two months: every row loaded, other councils' rows marked as benchmark."""
    monkeypatch.setattr(scale_bench, "OUT", tmp_path)
    registry = scale_bench.write_config(tmp_path / "config", measures=2)
    months = scale_bench.months_of_step(0)[-2:]
    rows = scale_bench.write_csv(tmp_path / scale_bench.CSV_NAME, 2, months, seed=1)
    engine = get_engine(duckdb_url(tmp_path / "pmf.duckdb"))
    create_tables(engine)
    result = run_pipeline(registry, engine, scale_bench.PIPELINE, drop_folder=tmp_path, hooks=False)
    assert result.status == "succeeded" and result.rows_loaded == rows == 2 * 329 * 2
    loaded = current_observations(engine, include_benchmark=True)
    own = loaded[~loaded["is_benchmark"].astype(bool)]
    assert set(own["area_code"]) == set(scale_bench.OWN_AREAS)
    assert len(loaded) - len(own) == 2 * 320 * 2
    engine.dispose()
    get_engine.cache_clear()


def test_a_figure_growing_faster_than_the_rows_and_its_yardstick_is_a_miss() -> None:
    ingest, drill = scale_bench.INGEST, scale_bench.DRILL

    def size(
        rows: int, step_rows: int, ingest_s: float, raw_s: float, p95: float
    ) -> scale_bench.Size:
        return scale_bench.Size(
            rows=rows,
            step_rows=step_rows,
            figures=[
                scale_bench.Figure(ingest, ingest_s, raw_s),
                scale_bench.Figure(drill, 0.05, 0.01, p95=p95),
            ],
            serve_peak_mb=250.0,
        )

    small = size(1_000_000, 1_000_000, 2.0, 1.8, 0.06)
    # Twice the file's rows in 2.4 times the seconds, the database's own load 2.1 times
    misses = scale_bench.goal_misses([small, size(3_000_000, 2_000_000, 4.8, 3.78, 0.09)])
    assert misses == [
        f"{ingest} grew 2.4x from 1,000,000 to 3,000,000 rows (2.0x; the yardstick grew 2.1x)"
    ]
    # 2.2 times where the database's own grew 2.3 times: no faster than the database
    assert scale_bench.goal_misses([small, size(3_000_000, 2_000_000, 4.4, 4.14, 0.09)]) == []
    # In step with the rows, and the drill-down over its 100 ms at the largest size
    misses = scale_bench.goal_misses([small, size(3_000_000, 2_000_000, 3.9, 3.6, 0.101)])
    assert misses == ["the drill-down's p95 is 101 ms at 3,000,000 rows (goal 100 ms)"]
