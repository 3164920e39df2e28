"""Stage 2 of validation: rules that run across all documents and collect every problem."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from metrics.model import Metric, Plan
from metrics.yamlfile import Problem

if TYPE_CHECKING:
    from metrics.registry import MetricSource, PipelineRef

PLAN_FILE = "plan.yaml"


def cross_reference_problems(
    plan: Plan,
    metrics: Sequence[Metric],
    sources: dict[str, MetricSource],
    duplicates: Sequence[tuple[str, MetricSource]],
    pipelines: Sequence[PipelineRef],
) -> list[Problem]:
    """Check every reference between the plan, the metrics and the pipelines."""
    problems = list(_plan_problems(plan))
    known = {
        "priority": {p.id for p in plan.priorities},
        "enablers": {e.id for e in plan.enablers},
        "portfolio": {p.id for p in plan.portfolios},
        "select_committee": {c.id for c in plan.select_committees},
        "directorate": {d.id for d in plan.directorates},
    }
    pipeline_ids = {p.id for p in pipelines}
    for metric in metrics:
        src = sources[metric.id]

        def report(field: str, message: str, src: MetricSource = src, m: Metric = metric) -> None:
            problems.append(Problem(src.file, _line(src, field), f"{m.id}.{field}", message))

        for field, ids in known.items():
            for value in _values(getattr(metric, field)):
                if value not in ids:
                    report(field, _unknown(field, value, ids))
        if metric.priority is None and not metric.enablers:
            report(
                "priority", "give a priority, or at least one enabler for a cross-cutting measure"
            )
        if isinstance(metric.target, tuple):
            dates = [step.from_ for step in metric.target]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                order = ", ".join(d.isoformat() for d in dates)
                report(
                    "target",
                    f"target schedule is out of order ({order}); list 'from' dates oldest first",
                )
        if metric.tolerance is not None and metric.target is None:
            report("tolerance", "a tolerance needs a target to measure against; add 'target:'")
        if metric.polarity == "neutral" and metric.target is not None:
            report(
                "target",
                "a neutral measure cannot have a target; set a polarity or drop the target",
            )
        if metric.source is not None and pipeline_ids and metric.source not in pipeline_ids:
            report("source", _unknown("pipeline", metric.source, pipeline_ids))
        rebase = list(metric.spc.rebase_at)
        if rebase != sorted(set(rebase)):
            report("spc", "rebase_at dates must be in order, without repeats")
    for metric_id, src in duplicates:
        first = sources[metric_id]
        problems.append(
            Problem(
                src.file,
                src.line,
                f"{metric_id}.id",
                f"duplicate id; first defined at {first.file}:{first.line}",
            )
        )
    metric_ids = {m.id for m in metrics}
    for pipeline in pipelines:
        for metric_id in pipeline.metrics:
            if metric_id not in metric_ids:
                problems.append(
                    Problem(
                        pipeline.file,
                        pipeline.line,
                        f"{pipeline.id}.metrics",
                        _unknown("metric", metric_id, metric_ids),
                    )
                )
    for pipeline_id, count in Counter(p.id for p in pipelines).items():
        if count > 1:
            dup = [p for p in pipelines if p.id == pipeline_id][-1]
            problems.append(
                Problem(dup.file, dup.line, f"{pipeline_id}.id", "duplicate pipeline id")
            )
    return problems


def _plan_problems(plan: Plan) -> Iterable[Problem]:
    for kind in ("priorities", "enablers", "directorates", "portfolios", "select_committees"):
        counts = Counter(item.id for item in getattr(plan, kind))
        for ident, count in counts.items():
            if count > 1:
                yield Problem(PLAN_FILE, 1, f"{kind}.{ident}", "duplicate id")
    codes = {a.code for a in plan.areas}
    for area in plan.areas:
        if area.parent is not None and area.parent not in codes:
            yield Problem(
                PLAN_FILE, 1, f"areas.{area.code}.parent", f"unknown parent area '{area.parent}'"
            )
    if plan.organisation.area_code not in codes:
        yield Problem(
            PLAN_FILE,
            1,
            "organisation.area_code",
            "the council's own area is not listed under areas",
        )


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return [str(value)]


def _unknown(field: str, value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = (
        f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(known)) or 'none'}"
    )
    return f"unknown {field.replace('_', ' ')} '{value}'; {hint}"


def _line(src: MetricSource, field: str) -> int:
    # The metric's own key line when it set the field; otherwise the line where the metric starts
    return src.key_lines.get(field, src.line)
