"""Flag rules: the defaults in `config/flags.yaml`, and each metric's overrides of them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metrics.registry.model import Metric
from metrics.registry.settings import Settings
from metrics.registry.yamlfile import ConfigError, Problem, YamlDoc, plain, problems_from, read_yaml

FLAGS_FILE = "flags.yaml"
FlagAreas = Literal["county", "all"]


class FlagDefaults(BaseModel):
    """The whole of `config/flags.yaml`: which rules raise flags, and their thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    off_target: bool = Field(True, description="Flag a measure that is red for N periods in a row.")
    off_target_periods: int | None = Field(
        None,
        ge=1,
        le=24,
        description="N for off_target; when absent, settings.yaml off_target_periods (default 2).",
    )
    spc_concern: bool = Field(
        True, description="Flag a latest point that is a special-cause concern."
    )
    assurance_fail: bool = Field(True, description="Flag a process that consistently fails target.")
    stale_data: bool = Field(True, description="Flag a measure whose data is later than due.")
    milestone_slipped: bool = Field(
        True, description="Flag a milestone forecast more than milestone_at_risk_days late."
    )
    milestone_overdue: bool = Field(
        True, description="Flag a milestone whose baseline date has passed, not complete."
    )
    saving_shortfall: bool = Field(
        True, description="Flag a saving forecast short of plan beyond the MTFS tolerance."
    )
    saving_milestone: bool = Field(
        True, description="Flag a saving that depends on a slipped or overdue milestone."
    )
    risk_above_appetite: bool = Field(
        True, description="Flag a risk scoring above the council's appetite."
    )
    risk_review_overdue: bool = Field(True, description="Flag a risk whose review is overdue.")
    areas: FlagAreas = Field(
        "county", description="Raise metric flags for the county only, or for districts too."
    )


@dataclass(frozen=True)
class MetricRules:
    """The flag rules in force for one metric, after its overrides are applied."""

    off_target: bool
    off_target_periods: int
    spc_concern: bool
    assurance_fail: bool
    stale_data: bool
    areas: FlagAreas


def rules_for(metric: Metric, defaults: FlagDefaults, settings: Settings) -> MetricRules:
    """Resolve a metric's flag rules: its own `flags:` first, then flags.yaml, then settings."""
    own = metric.flags

    def pick(name: str) -> Any:
        value = getattr(own, name) if own is not None else None
        return getattr(defaults, name) if value is None else value

    periods = pick("off_target_periods")
    return MetricRules(
        off_target=bool(pick("off_target")),
        off_target_periods=int(settings["off_target_periods"] if periods is None else periods),
        spc_concern=bool(pick("spc_concern")),
        assurance_fail=bool(pick("assurance_fail")),
        stale_data=bool(pick("stale_data")),
        areas=pick("areas"),
    )


def parse_flag_defaults(doc: YamlDoc | None) -> tuple[FlagDefaults, list[Problem]]:
    """Validate a flags.yaml document; an unknown key gets a did-you-mean hint."""
    if doc is None or doc.data is None:
        return FlagDefaults(), []
    if not isinstance(doc.data, dict):
        return FlagDefaults(), [
            Problem(doc.label, 1, "(file)", "expected rule: value pairs, e.g. 'off_target: true'")
        ]
    try:
        return FlagDefaults.model_validate(plain(doc.data)), []
    except ValidationError as exc:
        return FlagDefaults(), [_explain(p) for p in problems_from(exc, doc, [])]


def _explain(problem: Problem) -> Problem:
    if not problem.message.startswith("unknown field"):
        return problem
    known = sorted(FlagDefaults.model_fields)
    close = difflib.get_close_matches(problem.field, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
    message = f"unknown flag rule; {hint} (see docs/engine.md)"
    return Problem(problem.file, problem.line, problem.field, message)


def load_flag_defaults(config_dir: Path) -> FlagDefaults:
    """Read `flags.yaml` from a config folder (defaults when absent); raise ConfigError if wrong."""
    path = config_dir / FLAGS_FILE
    if not path.exists():
        return FlagDefaults()
    doc, problems = read_yaml(path, str(path))
    defaults, found = parse_flag_defaults(doc)
    problems += found
    if problems:
        raise ConfigError(problems)
    return defaults
