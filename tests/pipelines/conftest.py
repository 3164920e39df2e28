"""Helpers for pipeline tests: extra pipeline YAML in a config copy, and warehouse reads."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry, load_registry
from warehouse.tables import observations, pipeline_runs, rejected_rows, source_files

RETURNS_PIPELINE = """
pipelines:
  - id: test-returns
    description: A service return used by the tests.
    owner: Tests
    metrics: [claimant-rate, jobs-created, staff-turnover]
    source: {kind: file, path: returns/*.csv}
    mapping:
      metric: {column: Metric}
      area: {column: Area}
      period: {column: Period}
      value: Value
      numerator: Numerator
      denominator: Denominator
"""


@pytest.fixture
def add_pipelines(config_copy: Path) -> Callable[..., Registry]:
    """Write a pipelines YAML file into the config copy; return the reloaded registry."""

    def add(text: str, name: str = "test.yaml") -> Registry:
        (config_copy / "pipelines" / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return load_registry(config_copy)

    return add


@pytest.fixture
def drops(config_copy: Path) -> Path:
    """The drop folder the config copy's pipelines read (data/drops beside the config)."""
    folder = config_copy.parent / "data" / "drops"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def table(engine: sa.Engine, which: sa.Table) -> pd.DataFrame:
    """Every row of a warehouse table."""
    with engine.connect() as conn:
        return pd.read_sql(sa.select(which), conn)


def all_observations(engine: sa.Engine) -> pd.DataFrame:
    """Every observation, superseded ones included, in a stable order."""
    frame = table(engine, observations)
    return frame.sort_values(["metric_id", "area_code", "period_start", "id"]).reset_index(
        drop=True
    )


def warehouse_state(engine: sa.Engine) -> dict[str, Any]:
    """What a failed run must leave exactly as it was."""
    obs = all_observations(engine).drop(columns=["id"])
    return {
        "observations": obs.to_dict("records"),
        "source_files": len(table(engine, source_files)),
    }


def runs(engine: sa.Engine) -> pd.DataFrame:
    """The run log, oldest first."""
    return table(engine, pipeline_runs).sort_values("run_id").reset_index(drop=True)


def rejected(engine: sa.Engine, run_id: int) -> pd.DataFrame:
    """The rows a run quarantined."""
    frame = table(engine, rejected_rows)
    return frame[frame["run_id"] == run_id].sort_values("row_number").reset_index(drop=True)
