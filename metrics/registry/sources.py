"""Where each definition came from, so stage-2 rules can point at the right file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSource:
    """Where a metric was defined, so later rules can point at the right line."""

    file: str
    line: int
    key_lines: dict[str, int]


@dataclass(frozen=True)
class PipelineRef:
    """The little the registry needs to know about a pipeline: its id and metrics."""

    id: str
    metrics: tuple[str, ...]
    file: str
    line: int
    lag_days: int | None = None
