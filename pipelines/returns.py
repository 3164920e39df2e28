"""Figures entered in PMF (data returns) take the same checks and the same load as a pipeline's.

A return is read as one more source: its rows go through the pipeline mapping, the pandera
checks derived from the registry, and the load that keeps revision history, as a run of the
built-in `returns` pipeline that names the return in its source reference. So a figure typed
on a page is held to exactly the rules a file from a service is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics.registry.loader import Registry
from metrics.registry.model import MANUAL_SOURCE_NAME, RETURNS_PIPELINE, RETURNS_PIPELINE_NAME
from pipelines.built_in import built_in_pipeline, text_batch
from pipelines.config import Pipeline
from pipelines.runner import RunResult, run_batch
from pipelines.sources.base import Batch
from pipelines.tabular import to_numbers
from pipelines.transform import to_candidates
from pipelines.validate import validate_batch

FIGURES = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class EnteredFigure:
    """One figure as entered: which measure, area and period, and its numbers as typed (text,
    read as a file's cells are) or as numbers; None or "" is blank."""

    metric_id: str
    area_code: str
    period_start: date
    value: str | float | None
    numerator: str | float | None = None
    denominator: str | float | None = None


def returns_pipeline(registry: Registry) -> Pipeline:
    """The built-in pipeline that figures entered in PMF are checked and loaded as."""
    manual = tuple(m.id for m in registry.metrics if m.is_manual)
    return built_in_pipeline(
        RETURNS_PIPELINE,
        RETURNS_PIPELINE_NAME,
        f"{MANUAL_SOURCE_NAME}, signed off by its approver.",
        "entered-in-pmf",
        manual,
        FIGURES,
    )


def _batch(figures: Sequence[EnteredFigure], ref: str) -> Batch:
    def text(number: str | float | None) -> str:
        if isinstance(number, str):
            return number.strip()
        return "" if number is None or np.isnan(number) else f"{float(number):.15g}"

    frame = pd.DataFrame(
        {
            "metric": [f.metric_id for f in figures],
            "area": [f.area_code for f in figures],
            "period": [f.period_start.isoformat() for f in figures],
            **{name: [text(getattr(f, name)) for f in figures] for name in FIGURES},
        },
        dtype=object,
    )
    return text_batch(frame, ref, "entry")


def read_number(text: str | float | None) -> float | None:
    """A figure as stored, read the way a file's cell is (None for a blank or not a number)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    values, bad = to_numbers(pd.Series([text if isinstance(text, str) else float(text)]))
    number = float(values.iloc[0])
    return None if bool(bad.iloc[0]) or np.isnan(number) else number


def reads_as_blank(text: str | float | None) -> bool:
    """Whether typed text is one of the words a file's cell may use for "no figure" ("n/a",
    "-", ...): blank to a pipeline, but not a figure when someone typed it as one."""
    if not isinstance(text, str) or not text.strip():
        return False
    values, bad = to_numbers(pd.Series([text]))
    return not bool(bad.iloc[0]) and bool(np.isnan(float(values.iloc[0])))


def figure_problems(
    registry: Registry, figures: Sequence[EnteredFigure], today: date | None = None
) -> dict[int, list[str]]:
    """Every check each figure fails, by its position, in the words a pipeline's file gets."""
    if not figures:
        return {}
    pipeline = returns_pipeline(registry)
    batch = _batch(figures, "entered figure")
    assert pipeline.mapping is not None
    candidates = to_candidates(batch, pipeline.mapping, registry)
    checked = validate_batch(candidates, batch, pipeline, registry, today)
    problems: dict[int, list[str]] = {}
    for number, reasons in zip(
        checked.rejected["row_number"].tolist(), checked.rejected["reasons"].tolist(), strict=True
    ):
        position = int(number) - 1
        for line in str(reasons).splitlines():
            # "entered figure entry 3: value ..." -> "value ..."
            problems.setdefault(position, []).append(line.split(": ", 1)[-1])
    return problems


def load_figures(
    registry: Registry,
    engine: sa.Engine,
    figures: Sequence[EnteredFigure],
    *,
    ref: str,
    trigger: str,
    triggered_by: str,
    evaluate: bool = True,
) -> RunResult:
    """Check and load figures as one run of the `returns` pipeline, then evaluate again
    (unless `evaluate` is False: the caller evaluates once after a batch of loads).

    Nothing loads unless every figure passes: the run is recorded as failed instead.
    """
    pipeline = returns_pipeline(registry)
    return run_batch(
        registry,
        engine,
        pipeline,
        _batch(figures, ref),
        trigger=trigger,
        triggered_by=triggered_by,
        all_or_nothing=True,
        hooks=evaluate,
    )
