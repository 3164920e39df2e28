"""Typed definitions of the plan and the metrics, as the performance team writes them in YAML."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

Unit = Literal["percent", "count", "rate per 10k", "rate per 100k", "GBP", "days", "score", "ratio"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Frequency = Literal["weekly", "monthly", "quarterly", "annual", "calendar_year", "biennial"]
Aggregation = Literal["sum", "mean", "weighted", "none"]
AreaLevel = Literal["county", "districts"]
Visibility = Literal["public", "internal"]
YearToDate = Literal["sum", "none"]

UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]
POLARITIES: tuple[str, ...] = Polarity.__args__  # type: ignore[attr-defined]
FREQUENCIES: tuple[str, ...] = Frequency.__args__  # type: ignore[attr-defined]


# Every number in the YAML is one of these. Strict, because YAML reads `true` as a boolean that
# pydantic would otherwise take as 1 (and "75" in quotes as 75); finite, so `.nan` and `.inf`
# never reach a target. metrics.registry.yamlfile turns the errors into plain messages.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
WholeNumber = Annotated[int, Field(strict=True)]
# The ids of the plan's parts (priorities, portfolios, committees, ...): lower case and hyphens
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Strict(BaseModel):
    """Base for every YAML-backed model: unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Tolerance(_Strict):
    """The amber band around a target: an absolute amount or a percentage of the target."""

    absolute: FiniteNumber | None = Field(
        None, ge=0, description="Amber band in the metric's own unit."
    )
    percent: FiniteNumber | None = Field(
        None, ge=0, le=100, description="Amber band as % of the target."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Tolerance:
        if (self.absolute is None) == (self.percent is None):
            raise ValueError("give exactly one of 'absolute' or 'percent', e.g. {percent: 5}")
        return self

    def band(self, target: float) -> float:
        """Return the width of the amber band for this target."""
        if self.absolute is not None:
            return self.absolute
        return abs(target) * (self.percent or 0.0) / 100.0


class TargetStep(_Strict):
    """One step of a target schedule: the value applies to periods starting on or after `from`."""

    from_: date = Field(alias="from", description="First day the target applies (YYYY-MM-DD).")
    value: FiniteNumber


def _target_kind(value: object) -> str:
    return "tuple[TargetStep, ...]" if isinstance(value, list | tuple) else "float"


# Tagged by the input's shape, so a bad step is reported once, not also as "not a number"
# (the tags are named as pydantic names union branches, which the error reader leaves out)
Target = Annotated[
    Annotated[FiniteNumber, Tag("float")]
    | Annotated[tuple[TargetStep, ...], Tag(_target_kind([]))],
    Discriminator(_target_kind),
]


class DistrictTargets(_Strict):
    """How a measure's target carries to its districts; without this, districts get none.

    `target` is the council's own (county) target. A district is judged against a target only
    when the metric says how: its own target under `areas`, else its `share_of_county` of the
    county's target (for counts), else the county's target itself when `same_as_county` (for
    rates and percentages, where the same level makes sense everywhere).
    """

    same_as_county: bool = Field(
        False, description="Each district has the county's target (rates and percentages)."
    )
    share_of_county: dict[str, FiniteNumber] = Field(
        default_factory=dict,
        description="District code: its share of the county target, e.g. 0.12 (counts).",
    )
    areas: dict[str, Target] = Field(
        default_factory=dict, description="District code: its own target, number or schedule."
    )


class SpcSettings(_Strict):
    """Statistical process control settings for one metric (Making Data Count rules)."""

    run_length: WholeNumber = Field(
        7, ge=2, le=50, description="Points in a row on one side of the mean."
    )
    trend_length: WholeNumber = Field(
        7, ge=2, le=50, description="Points in a row rising or falling."
    )
    screen_outliers: bool = Field(True, description="Screen moving ranges over 3.267 x mean.")
    rebase_at: tuple[date, ...] = Field((), description="Dates that start a new set of limits.")
    fix_after_n_points: WholeNumber | None = Field(
        None, ge=2, description="Fix limits after n points."
    )


class MetricFlags(_Strict):
    """Per-metric overrides of the flag rules in config/flags.yaml; unset keys keep the default."""

    off_target: bool | None = Field(None, description="Raise a flag when red for N periods.")
    off_target_periods: WholeNumber | None = Field(
        None, ge=1, le=24, description="Red periods in a row that raise an off-target flag."
    )
    spc_concern: bool | None = Field(None, description="Flag a special-cause concern.")
    assurance_fail: bool | None = Field(None, description="Flag a consistent fail of target.")
    stale_data: bool | None = Field(None, description="Flag data that is later than due.")
    areas: Literal["county", "all"] | None = Field(
        None, description="Raise flags for the county only, or for every district too."
    )


class Benchmark(_Strict):
    """Where comparison data for this metric comes from."""

    series: str = Field(description="The series code in the benchmark source, e.g. ASC1.")
    group: str = Field("nearest-neighbours", description="The comparator group to compare with.")


# A PMF account's user name, as `pmf users add` makes them
Username = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._@-]{1,79}$")]
# The `source` of a measure whose figures are entered in PMF as data returns, not fed by a pipeline
MANUAL_SOURCE = "manual"
MANUAL_SOURCE_NAME = "Data return entered in PMF"
# The built-in pipeline that figures entered in PMF are loaded as (pipelines.returns)
RETURNS_PIPELINE = "returns"
RETURNS_PIPELINE_NAME = "Data returns"
# The built-in pipeline that derived measures' values are loaded as (pipelines.derived)
DERIVED_PIPELINE = "derived"
DERIVED_PIPELINE_NAME = "Derived measures"


class Returns(_Strict):
    """Who sends a manual measure's figure each period, and who signs it off (PMF accounts)."""

    owner: Username = Field(description="User name of the data owner, who enters the figure.")
    approver: Username = Field(description="User name of the person who signs the figure off.")


class Derived(_Strict):
    """How a derived measure's value is worked out from two other measures' values."""

    numerator: str = Field(description="Id of the measure divided (e.g. the spend).")
    denominator: str = Field(description="Id of the measure divided by (e.g. people supported).")
    scale: FiniteNumber = Field(
        1.0, gt=0, description="Multiplier of the ratio, e.g. 1000 for a figure per 1,000."
    )


class Metric(_Strict):
    """One measure in the registry, after defaults have been applied."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    name: str = Field(min_length=3)
    description: str = Field(min_length=3)
    unit: Unit
    decimals: WholeNumber = Field(1, ge=0, le=6)
    polarity: Polarity
    frequency: Frequency = "monthly"
    priority: str | None = Field(
        None, description="Priority outcome id; null for enabler measures."
    )
    enablers: tuple[str, ...] = ()
    portfolio: str
    select_committee: str
    owner: str = Field(min_length=2)
    directorate: str | None = None
    target: Target | None = None
    tolerance: Tolerance | None = None
    district_targets: DistrictTargets | None = Field(
        None, description="Targets for districts; without it only the county has a target."
    )
    aggregation: Aggregation = "none"
    area_level: AreaLevel = Field("county", description="county only, or county and districts.")
    source: str | None = Field(
        None,
        description="Id of the pipeline that feeds this metric, or 'manual' for a figure "
        "entered in PMF as a data return.",
    )
    returns: Returns | None = Field(
        None, description="Manual measures: the data owner and approver (PMF user names)."
    )
    derived: Derived | None = Field(
        None,
        description="Worked out as numerator / denominator x scale from two other measures' "
        "values, instead of a source.",
    )
    visibility: Visibility = "internal"
    suppress_below: WholeNumber | None = Field(None, ge=1)
    lag_days: WholeNumber | None = Field(
        None,
        ge=0,
        le=730,
        description="Days after period end the data is due (default: its pipeline's, else 30).",
    )
    year_to_date: YearToDate = "none"
    spc: SpcSettings = SpcSettings()
    benchmark: Benchmark | None = None
    tags: tuple[str, ...] = ()
    flags: MetricFlags | None = Field(None, description="Overrides of config/flags.yaml.")

    @field_validator("target", mode="before")
    @classmethod
    def _empty_schedule_is_none(cls, value: object) -> object:
        if isinstance(value, list) and not value:
            return None
        return value

    @property
    def is_manual(self) -> bool:
        """Whether the figure is entered in PMF (a data return) rather than fed by a pipeline."""
        return self.source == MANUAL_SOURCE

    @property
    def is_derived(self) -> bool:
        """Whether the value is worked out from two other measures rather than fed."""
        return self.derived is not None

    @property
    def source_id(self) -> str | None:
        """What feeds the figures: the source pipeline, `derived`, or None when not set."""
        return DERIVED_PIPELINE if self.derived is not None else self.source

    @property
    def has_target(self) -> bool:
        """Whether any target is set."""
        return self.target is not None

    def target_for(self, period_start: date) -> float | None:
        """Return the council's own (county) target for a period starting on `period_start`."""
        return target_in_force(self.target, period_start)

    def area_target_for(self, area_code: str, county: str, period_start: date) -> float | None:
        """The target for one area: the county's, or a district's by `district_targets`."""
        if area_code == county:
            return self.target_for(period_start)
        rule = self.district_targets
        if rule is None:
            return None
        if area_code in rule.areas:
            return target_in_force(rule.areas[area_code], period_start)
        county_target = self.target_for(period_start)
        if county_target is None:
            return None
        if area_code in rule.share_of_county:
            return county_target * rule.share_of_county[area_code]
        return county_target if rule.same_as_county else None

    @property
    def higher_is_better(self) -> bool | None:
        """True, False, or None for a neutral metric."""
        if self.polarity == "neutral":
            return None
        return self.polarity == "higher_is_better"


def target_in_force(target: float | tuple[TargetStep, ...] | None, day: date) -> float | None:
    """The value of a target (a number or a schedule) for a period starting on `day`."""
    if target is None:
        return None
    if isinstance(target, float | int):
        return float(target)
    current: float | None = None
    for step in target:
        if step.from_ <= day:
            current = step.value
    return current


class Organisation(_Strict):
    """The council that owns the plan."""

    name: str
    short_name: str
    area_code: str
    population: WholeNumber | None = None
    financial_year_start_month: WholeNumber = Field(4, ge=1, le=12)


class PlanPeriod(_Strict):
    """The years a plan runs for."""

    start: date
    end: date


class PlanInfo(_Strict):
    """The strategic plan's name, period and vision."""

    name: str
    period: PlanPeriod
    vision: str


class Priority(_Strict):
    """A priority outcome of the plan."""

    id: Slug
    name: str
    outcome: str


class Enabler(_Strict):
    """An enabler of the plan (workforce, digital, ...)."""

    id: Slug
    name: str
    description: str = ""


class Directorate(_Strict):
    """A directorate of the council."""

    id: Slug
    name: str


class Portfolio(_Strict):
    """A cabinet portfolio and the title of its holder."""

    id: Slug
    name: str
    holder_title: str


class SelectCommittee(_Strict):
    """A select (scrutiny) committee and its remit."""

    id: Slug
    name: str
    remit: str


class Area(_Strict):
    """A geography the council reports on, with its ONS code."""

    code: str = Field(pattern=r"^[EWSN]\d{8}$")
    name: str
    type: Literal["county", "district"]
    parent: str | None = None


class Plan(_Strict):
    """The whole strategic plan file."""

    organisation: Organisation
    plan: PlanInfo
    priorities: tuple[Priority, ...] = Field(min_length=1)
    enablers: tuple[Enabler, ...] = ()
    directorates: tuple[Directorate, ...] = ()
    portfolios: tuple[Portfolio, ...] = Field(min_length=1)
    select_committees: tuple[SelectCommittee, ...] = Field(min_length=1)
    areas: tuple[Area, ...] = Field(min_length=1)

    @property
    def county(self) -> Area:
        """The area the whole council covers."""
        for area in self.areas:
            if area.code == self.organisation.area_code:
                return area
        return self.areas[0]

    @property
    def districts(self) -> tuple[Area, ...]:
        """The districts inside the council's area."""
        return tuple(a for a in self.areas if a.type == "district")
