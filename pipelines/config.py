"""Pipeline definitions in YAML (`config/pipelines/*.yaml`): typed models and a located loader.

Stage 1 checks each pipeline on its own, with file and line. Stage 2 checks it against the
registry: the metrics it names, the codes it maps to them, its areas and its period format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, ValidationError, field_validator, model_validator

from metrics.registry.loader import Registry, validate_config
from metrics.registry.model import WholeNumber
from metrics.registry.yamlfile import ConfigError, Problem, YamlDoc, plain, problems_from, read_yaml
from metrics.schedules import crontab_trigger
from pipelines.period_formats import PERIOD_FORMATS, YEARLY_FORMATS
from pipelines.source_config import SOURCE_KINDS, FileSource, Source, Strict
from warehouse.milestones import MILESTONE_COLUMNS

PeriodFormat = Literal[
    "auto", "financial-year", "quarter", "month", "date", "year", "calendar-year"
]
CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
MILESTONE_FIELDS = tuple(MILESTONE_COLUMNS)
# A savings delivery return's fields and the finance team's workbook heading for each
SAVINGS_HEADINGS = {
    "proposal_id": "Ref",
    "financial_year": "Financial year",
    "as_at": "Month",
    "forecast": "Forecast £",
    "delivered": "Delivered to date £",
    "commentary": "Commentary",
}
SAVINGS_FIELDS = tuple(SAVINGS_HEADINGS)
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


class Schedule(Strict):
    """When a pipeline runs: a five-field crontab, or APScheduler cron fields (Europe/London)."""

    cron: str | None = Field(None, description="minute hour day month weekday, e.g. '0 6 * * 1'.")
    year: str | None = None
    month: str | None = None
    day: str | None = None
    week: str | None = None
    day_of_week: str | None = None
    hour: str | None = None
    minute: str | None = None
    second: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_is_crontab(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"cron": value}
        if isinstance(value, dict):
            return {k: (str(v) if isinstance(v, int) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _buildable(self) -> Schedule:
        fields = self.fields()
        if (self.cron is None) == (not fields):
            raise ValueError("give either 'cron: \"0 6 * * 1\"' or cron fields such as 'hour: 6'")
        try:
            self.trigger("Europe/London")
        except ValueError as exc:
            raise ValueError(
                f"not a valid schedule ({exc}); use five fields 'minute hour day month weekday', "
                "e.g. '0 6 * * 1' for 06:00 every Monday"
            ) from None
        return self

    def fields(self) -> dict[str, str]:
        """The cron fields given, without the crontab text."""
        return {f: v for f in CRON_FIELDS if (v := getattr(self, f)) is not None}

    def trigger(self, timezone: str) -> CronTrigger:
        """The APScheduler trigger for this schedule in a time zone."""
        if self.cron is not None:
            return crontab_trigger(self.cron, timezone)
        return CronTrigger(timezone=timezone, **self.fields())

    def describe(self) -> str:
        """The schedule as written, for listings."""
        if self.cron is not None:
            return self.cron
        return " ".join(f"{k}={v}" for k, v in self.fields().items())


class MetricField(Strict):
    """Which metric a row is for: one fixed id, or a column (with codes mapped to ids)."""

    id: Identifier | None = Field(None, description="Every row is for this metric.")
    column: str | None = Field(None, description="Column that names the metric.")
    codes: dict[str, Identifier] = Field(
        default_factory=dict, description="Source code -> metric id, e.g. {ASC1: asc-...}."
    )
    unmapped: Literal["reject", "skip"] = Field(
        "reject", description="What to do with a code not in 'codes'."
    )

    @model_validator(mode="after")
    def _one_way(self) -> MetricField:
        if (self.id is None) == (self.column is None):
            raise ValueError("give a metric id (metric: jobs-created) or {column: ...}")
        return self


class AreaField(Strict):
    """Which area a row is for: one fixed ONS code, or a column of codes (or plan area names)."""

    code: str | None = Field(None, pattern=r"^[EWSNK]\d{8}$")
    column: str | None = None
    codes: dict[str, str] = Field(default_factory=dict, description="Source value -> ONS code.")

    @model_validator(mode="after")
    def _one_way(self) -> AreaField:
        if (self.code is None) == (self.column is None):
            raise ValueError("give an area code (area: E10000028) or {column: ...}")
        return self


class PeriodField(Strict):
    """The column holding the period, and how to read it."""

    column: str
    format: PeriodFormat = "auto"
    marks: Literal["start", "end"] = Field(
        "start", description="Whether a date is the first or last day of its period."
    )
    quarters: Literal["calendar", "financial"] = Field(
        "calendar", description="Whether '2019 Q2' means Apr-Jun 2019 or Jul-Sep 2019."
    )


class Filter(Strict):
    """Keep only rows whose column equals a value, is in a list, or is not in a list."""

    column: str
    equals: str | None = None
    in_: tuple[str, ...] | None = Field(None, alias="in")
    not_in: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Filter:
        if sum(v is not None for v in (self.equals, self.in_, self.not_in)) != 1:
            raise ValueError("give exactly one of 'equals', 'in' or 'not_in'")
        return self


class BenchmarkRule(Strict):
    """Which rows are comparison (benchmark) rows rather than the council's own figures."""

    outside_plan: bool = Field(False, description="Rows for areas not in the plan are benchmark.")
    column: str | None = Field(None, description="A column that marks benchmark rows...")
    values: tuple[str, ...] = Field(("yes", "true", "y", "1"), description="...with these values.")


class Mapping(Strict):
    """How source columns become observations."""

    metric: MetricField
    area: AreaField
    period: PeriodField
    value: str | None = Field(None, description="Column holding the value.")
    numerator: str | None = None
    denominator: str | None = None
    filters: tuple[Filter, ...] = ()
    skip_blank_values: bool = Field(
        False, description="Skip rows with no value (e.g. not published) instead of rejecting."
    )
    benchmark: BenchmarkRule | None = None

    @field_validator("metric", "area", mode="before")
    @classmethod
    def _plain_text_is_fixed(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            return {"id": value} if info.field_name == "metric" else {"code": value}
        return value

    @model_validator(mode="after")
    def _has_figures(self) -> Mapping:
        if self.value is None and (self.numerator is None or self.denominator is None):
            raise ValueError("map a 'value' column, or both 'numerator' and 'denominator'")
        return self

    def columns(self) -> list[str]:
        """Every source column the mapping reads."""
        named = [self.metric.column, self.area.column, self.period.column, self.value]
        named += [self.numerator, self.denominator]
        named += [f.column for f in self.filters]
        if self.benchmark is not None:
            named.append(self.benchmark.column)
        return list(dict.fromkeys(c for c in named if c is not None))


class Pipeline(Strict):
    """One pipeline: where data comes from, when, and how it maps onto metrics, milestones or
    savings delivery returns."""

    id: Identifier
    kind: Literal["observations", "milestones", "savings"] = "observations"
    name: str | None = Field(
        None,
        min_length=3,
        max_length=80,
        description="The pipeline's name as people read it on pages, e.g. 'Finance return'.",
    )
    description: str = Field(min_length=3)
    owner: str = Field(min_length=2)
    source: Source
    schedule: Schedule | None = Field(None, description="Cron schedule; omit to run by hand.")
    metrics: tuple[Identifier, ...] = ()
    lag_days: WholeNumber = Field(
        30, ge=0, le=730, description="Days after a period ends that its data should arrive."
    )
    mapping: Mapping | None = None
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Milestones and savings: the workbook's heading for each field.",
    )
    amounts_in: Literal["pounds", "thousands"] = Field(
        "pounds", description="Savings: whether the workbook's amounts are pounds or £000."
    )

    @model_validator(mode="after")
    def _kind_fits(self) -> Pipeline:
        if self.kind == "observations" and (self.mapping is None or not self.metrics):
            raise ValueError("an observations pipeline needs 'metrics:' and a 'mapping:'")
        if self.kind != "observations" and (self.mapping is not None or self.metrics):
            raise ValueError(
                f"a {self.kind} pipeline takes 'columns:', not 'mapping:' or 'metrics:'"
            )
        if self.kind != "savings" and self.amounts_in != "pounds":
            raise ValueError("'amounts_in' is for savings pipelines only")
        fields = SAVINGS_FIELDS if self.kind == "savings" else MILESTONE_FIELDS
        unknown = sorted(set(self.columns) - set(fields))
        if unknown:
            what = "savings" if self.kind == "savings" else "milestone"
            raise ValueError(
                f"unknown {what} field(s) {', '.join(unknown)} in 'columns'; "
                f"use {', '.join(fields)}"
            )
        return self


def load_pipelines(registry: Registry) -> dict[str, Pipeline]:
    """Every pipeline in the registry's config folder, by id; raise ConfigError listing problems."""
    pipelines, problems = _load(registry)
    if problems:
        raise ConfigError(sorted(problems))
    return pipelines


def validate_pipelines(config_dir: Path | str) -> list[Problem]:
    """Every problem in the configuration, pipelines included (empty when all is well)."""
    from metrics.registry.loader import load_registry

    problems = validate_config(config_dir)
    if problems:
        return problems
    return sorted(_load(load_registry(config_dir))[1])


def drop_root(registry: Registry) -> Path:
    """The drop folder: the `drop_folder` setting, relative to the project (config's parent)."""
    folder = Path(str(registry.settings["drop_folder"]))
    return folder if folder.is_absolute() else registry.config_dir.resolve().parent / folder


def pipeline_file_schema() -> dict[str, Any]:
    """JSON Schema for a file under config/pipelines/, for editors."""
    schema = Pipeline.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})
    # The models accept shorthands (a before-validator turns them into the full form)
    text = {"type": "string"}
    mapping = defs["Mapping"]["properties"]
    mapping["metric"] = {"anyOf": [{**text, "description": "One metric id."}, mapping["metric"]]}
    mapping["area"] = {"anyOf": [{**text, "description": "One ONS code."}, mapping["area"]]}
    path = defs["FileSource"]["properties"]["path"]
    defs["FileSource"]["properties"]["path"] = {"anyOf": [text, path], "title": "Path"}
    schedule = schema["properties"]["schedule"]
    schedule["anyOf"].insert(0, {**text, "description": "Crontab: minute hour day month weekday."})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "PMF pipeline file",
        "description": "Pipeline definitions. See docs/pipelines.md for every field.",
        "type": "object",
        "additionalProperties": False,
        "required": ["pipelines"],
        "properties": {"pipelines": {"type": "array", "items": schema}},
        "$defs": defs,
    }


def render_schema() -> str:
    """The exact text of config/schemas/pipeline-file.schema.json."""
    return json.dumps(pipeline_file_schema(), indent=2, sort_keys=True, default=str) + "\n"


def _load(registry: Registry) -> tuple[dict[str, Pipeline], list[Problem]]:
    config_dir = registry.config_dir
    problems: list[Problem] = []
    pipelines: dict[str, Pipeline] = {}
    for path in sorted((config_dir / "pipelines").glob("*.y*ml")):
        doc, found = read_yaml(path, str(config_dir / path.relative_to(config_dir)))
        problems.extend(found)
        if doc is None or not isinstance(doc.data, dict):
            continue
        for key in sorted(set(map(str, doc.data)) - {"pipelines"}):
            problems.append(Problem(doc.label, doc.line_of([key]), key, "unknown top-level key"))
        for index, node in enumerate(doc.data.get("pipelines") or []):
            pipeline = _parse_pipeline(doc, index, node, problems)
            if pipeline is None or pipeline.id in pipelines:
                continue  # the registry already reports duplicate ids
            pipelines[pipeline.id] = pipeline
            line = doc.line_of(["pipelines", index])
            problems.extend(_cross_check(pipeline, registry, doc, index, line))
    problems.extend(_unfed_sources(pipelines, registry))
    return pipelines, problems


def _parse_pipeline(
    doc: YamlDoc, index: int, node: Any, problems: list[Problem]
) -> Pipeline | None:
    line = doc.line_of(["pipelines", index])
    if not isinstance(node, dict):
        problems.append(Problem(doc.label, line, f"pipelines[{index}]", "each pipeline is a map"))
        return None
    raw = plain(node)
    prefix = f"{raw.get('id', f'pipelines[{index}]')}."
    source, ok = _parse_source(doc, index, raw.get("source"), prefix, problems)
    try:
        pipeline = Pipeline.model_validate({**raw, "source": source})
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, ["pipelines", index], prefix, model=Pipeline))
        return None
    return pipeline if ok else None


def _parse_source(
    doc: YamlDoc, index: int, raw: Any, prefix: str, problems: list[Problem]
) -> tuple[Any, bool]:
    # Validated on its own so errors point at the source's own lines, not a union branch
    placeholder = FileSource(kind="file", path=("-",))
    loc: list[str | int] = ["pipelines", index, "source"]
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if raw is None:
        return raw, False
    model = SOURCE_KINDS.get(str(kind))
    if model is None:
        message = f"{kind!r} is not a source kind; use one of {', '.join(SOURCE_KINDS)}"
        problems.append(Problem(doc.label, doc.line_of([*loc, "kind"]), f"{prefix}source", message))
        return placeholder, False
    try:
        return model.model_validate(raw), True
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, loc, f"{prefix}source.", model=model))
        return placeholder, False


def _cross_check(
    pipeline: Pipeline, registry: Registry, doc: YamlDoc, index: int, line: int
) -> list[Problem]:
    found: list[Problem] = []

    def report(loc: list[str | int], field: str, message: str) -> None:
        at = doc.line_of(["pipelines", index, *loc]) if loc else line
        found.append(Problem(doc.label, at, f"{pipeline.id}.{field}", message))

    # A metric may be fed by more than one pipeline (a service return and a national
    # release); its `source` names the main one, checked in _unfed_sources
    listed = set(pipeline.metrics)
    mapping = pipeline.mapping
    if mapping is None:
        return found
    targets = [mapping.metric.id] if mapping.metric.id else list(mapping.metric.codes.values())
    for metric_id in targets:
        if metric_id not in listed:
            report(
                ["mapping", "metric"],
                "mapping.metric",
                f"'{metric_id}' is not in this pipeline's 'metrics:' list",
            )
    if mapping.area.code and mapping.area.code not in registry.areas_by_code:
        known = ", ".join(registry.areas_by_code)
        report(
            ["mapping", "area"],
            "mapping.area",
            f"'{mapping.area.code}' is not a plan area; use {known}",
        )
    fmt = mapping.period.format
    for metric_id in pipeline.metrics:
        if not registry.has_metric(metric_id):
            continue
        frequency = registry.metric(metric_id).frequency
        fits = PERIOD_FORMATS[fmt].frequencies
        if frequency not in fits:
            report(
                ["mapping", "period", "format"],
                "mapping.period.format",
                f"'{fmt}' gives {'yearly' if fmt in YEARLY_FORMATS else fmt} periods, "
                f"but '{metric_id}' is {frequency}; use format "
                + " or ".join(
                    f"'{name}'"
                    for name, form in PERIOD_FORMATS.items()
                    if frequency in form.frequencies and name != "auto"
                ),
            )
    return found


def _unfed_sources(pipelines: dict[str, Pipeline], registry: Registry) -> list[Problem]:
    found = []
    for metric in registry:
        pipeline = pipelines.get(metric.source or "")
        if pipeline is not None and metric.id not in pipeline.metrics:
            src = registry.sources.get(metric.id)
            found.append(
                Problem(
                    src.file if src else str(registry.config_dir),
                    src.key_lines.get("source", src.line) if src else 1,
                    f"{metric.id}.source",
                    f"pipeline '{pipeline.id}' does not list '{metric.id}' under 'metrics:'",
                )
            )
    return found
