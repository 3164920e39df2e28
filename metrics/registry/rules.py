"""Stage 2 of validation: small named rules that run across all documents.

Each rule reads what stage 1 produced (`Documents`) and yields Problems; `DEFAULT_RULES` lists
them all and `cross_reference_problems` runs every one, so every problem is reported together.
A rule never reports what stage 1 already has: a metric that failed stage 1 (or sits in a file
that could not be read) exists, so nothing that names it is "unknown".
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from metrics.registry.model import (
    DERIVED_PIPELINE,
    MANUAL_SOURCE,
    RETURNS_PIPELINE,
    Metric,
    Plan,
)
from metrics.registry.sources import MetricSource, PipelineRef
from metrics.registry.yamlfile import Problem

PLAN_FILE = "plan.yaml"
# Past this many, a list of known ids is noise rather than help
MAX_LISTED = 12

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Documents:
    """Everything stage 1 produced, for the rules to check across documents."""

    plan: Plan
    metrics: Sequence[Metric]
    sources: dict[str, MetricSource]
    duplicates: Sequence[tuple[str, MetricSource]] = ()
    pipelines: Sequence[PipelineRef] = ()
    invalid_metrics: frozenset[str] = frozenset()
    all_metrics_read: bool = True
    all_pipelines_read: bool = True

    def problem(self, metric: Metric, field: str, message: str) -> Problem:
        """A problem with one field of a metric, at the line that set it."""
        src = self.sources[metric.id]
        return Problem(
            src.file, src.key_lines.get(field, src.line), f"{metric.id}.{field}", message
        )

    def metric_is_unknown(self, metric_id: str) -> bool:
        """Whether nothing defines this metric, even a definition stage 1 refused."""
        if not self.all_metrics_read or metric_id in self.invalid_metrics:
            return False
        return metric_id not in {m.id for m in self.metrics}


@dataclass(frozen=True)
class Rule:
    """One cross-document check: a name to refer to it by, a severity and the check."""

    name: str
    severity: Severity
    check: Callable[[Documents], Iterable[Problem]]


def cross_reference_problems(docs: Documents, rules: Sequence[Rule] | None = None) -> list[Problem]:
    """Run every rule (default: `DEFAULT_RULES`) and collect what they find."""
    return [p for rule in (DEFAULT_RULES if rules is None else rules) for p in rule.check(docs)]


def plan_ids_are_unique(docs: Documents) -> Iterator[Problem]:
    """Each priority, enabler, directorate, portfolio and committee id is used once."""
    for kind in ("priorities", "enablers", "directorates", "portfolios", "select_committees"):
        counts = Counter(item.id for item in getattr(docs.plan, kind))
        for ident, count in counts.items():
            if count > 1:
                yield Problem(PLAN_FILE, 1, f"{kind}.{ident}", "duplicate id")


def area_parents_are_listed(docs: Documents) -> Iterator[Problem]:
    """An area's parent is one of the plan's areas."""
    codes = {a.code for a in docs.plan.areas}
    for area in docs.plan.areas:
        if area.parent is not None and area.parent not in codes:
            yield Problem(
                PLAN_FILE, 1, f"areas.{area.code}.parent", f"unknown parent area '{area.parent}'"
            )


def council_area_is_listed(docs: Documents) -> Iterator[Problem]:
    """The council's own area is one of the plan's areas."""
    if docs.plan.organisation.area_code not in {a.code for a in docs.plan.areas}:
        yield Problem(
            PLAN_FILE,
            1,
            "organisation.area_code",
            "the council's own area is not listed under areas",
        )


def metrics_name_plan_ids(docs: Documents) -> Iterator[Problem]:
    """A metric's priority, enablers, portfolio, committee and directorate are in the plan."""
    plan = docs.plan
    known = {
        "priority": {p.id for p in plan.priorities},
        "enablers": {e.id for e in plan.enablers},
        "portfolio": {p.id for p in plan.portfolios},
        "select_committee": {c.id for c in plan.select_committees},
        "directorate": {d.id for d in plan.directorates},
    }
    for metric in docs.metrics:
        for field, ids in known.items():
            for value in _values(getattr(metric, field)):
                if value not in ids:
                    yield docs.problem(metric, field, _unknown(field, value, ids))


def metrics_serve_the_plan(docs: Documents) -> Iterator[Problem]:
    """Every metric serves a priority, or at least one enabler."""
    for metric in docs.metrics:
        if metric.priority is None and not metric.enablers:
            yield docs.problem(
                metric,
                "priority",
                "give a priority, or at least one enabler for a cross-cutting measure",
            )


def target_schedules_in_order(docs: Documents) -> Iterator[Problem]:
    """A target schedule lists distinct 'from' dates, oldest first."""
    for metric in docs.metrics:
        if isinstance(metric.target, tuple):
            dates = [step.from_ for step in metric.target]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                order = ", ".join(d.isoformat() for d in dates)
                yield docs.problem(
                    metric,
                    "target",
                    f"target schedule is out of order ({order}); list 'from' dates oldest first",
                )


def tolerance_needs_a_target(docs: Documents) -> Iterator[Problem]:
    """A tolerance is measured from a target, so it needs one."""
    for metric in docs.metrics:
        if metric.tolerance is not None and metric.target is None:
            yield docs.problem(
                metric, "tolerance", "a tolerance needs a target to measure against; add 'target:'"
            )


def neutral_metrics_have_no_target(docs: Documents) -> Iterator[Problem]:
    """A neutral metric has no better direction, so no target."""
    for metric in docs.metrics:
        if metric.polarity == "neutral" and metric.target is not None:
            yield docs.problem(
                metric,
                "target",
                "a neutral measure cannot have a target; set a polarity or drop the target",
            )


def district_targets_fit_the_measure(docs: Documents) -> Iterator[Problem]:
    """District targets need districts, a county target where they derive from it, districts
    of the plan, sensible shares, and never a county count copied to every district."""
    districts = {a.code for a in docs.plan.areas if a.type == "district"}
    for metric in docs.metrics:
        rule = metric.district_targets
        if rule is None:
            continue
        if metric.area_level != "districts":
            yield docs.problem(
                metric,
                "district_targets",
                "district targets need 'area_level: districts'; the measure is county only",
            )
            continue
        derived = rule.same_as_county or rule.share_of_county
        if derived and metric.target is None:
            yield docs.problem(
                metric,
                "district_targets",
                "same_as_county and share_of_county derive from the county's 'target:', "
                "which is missing",
            )
        if rule.same_as_county and metric.unit == "count":
            yield docs.problem(
                metric,
                "district_targets",
                "same_as_county would hold every district to the whole county's count; give "
                "each district its share_of_county, or its own target under areas",
            )
        for field in ("share_of_county", "areas"):
            for code in getattr(rule, field):
                if code not in districts:
                    yield docs.problem(
                        metric,
                        "district_targets",
                        f"{field}: {_unknown('district', code, districts)}",
                    )
        for code, share in rule.share_of_county.items():
            if not 0 < share <= 1:
                yield docs.problem(
                    metric,
                    "district_targets",
                    f"share_of_county: {code} has {share:g}; a share is above 0 and at most 1 "
                    "(0.12 for 12%)",
                )


def metric_sources_are_pipelines(docs: Documents) -> Iterator[Problem]:
    """A metric's `source` names a pipeline (unless a pipeline file could not be read)."""
    pipeline_ids = {p.id for p in docs.pipelines}
    if not pipeline_ids or not docs.all_pipelines_read:
        return
    for metric in docs.metrics:
        if metric.source is not None and metric.source not in pipeline_ids | {MANUAL_SOURCE}:
            yield docs.problem(metric, "source", _unknown("pipeline", metric.source, pipeline_ids))


def manual_measures_name_their_people(docs: Documents) -> Iterator[Problem]:
    """A manual measure names its data owner and approver, two different people; a measure
    fed by a pipeline names neither."""
    for metric in docs.metrics:
        people = metric.returns
        if metric.is_manual and people is None:
            yield docs.problem(
                metric,
                "returns",
                "a manual measure needs 'returns: {owner: USER, approver: USER}' naming the PMF "
                "accounts that enter and sign off its figure",
            )
        elif people is not None and not metric.is_manual:
            if metric.is_derived:
                continue  # derived_measures_have_no_feed says what is wrong
            yield docs.problem(
                metric,
                "returns",
                f"'returns' is for measures entered in PMF; this one is fed by "
                f"'{metric.source or 'nothing'}'. Set 'source: {MANUAL_SOURCE}' or drop 'returns'",
            )
        elif people is not None and people.owner == people.approver:
            yield docs.problem(
                metric,
                "returns",
                f"'{people.owner}' is both owner and approver; a figure is signed off by someone "
                "other than the person who sent it",
            )


def _derived_parts(docs: Documents) -> Iterator[tuple[Metric, str, str]]:
    # Each derived measure with each of its parts: ("numerator" or "denominator", its id)
    for metric in docs.metrics:
        if metric.derived is not None:
            for part in ("numerator", "denominator"):
                yield metric, part, getattr(metric.derived, part)


def derived_measures_name_measures(docs: Documents) -> Iterator[Problem]:
    """A derived measure's numerator and denominator are other measures of the registry."""
    metric_ids = {m.id for m in docs.metrics} | docs.invalid_metrics
    for metric, part, part_id in _derived_parts(docs):
        if part_id == metric.id:
            yield docs.problem(
                metric,
                "derived",
                f"{part}: '{part_id}' is this measure itself; name the measure it is "
                "worked out from",
            )
        elif docs.metric_is_unknown(part_id):
            yield docs.problem(
                metric, "derived", f"{part}: {_unknown('metric', part_id, metric_ids)}"
            )


def derived_measures_use_fed_measures(docs: Documents) -> Iterator[Problem]:
    """A derived measure is worked out from measures that are fed, not from another derived
    measure (so values never wait on each other, and no two can name each other)."""
    by_id = {m.id: m for m in docs.metrics}
    for metric, part, part_id in _derived_parts(docs):
        other = by_id.get(part_id)
        if other is not None and other.id != metric.id and other.derived is not None:
            yield docs.problem(
                metric,
                "derived",
                f"{part}: '{other.id}' is itself a derived measure; derive from the "
                f"measures it is worked out from ('{other.derived.numerator}' and "
                f"'{other.derived.denominator}')",
            )


def derived_measures_match_their_parts(docs: Documents) -> Iterator[Problem]:
    """A derived measure has the frequency and area level of both its parts, so each of its
    periods and areas has one value of each part."""
    by_id = {m.id: m for m in docs.metrics}
    for metric, part, part_id in _derived_parts(docs):
        other = by_id.get(part_id)
        if other is None or other.id == metric.id:
            continue
        for field in ("frequency", "area_level"):
            mine, theirs = getattr(metric, field), getattr(other, field)
            if mine != theirs:
                yield docs.problem(
                    metric,
                    "derived",
                    f"{part}: '{other.id}' is {field.replace('_', ' ')} '{theirs}' but this "
                    f"measure is '{mine}'; set '{field}: {theirs}' or derive from a "
                    f"measure that is {mine}",
                )


def derived_measures_have_no_feed(docs: Documents) -> Iterator[Problem]:
    """A derived measure's values are worked out by PMF, so it has no `source` or `returns`,
    and no pipeline lists it."""
    derived = {m.id for m in docs.metrics if m.derived is not None}
    for metric in docs.metrics:
        if metric.derived is None:
            continue
        for field in ("source", "returns"):
            if getattr(metric, field) is not None:
                yield docs.problem(
                    metric,
                    field,
                    f"a derived measure is worked out from its numerator and denominator, so "
                    f"it has no '{field}'; drop '{field}' or drop 'derived'",
                )
    for pipeline in docs.pipelines:
        for metric_id in pipeline.metrics:
            if metric_id in derived:
                yield Problem(
                    pipeline.file,
                    pipeline.line,
                    f"{pipeline.id}.metrics",
                    f"'{metric_id}' is a derived measure, worked out by PMF; take it off the "
                    "pipeline's 'metrics:' list",
                )


def rebase_dates_in_order(docs: Documents) -> Iterator[Problem]:
    """SPC rebase dates are in order, without repeats."""
    for metric in docs.metrics:
        rebase = list(metric.spc.rebase_at)
        if rebase != sorted(set(rebase)):
            yield docs.problem(metric, "spc", "rebase_at dates must be in order, without repeats")


def metric_ids_are_unique(docs: Documents) -> Iterator[Problem]:
    """A metric id is defined once, in one file."""
    for metric_id, src in docs.duplicates:
        first = docs.sources[metric_id]
        yield Problem(
            src.file,
            src.line,
            f"{metric_id}.id",
            f"duplicate id; first defined at {first.file}:{first.line}",
        )


def pipelines_name_metrics(docs: Documents) -> Iterator[Problem]:
    """The metrics a pipeline lists are defined (a definition refused by stage 1 counts)."""
    metric_ids = {m.id for m in docs.metrics} | docs.invalid_metrics
    for pipeline in docs.pipelines:
        for metric_id in pipeline.metrics:
            if docs.metric_is_unknown(metric_id):
                yield Problem(
                    pipeline.file,
                    pipeline.line,
                    f"{pipeline.id}.metrics",
                    _unknown("metric", metric_id, metric_ids),
                )


def pipeline_ids_are_not_reserved(docs: Documents) -> Iterator[Problem]:
    """`returns`, `manual` and `derived` name PMF's own built-in pipelines, so no pipeline
    file may use them."""
    for pipeline in docs.pipelines:
        if pipeline.id in (RETURNS_PIPELINE, MANUAL_SOURCE, DERIVED_PIPELINE):
            kept_for = (
                "derived measures' values, worked out by PMF"
                if pipeline.id == DERIVED_PIPELINE
                else "figures entered in PMF (data returns)"
            )
            yield Problem(
                pipeline.file,
                pipeline.line,
                f"{pipeline.id}.id",
                f"'{pipeline.id}' is kept for {kept_for}; give the pipeline another id",
            )


def pipeline_ids_are_unique(docs: Documents) -> Iterator[Problem]:
    """A pipeline id is used once across the pipeline files."""
    for pipeline_id, count in Counter(p.id for p in docs.pipelines).items():
        if count > 1:
            dup = [p for p in docs.pipelines if p.id == pipeline_id][-1]
            yield Problem(dup.file, dup.line, f"{pipeline_id}.id", "duplicate pipeline id")


DEFAULT_RULES: tuple[Rule, ...] = tuple(
    Rule(check.__name__.replace("_", "-"), "error", check)
    for check in (
        plan_ids_are_unique,
        area_parents_are_listed,
        council_area_is_listed,
        metrics_name_plan_ids,
        metrics_serve_the_plan,
        target_schedules_in_order,
        tolerance_needs_a_target,
        neutral_metrics_have_no_target,
        district_targets_fit_the_measure,
        metric_sources_are_pipelines,
        manual_measures_name_their_people,
        derived_measures_name_measures,
        derived_measures_use_fed_measures,
        derived_measures_match_their_parts,
        derived_measures_have_no_feed,
        rebase_dates_in_order,
        metric_ids_are_unique,
        pipelines_name_metrics,
        pipeline_ids_are_not_reserved,
        pipeline_ids_are_unique,
    )
)


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return [str(value)]


def _unknown(field: str, value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif len(known) > MAX_LISTED:
        listed = ", ".join(sorted(known)[:MAX_LISTED])
        hint = f"known: {listed} and {len(known) - MAX_LISTED} more"
    else:
        hint = f"known: {', '.join(sorted(known)) or 'none'}"
    return f"unknown {field.replace('_', ' ')} '{value}'; {hint}"
