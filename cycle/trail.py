"""The reporting cycle's audit trail as people read it: every step (asked for, draft, submit,
approve, send back, lock, restatement, publication, email) with who, when and what changed,
filtered by measure, person and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.engine.period_codes import parse_period_code
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.registry.loader import Registry
from metrics.words import return_event_word, return_state_word
from warehouse.returns import event_actors, read_events

MOST_EVENTS = 1000  # shown on one page; narrow the filters to see earlier ones


@dataclass(frozen=True)
class TrailFilters:
    """Which steps to show: a measure, a person and a date range (each optional)."""

    metric_id: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None


def parse_day(text: str, name: str) -> tuple[date | None, str | None]:
    """A date typed as YYYY-MM-DD (a date box's value), or a message saying what is wrong."""
    text = (text or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"The {name} date '{text}' is not a date: use a date such as 2026-11-30."


def _period_words(registry: Registry, metric_id: str | None, period: str | None) -> str:
    if not period:
        return ""
    if metric_id and registry.has_metric(metric_id):
        try:
            start = parse_period_code(period).start
        except ValueError:
            return period
        return period_label(registry.metric(metric_id).frequency, start)
    return period


def _value_words(registry: Registry, metric_id: str | None, value: float | None) -> str:
    if value is None or pd.isna(value):
        return ""
    if metric_id and registry.has_metric(metric_id):
        return format_value(float(value), registry.metric(metric_id))
    return f"{float(value):g}"


def _change(before: str | None, after: str | None) -> str:
    if not after:
        return ""
    if before and before != after:
        return f"{return_state_word(before)} → {return_state_word(after)}"
    return return_state_word(after)


def audit_trail(registry: Registry, engine: sa.Engine, filters: TrailFilters) -> pd.DataFrame:
    """The steps that match, newest first, in words: when, who, what, measure, area, period,
    the change of state, the value and the note (at most MOST_EVENTS of them)."""
    events = read_events(
        engine,
        metric_id=filters.metric_id or None,
        actor=filters.actor or None,
        since=filters.since,
        until=filters.until,
        limit=MOST_EVENTS,
    )
    columns = ["event_at", "actor", "what", "measure", "area", "period", "change", "value", "note"]
    if events.empty:
        return pd.DataFrame(columns=columns)

    def optional(value: object) -> str | None:
        return (
            None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        )

    rows = []
    for _, event in events.iterrows():
        metric_id = optional(event["metric_id"])
        area = optional(event["area_code"])
        rows.append(
            {
                "event_at": pd.Timestamp(event["event_at"]).to_pydatetime(),
                "actor": str(event["actor"]),
                "what": return_event_word(str(event["kind"])),
                "measure": registry.metric(metric_id).name
                if metric_id and registry.has_metric(metric_id)
                else metric_id or "",
                "area": registry.area_name(area) if area else "",
                "period": _period_words(registry, metric_id, optional(event["period"])),
                "change": _change(optional(event["from_state"]), optional(event["to_state"])),
                "value": _value_words(registry, metric_id, event["value"]),
                "note": optional(event["note"]) or "",
            }
        )
    return pd.DataFrame(rows, columns=columns)


def trail_people(engine: sa.Engine) -> list[str]:
    """Everyone who appears in the trail, for the person filter."""
    return event_actors(engine)
