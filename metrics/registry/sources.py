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
    """The little the registry needs to know about a pipeline: its id and metrics, and what
    pages say about it (its name and schedule)."""

    id: str
    metrics: tuple[str, ...]
    file: str
    line: int
    lag_days: int | None = None
    name: str = ""
    description: str = ""
    # The schedule as written: (("cron", "0 7 * * 1"),) or APScheduler fields; () by hand
    schedule: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        """The name people read: `name`, else the description's first sentence, else the id."""
        if self.name.strip():
            return self.name.strip()
        first = self.description.strip().split(". ")[0].strip().rstrip(".")
        return first or self.id
