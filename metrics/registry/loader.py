"""The metric registry: load the plan and metric YAML, validate in two stages, look things up.

Stage 1 checks each document on its own (structure, with file and line).
Stage 2 checks references across documents and collects every problem before reporting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from metrics.registry.comparators import COMPARATORS_FILE, ComparatorGroup, parse_comparators
from metrics.registry.finance import Finance
from metrics.registry.finance_loader import load_finance
from metrics.registry.flag_config import FLAGS_FILE, FlagDefaults, parse_flag_defaults
from metrics.registry.location import config_dir_from_env
from metrics.registry.model import (
    DERIVED_PIPELINE,
    DERIVED_PIPELINE_NAME,
    MANUAL_SOURCE,
    MANUAL_SOURCE_NAME,
    RETURNS_PIPELINE,
    RETURNS_PIPELINE_NAME,
    Area,
    Metric,
    Plan,
)
from metrics.registry.rules import Documents, cross_reference_problems
from metrics.registry.settings import Settings, parse_settings
from metrics.registry.sources import MetricSource, PipelineRef
from metrics.registry.yamlfile import (
    ConfigError,
    Loc,
    Problem,
    YamlDoc,
    explain,
    field_name,
    node_at,
    plain,
    problems_from,
    read_yaml,
    top_level_keys,
)

DEFAULT_LAG_DAYS = 30


@dataclass
class _Refused:
    """What stage 1 refused or could not read, so stage 2 does not call it unknown as well."""

    metric_ids: set[str] = field(default_factory=set)
    metrics_unread: bool = False
    pipelines_unread: bool = False


@dataclass(frozen=True)
class Registry:
    """The validated configuration, as typed objects. Nobody else re-parses the YAML."""

    config_dir: Path
    plan: Plan
    metrics: tuple[Metric, ...]
    settings: Settings
    pipelines: tuple[PipelineRef, ...] = ()
    sources: dict[str, MetricSource] = field(default_factory=dict, compare=False)
    flag_defaults: FlagDefaults = field(default_factory=FlagDefaults, compare=False)
    comparator_groups: dict[str, ComparatorGroup] = field(default_factory=dict, compare=False)
    finance: Finance = field(default_factory=Finance, compare=False)

    @cached_property
    def _by_id(self) -> dict[str, Metric]:
        return {m.id: m for m in self.metrics}

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Every metric's id, in the registry's order."""
        return tuple(m.id for m in self.metrics)

    def metric(self, metric_id: str) -> Metric:
        """Return one metric, or raise KeyError naming the unknown id."""
        try:
            return self._by_id[metric_id]
        except KeyError:
            raise KeyError(f"no metric with id '{metric_id}' in the registry") from None

    def lag_days_for(self, metric: Metric) -> int:
        """Days after a period ends that its data is due: the metric's, its pipeline's, or 30."""
        if metric.lag_days is not None:
            return metric.lag_days
        if metric.derived is not None:
            # Due once the later of its two parts is due
            parts = (metric.derived.numerator, metric.derived.denominator)
            fed = [self._by_id[p] for p in parts if p in self._by_id and p != metric.id]
            return max(
                (self.lag_days_for(m) for m in fed if m.derived is None), default=DEFAULT_LAG_DAYS
            )
        pipeline = next((p for p in self.pipelines if p.id == metric.source), None)
        if pipeline is not None and pipeline.lag_days is not None:
            return pipeline.lag_days
        return DEFAULT_LAG_DAYS

    def pipeline_name(self, pipeline_id: str | None) -> str:
        """A source pipeline's name as people read it ('' for none; the id if unknown)."""
        if not pipeline_id:
            return ""
        if pipeline_id == MANUAL_SOURCE:
            return MANUAL_SOURCE_NAME
        if pipeline_id == RETURNS_PIPELINE:
            return RETURNS_PIPELINE_NAME
        if pipeline_id == DERIVED_PIPELINE:
            return DERIVED_PIPELINE_NAME
        pipeline = next((p for p in self.pipelines if p.id == pipeline_id), None)
        return pipeline.title if pipeline is not None else pipeline_id

    def has_metric(self, metric_id: str) -> bool:
        """Whether the registry defines this metric."""
        return metric_id in self._by_id

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    def for_priority(self, priority_id: str | None) -> list[Metric]:
        """Metrics mapped to a priority (None: the cross-cutting enabler measures)."""
        return [m for m in self.metrics if m.priority == priority_id]

    def for_enabler(self, enabler_id: str) -> list[Metric]:
        """Metrics that serve an enabler."""
        return [m for m in self.metrics if enabler_id in m.enablers]

    def for_portfolio(self, portfolio_id: str) -> list[Metric]:
        """Metrics in a cabinet portfolio."""
        return [m for m in self.metrics if m.portfolio == portfolio_id]

    def for_committee(self, committee_id: str) -> list[Metric]:
        """Metrics in a select committee's remit."""
        return [m for m in self.metrics if m.select_committee == committee_id]

    @cached_property
    def areas_by_code(self) -> dict[str, Area]:
        """The plan's own areas by ONS code."""
        return {a.code: a for a in self.plan.areas}

    def areas_for(self, metric: Metric) -> list[Area]:
        """The areas a metric is reported for: the county, plus districts where it has them."""
        if metric.area_level == "districts":
            return [self.plan.county, *self.plan.districts]
        return [self.plan.county]

    def area_name(self, code: str) -> str:
        """A readable name for an area code (the code itself when unknown)."""
        area = self.areas_by_code.get(code)
        return area.name if area else code

    def name_of(self, kind: str, ident: str | None) -> str:
        """Plain-English name of a priority, enabler, portfolio, committee or directorate."""
        if ident is None:
            return "Cross-cutting (enablers)"
        items = getattr(self.plan, kind)
        for item in items:
            if item.id == ident:
                return str(item.name)
        return ident


def load_registry(config_dir: Path | str | None = None) -> Registry:
    """Load and validate the configuration; raise ConfigError listing every problem."""
    registry, problems = _load(Path(config_dir) if config_dir else config_dir_from_env())
    if problems or registry is None:
        raise ConfigError(sorted(set(problems)))
    return registry


def validate_config(config_dir: Path | str) -> list[Problem]:
    """Return every problem in the configuration (an empty list when it is valid)."""
    # A mistake in shared defaults surfaces once per metric; report it once
    return sorted(set(_load(Path(config_dir))[1]))


def _load(config_dir: Path) -> tuple[Registry | None, list[Problem]]:
    problems: list[Problem] = []
    if not config_dir.is_dir():
        where = config_dir.resolve()
        hint = "run pmf from the folder that holds config/, or give --config DIR, or set PMF_CONFIG"
        return None, [
            Problem(str(where), 1, "(folder)", f"config folder not found at {where}; {hint}")
        ]

    def read(path: Path) -> YamlDoc | None:
        doc, found = read_yaml(path, _label(config_dir, path))
        problems.extend(found)
        return doc

    plan = _parse_plan(read(config_dir / "plan.yaml"), config_dir, problems)
    settings_path = config_dir / "settings.yaml"
    settings, found = parse_settings(read(settings_path) if settings_path.exists() else None)
    problems.extend(found)
    flags_path = config_dir / FLAGS_FILE
    flag_defaults, found = parse_flag_defaults(read(flags_path) if flags_path.exists() else None)
    problems.extend(found)

    defaults_doc = (
        read(config_dir / "defaults.yaml") if (config_dir / "defaults.yaml").exists() else None
    )
    refused = _Refused()

    metrics: list[Metric] = []
    sources: dict[str, MetricSource] = {}
    duplicates: list[tuple[str, MetricSource]] = []
    metric_files = sorted((config_dir / "metrics").glob("*.y*ml"))
    if not metric_files:
        problems.append(
            Problem(_label(config_dir, config_dir / "metrics"), 1, "(folder)", "no metric files")
        )
    for path in metric_files:
        doc = read(path)
        if doc is None:
            refused.metrics_unread = True
            continue
        for metric, source in _parse_metric_file(doc, defaults_doc, problems, refused):
            if metric.id in sources:
                duplicates.append((metric.id, source))
                continue
            sources[metric.id] = source
            metrics.append(metric)

    pipelines = _pipeline_refs(config_dir, read, problems, refused)
    if plan is None:
        return None, problems
    documents = Documents(
        plan,
        metrics,
        sources,
        duplicates,
        pipelines,
        invalid_metrics=frozenset(refused.metric_ids),
        all_metrics_read=not refused.metrics_unread,
        all_pipelines_read=not refused.pipelines_unread,
    )
    problems.extend(cross_reference_problems(documents))
    finance, found = load_finance(config_dir, read, documents)
    problems.extend(found)
    comparators_path = config_dir / COMPARATORS_FILE
    groups, found = parse_comparators(
        read(comparators_path) if comparators_path.exists() else None,
        config_dir,
        plan.organisation.area_code,
    )
    problems.extend(found)
    for metric in metrics:
        if metric.benchmark is not None and metric.benchmark.group not in groups:
            src = sources[metric.id]
            known = ", ".join(sorted(groups)) or f"none: add {COMPARATORS_FILE}"
            problems.append(
                Problem(
                    src.file,
                    src.key_lines.get("benchmark", src.line),
                    f"{metric.id}.benchmark",
                    f"unknown comparator group '{metric.benchmark.group}'; known: {known}",
                )
            )
    registry = Registry(
        config_dir,
        plan,
        tuple(metrics),
        settings,
        tuple(pipelines),
        sources,
        flag_defaults=flag_defaults,
        comparator_groups=groups,
        finance=finance,
    )
    return registry, problems


def _label(config_dir: Path, path: Path) -> str:
    return str(config_dir / path.relative_to(config_dir))


def _parse_plan(doc: YamlDoc | None, config_dir: Path, problems: list[Problem]) -> Plan | None:
    if doc is None:
        if not (config_dir / "plan.yaml").exists():
            problems.append(
                Problem(str(config_dir / "plan.yaml"), 1, "(file)", "plan file not found")
            )
        return None
    try:
        return Plan.model_validate(plain(doc.data))
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, [], model=Plan))
        return None


def _parse_metric_file(
    doc: YamlDoc, defaults_doc: YamlDoc | None, problems: list[Problem], refused: _Refused
) -> Iterator[tuple[Metric, MetricSource]]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        problems.append(Problem(doc.label, 1, "metrics", "a metric file needs a 'metrics:' list"))
        refused.metrics_unread = True
        return
    global_defaults: dict[str, Any] = {}
    if defaults_doc is not None and isinstance(defaults_doc.data, dict):
        global_defaults = plain(defaults_doc.data.get("metric_defaults") or {})
    # A misspelt defaults block is used anyway, or every metric would lack what it gives
    keys = top_level_keys(doc, ("defaults", "metrics"), problems, "a metric file")
    defaults_key = keys["defaults"]
    file_defaults = plain(data.get(defaults_key) or {})
    if not isinstance(file_defaults, dict):
        problems.append(
            Problem(doc.label, doc.line_of(["defaults"]), "defaults", "must be a mapping")
        )
        file_defaults = {}
    for index, node in enumerate(data["metrics"]):
        line = doc.line_of(["metrics", index])
        if not isinstance(node, dict):
            problems.append(
                Problem(doc.label, line, f"metrics[{index}]", "each metric is a mapping")
            )
            refused.metrics_unread = True
            continue
        raw = plain(node)
        merged = _deep_merge(_deep_merge(global_defaults, file_defaults), raw)
        prefix = f"{raw.get('id', f'metrics[{index}]')}."
        try:
            metric = Metric.model_validate(merged)
        except ValidationError as exc:
            for loc, message in explain(exc, Metric):
                if _holds(raw, loc) or not (
                    _holds(file_defaults, loc) or _holds(global_defaults, loc)
                ):
                    at = doc.line_of(loc, node_at(doc, ["metrics", index]))
                    problems.append(Problem(doc.label, at, field_name(loc, prefix), message))
                else:
                    problems.append(
                        _defaults_problem(
                            doc, defaults_doc, (defaults_key, file_defaults), loc, message
                        )
                    )
            if isinstance(raw.get("id"), str):
                refused.metric_ids.add(raw["id"])
            else:
                refused.metrics_unread = True
            continue
        key_lines = {str(k): doc.line_of(["metrics", index, k]) for k in node}
        yield metric, MetricSource(doc.label, line, key_lines)


def _holds(data: Any, loc: Loc) -> bool:
    # Whether the value at `loc` was written in `data` (not merged in from elsewhere)
    for key in loc:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return False
    return bool(loc)


def _defaults_problem(
    doc: YamlDoc,
    defaults_doc: YamlDoc | None,
    file_defaults: tuple[str, dict[str, Any]],
    loc: Loc,
    message: str,
) -> Problem:
    # The mistake is in a defaults block: point there, so it reads the same for every metric
    key, values = file_defaults
    if _holds(values, loc) or defaults_doc is None:
        return Problem(doc.label, doc.line_of([key, *loc]), field_name(loc, f"{key}."), message)
    return Problem(
        defaults_doc.label,
        defaults_doc.line_of(["metric_defaults", *loc]),
        field_name(loc, "metric_defaults."),
        message,
    )


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _pipeline_refs(
    config_dir: Path, read: Any, problems: list[Problem], refused: _Refused
) -> list[PipelineRef]:
    refs: list[PipelineRef] = []
    for path in sorted((config_dir / "pipelines").glob("*.y*ml")):
        doc = read(path)
        if doc is None:
            refused.pipelines_unread = True
            continue
        if doc.data is None:
            continue
        items = doc.data.get("pipelines") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            problems.append(
                Problem(doc.label, 1, "pipelines", "a pipeline file needs a 'pipelines:' list")
            )
            refused.pipelines_unread = True
            continue
        for index, item in enumerate(items):
            if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
                refused.pipelines_unread = True
                continue
            metric_ids = item.get("metrics") or []
            refs.append(
                PipelineRef(
                    item["id"],
                    tuple(str(m) for m in metric_ids) if isinstance(metric_ids, list) else (),
                    doc.label,
                    doc.line_of(["pipelines", index]),
                    item["lag_days"] if isinstance(item.get("lag_days"), int) else None,
                    name=str(item.get("name") or ""),
                    description=" ".join(str(item.get("description") or "").split()),
                    schedule=_schedule_fields(item.get("schedule")),
                )
            )
    return refs


def _schedule_fields(value: object) -> tuple[tuple[str, str], ...]:
    """A pipeline's schedule as (field, text) pairs: a crontab string is the field 'cron'."""
    if isinstance(value, str):
        return (("cron", value.strip()),)
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    return ()


def group_by(metrics: list[Metric], attribute: str) -> dict[Any, list[Metric]]:
    """Group metrics by an attribute, keeping registry order."""
    groups: dict[Any, list[Metric]] = defaultdict(list)
    for metric in metrics:
        groups[getattr(metric, attribute)].append(metric)
    return dict(groups)
