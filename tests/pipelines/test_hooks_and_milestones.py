"""After-load hooks, and the milestones pipeline loading a programme tracker."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from metrics.registry.loader import Registry
from pipelines.hooks import HOOKS_ENV, HookError, register_after_load_hook, resolve_hook
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import RETURNS_PIPELINE, rejected, runs
from warehouse.milestones import read_milestones

GOOD = "Metric,Area,Period,Value,Numerator,Denominator\nclaimant-rate,E10000028,Mar 2023,3.1,,\n"
CALLS: list[tuple[str, int]] = []


def recording_hook(registry: Registry, engine: sa.Engine, run_id: int) -> None:
    """A hook importable by path, as a deployment would name it."""
    CALLS.append(("env", run_id))


@pytest.fixture
def calls() -> Iterator[list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []

    def hook(registry: Registry, engine: sa.Engine, run_id: int) -> None:
        with engine.connect() as conn:  # the load is committed before hooks run
            count = conn.execute(sa.text("select count(*) from observations")).scalar_one()
        seen.append(("registered", int(count)))

    unregister = register_after_load_hook(hook)
    CALLS.clear()
    yield seen
    unregister()


@pytest.fixture
def returns(add_pipelines: Callable[..., Registry], drops: Path) -> Registry:
    (drops / "returns").mkdir(parents=True, exist_ok=True)
    return add_pipelines(RETURNS_PIPELINE)


def test_hook_runs_after_a_successful_load_and_not_after_a_failed_one(
    returns: Registry, engine: sa.Engine, drops: Path, calls: list[tuple[str, int]]
) -> None:
    (drops / "returns" / "a.csv").write_text("Nothing,Useful\n1,2\n")
    failed = run_pipeline(returns, engine, "test-returns")
    assert failed.status == "failed" and calls == []
    (drops / "returns" / "a.csv").write_text(GOOD)
    loaded = run_pipeline(returns, engine, "test-returns")
    assert loaded.status == "succeeded" and calls == [("registered", 1)]
    assert run_pipeline(returns, engine, "test-returns").status == "skipped_unchanged"
    assert calls == [("registered", 1)]


def test_hooks_named_in_the_environment_run_and_a_failing_hook_keeps_the_load(
    returns: Registry,
    engine: sa.Engine,
    drops: Path,
    calls: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HOOKS_ENV, f"{__name__}:recording_hook")

    def broken(registry: Registry, engine: sa.Engine, run_id: int) -> None:
        raise ValueError("snapshot table missing")

    unregister = register_after_load_hook(broken)
    try:
        (drops / "returns" / "a.csv").write_text(GOOD)
        result = run_pipeline(returns, engine, "test-returns")
    finally:
        unregister()
    assert result.status == "succeeded" and result.rows_loaded == 1
    assert CALLS == [("env", result.run_id)] and calls == [("registered", 1)]
    assert "broken failed: ValueError: snapshot table missing" in (result.error or "")
    assert runs(engine).iloc[-1]["error"] == result.error


def test_a_misnamed_hook_is_a_clear_error() -> None:
    with pytest.raises(HookError, match="cannot import no_such_module"):
        resolve_hook("no_such_module:evaluate")


def _tracker(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Title", "Programme", "Priority", "Portfolio", "Baseline date",
                  "Forecast date", "Completed date", "Status note"])  # fmt: skip
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_milestones_tracker_upserts_good_rows_and_quarantines_bad_ones(
    registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "drops" / "milestones"
    folder.mkdir(parents=True)
    (folder / "tracker.xlsx").write_bytes(
        _tracker(
            [
                [
                    "hub-01",
                    "Tamworth hub open",
                    "Delivery hubs",
                    "safer-supported",
                    "leader",
                    datetime(2024, 3, 31),
                    None,
                    datetime(2024, 4, 2),
                    "Opened",
                ],
                [
                    "hub-02",
                    "Newcastle hub open",
                    "Delivery hubs",
                    None,
                    "leader",
                    "30/09/2024",
                    "31/10/2024",
                    None,
                    "Lease delayed",
                ],
                ["hub-03", "No baseline", "Delivery hubs", None, "leader", None, None, None, None],
                [
                    "hub-04",
                    "Bad priority",
                    "Delivery hubs",
                    "prosperity",
                    "leader",
                    "2024-01-01",
                    "soon",
                    None,
                    None,
                ],
            ]
        )  # fmt: skip
    )
    result = run_pipeline(registry, engine, "programme-milestones", drop_folder=tmp_path / "drops")
    assert result.status == "partially_rejected", result.summary()
    assert (result.rows_loaded, result.rows_rejected) == (2, 2)
    stored = read_milestones(engine).set_index("id")
    assert stored.loc["hub-02", "baseline_date"] == date(2024, 9, 30)
    assert stored.loc["hub-02", "forecast_date"] == date(2024, 10, 31)
    assert stored.loc["hub-01", "completed_date"] == date(2024, 4, 2)
    reasons = rejected(engine, result.run_id)["reasons"].tolist()
    assert reasons[0] == "milestones/tracker.xlsx row 4: no baseline date in column 'Baseline date'"
    assert "forecast date 'soon' in column 'Forecast date' is not a date" in reasons[1]
    assert "priority 'prosperity' is not in the plan" in reasons[1]
