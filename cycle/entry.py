"""The owner's side of a return: save a draft, or submit the figure and its commentary.

Every figure is checked by the same rules as a pipeline's (`pipelines.returns`); a figure off
target needs commentary; only the return's owner may enter it, and only while the cycle is
open and the return is still theirs to change. A refusal names each field that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from access.identity import Viewer
from cycle.states import (
    APPROVED,
    COMMENTARY_DRAFT,
    DRAFT,
    EDITABLE,
    LOCKED,
    SUBMITTED,
)
from metrics.engine.period_codes import parse_period_code
from metrics.engine.periods import period_label
from metrics.engine.status import RED, figure_rag
from metrics.format import format_value
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from pipelines.returns import EnteredFigure, figure_problems, read_number, reads_as_blank
from pipelines.transform import SCALE
from warehouse.returns import change_return, find_return

FIGURE_FIELDS = ("value", "numerator", "denominator")
# A value can be worked out from a numerator and denominator for these (pipelines.checks)
FRACTION_UNITS = frozenset({"percent", "rate per 10k", "rate per 100k", "ratio"})
MAX_COMMENTARY = 4000


class ReturnRefused(ValueError):
    """A return cannot be changed as asked: a message per field (the key "" for the whole)."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(" ".join(fields.values()))


@dataclass(frozen=True)
class ReturnKey:
    """Which return: its period code, measure and area."""

    period: str
    metric_id: str
    area_code: str


@dataclass(frozen=True)
class Figures:
    """What the owner typed: the figures as text (or numbers) and the commentary."""

    value: str | float | None = None
    numerator: str | float | None = None
    denominator: str | float | None = None
    commentary: str = ""

    def blank(self) -> bool:
        """Whether no figure was given at all."""
        return all(read_text(getattr(self, name)) == "" for name in FIGURE_FIELDS)


def read_text(value: str | float | None) -> str:
    """A figure as typed, '' for a blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return str(value).strip()


def has_fraction(metric: Metric) -> bool:
    """Whether the return asks for a numerator and denominator as well as the value."""
    return metric.unit in FRACTION_UNITS


def entered_figures(metric: Metric, figures: Figures) -> dict[str, float | None]:
    """The figures as stored: value, numerator and denominator, the value worked out from the
    other two when only they were given, as the pipelines' load works it out."""
    values = {name: read_number(getattr(figures, name)) for name in FIGURE_FIELDS}
    numerator, denominator = values["numerator"], values["denominator"]
    if values["value"] is None and has_fraction(metric) and numerator is not None and denominator:
        values["value"] = numerator / denominator * SCALE[metric.unit]
    return values


def load_return(registry: Registry, engine: sa.Engine, key: ReturnKey) -> dict[str, Any]:
    """The stored return, or a refusal saying there is none."""
    with engine.connect() as conn:
        found = find_return(conn, key.period, key.metric_id, key.area_code)
    if found is None:
        area = registry.area_name(key.area_code)
        raise ReturnRefused(
            {
                "": f"There is no return for {key.metric_id} ({area}) in {key.period}; "
                f"'pmf cycle status {key.period}' lists the cycle's returns."
            }
        )
    return found


def refuse_if_locked(row: dict[str, Any]) -> None:
    """A closed period takes no change but a restatement."""
    if row["cycle_closed_at"] is not None or row["state"] == LOCKED:
        raise ReturnRefused(
            {
                "": f"{row['period']} is closed, so its figures are locked. A change now is a "
                "restatement, made by the performance team with a reason "
                "('pmf returns restate')."
            }
        )


def off_target(
    registry: Registry, metric: Metric, area_code: str, start: date, value: float
) -> bool:
    """Whether a figure is off target (red) for its area and period."""
    target = metric.area_target_for(area_code, registry.plan.county.code, start)
    return figure_rag(metric, target, value) == RED


def check_can_change(row: dict[str, Any], by: Viewer) -> None:
    """Refuse unless the period is open, `by` owns the return and it is still theirs to change
    (what `save_return` checks before the figures; an upload checks every row with it first)."""
    refuse_if_locked(row)
    if by.username != row["owner"]:
        raise ReturnRefused(
            {
                "": f"Only the return's owner, {row['owner']}, can enter its figure; you are "
                f"signed in as {by.username or 'nobody'}."
            }
        )
    if row["state"] not in EDITABLE:
        waiting = (
            f"it was submitted and is waiting for {row['approver']} to sign it off; ask them "
            "to send it back if it needs a change"
            if row["state"] == SUBMITTED
            else f"it was approved by {row['decided_by']}"
            if row["state"] == APPROVED
            else f"it is {row['state']}"
        )
        raise ReturnRefused({"": f"This return cannot be changed: {waiting}."})


def save_return(
    registry: Registry,
    engine: sa.Engine,
    key: ReturnKey,
    figures: Figures,
    *,
    by: Viewer,
    submit: bool,
    today: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Save the owner's figures as a draft, or submit them for sign-off; the stored return."""
    now = now or datetime.now()
    row = load_return(registry, engine, key)
    check_can_change(row, by)
    metric = registry.metric(key.metric_id)
    errors = figure_errors(registry, metric, row, figures, submit=submit, today=today)
    if errors:
        raise ReturnRefused(errors)
    values = entered_figures(metric, figures)
    commentary = figures.commentary.strip() or None
    state = SUBMITTED if submit else DRAFT
    change_return(
        engine,
        row,
        {
            **values,
            "commentary": commentary,
            "commentary_state": COMMENTARY_DRAFT if commentary else None,
            "state": state,
            "submitted_at": now if submit else None,
            "updated_by": by.username,
            "updated_at": now,
        },
        actor=str(by.username),
        kind="submit" if submit else "draft",
        from_state=row["state"],
        to_state=state,
        value=values["value"],
        note=commentary,
        event_at=now,
    )
    return {**row, **values, "state": state, "commentary": commentary}


def figure_errors(
    registry: Registry,
    metric: Metric,
    row: dict[str, Any],
    figures: Figures,
    *,
    submit: bool,
    today: date | None = None,
) -> dict[str, str]:
    """Each field that is wrong, with what would be right (empty when all is well)."""
    errors: dict[str, str] = {}
    if len(figures.commentary.strip()) > MAX_COMMENTARY:
        errors["commentary"] = (
            f"The commentary is {len(figures.commentary.strip())} characters; the limit is "
            f"{MAX_COMMENTARY}."
        )
    if figures.blank():
        if submit:
            errors["value"] = (
                f"Enter the figure for {period_label(metric.frequency, row['period_start'])}."
            )
        return errors
    if not has_fraction(metric):
        for name in ("numerator", "denominator"):
            if read_text(getattr(figures, name)):
                errors[name] = f"{metric.name} takes a value only, not a {name}."
    for name in FIGURE_FIELDS:
        typed = read_text(getattr(figures, name))
        # A file's "n/a" or "-" is a blank cell; typed here it is a figure that is not one
        if reads_as_blank(typed) and name not in errors:
            errors[name] = (
                f"{name.capitalize()} '{typed}' is not a number; enter the figure in digits, "
                "such as 85.5, or leave it blank."
            )
    start = row["period_start"]
    entered = EnteredFigure(
        metric.id,
        str(row["area_code"]),
        start,
        read_text(figures.value),
        read_text(figures.numerator),
        read_text(figures.denominator),
    )
    for message in figure_problems(registry, [entered], today).get(0, []):
        errors.setdefault(_field_of(message), _sentence(message))
    value = entered_figures(metric, figures)["value"] if not errors else read_number(figures.value)
    if value is None and submit and "value" not in errors:
        errors["value"] = f"Enter the figure for {period_label(metric.frequency, start)}."
    if (
        submit
        and value is not None
        and not figures.commentary.strip()
        and off_target(registry, metric, str(row["area_code"]), start, value)
    ):
        target = metric.area_target_for(str(row["area_code"]), registry.plan.county.code, start)
        errors["commentary"] = (
            f"The figure {format_value(value, metric)} is off target "
            f"(target {format_value(target, metric)}): say why, and what "
            "is being done about it."
        )
    return errors


def _field_of(message: str) -> str:
    lowered = message.lower()
    for name in ("numerator", "denominator"):
        if lowered.startswith(name) or f"column '{name}'" in lowered:
            return name
    return "value"


def _sentence(message: str) -> str:
    text = message.replace(" in column 'value'", "").replace("column 'value'", "the value")
    text = text.replace("'numerator'", "the numerator").replace("'denominator'", "the denominator")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def parse_key(registry: Registry, period: str, metric_id: str, area: str | None) -> ReturnKey:
    """A return's key from the command line, checked: a known measure and a readable period."""
    try:
        code = parse_period_code(period).code
    except ValueError as exc:
        raise ReturnRefused({"": str(exc)}) from None
    if not registry.has_metric(metric_id):
        raise ReturnRefused(
            {"": f"There is no measure '{metric_id}'; 'pmf metrics list' shows them."}
        )
    return ReturnKey(code, metric_id, area or registry.plan.county.code)
