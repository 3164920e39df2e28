"""What a person holds in the reporting cycle, with what they need beside each return: the
measure's target for the period, how the figure stands against it, and the last figure held
before the period. Read by the "My returns" page and the cycle page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from cycle.entry import has_fraction
from cycle.states import SUBMITTED
from cycle.status import cycle_status
from metrics.engine.periods import period_label
from metrics.engine.status import figure_rag
from metrics.registry.loader import Registry
from warehouse.observations import current_observations
from warehouse.returns import cycles, period_of_return


def _target(registry: Registry, metric_id: str, area_code: str, start: date) -> float | None:
    if not registry.has_metric(metric_id):
        return None
    metric = registry.metric(metric_id)
    return metric.area_target_for(area_code, registry.plan.county.code, start)


def _status(registry: Registry, metric_id: str, value: Any, target: float | None) -> str:
    """The figure against its target, as the engine judges it (RAG key, or no_data)."""
    if value is None or pd.isna(value) or not registry.has_metric(metric_id):
        return "no_data"
    return figure_rag(registry.metric(metric_id), target, float(value))


def _last_figures(engine: sa.Engine, frame: pd.DataFrame) -> list[tuple[Any, Any]]:
    """For each return, the last current figure (value, period start) before its period."""
    held = current_observations(
        engine, sorted(set(frame["metric_id"])), sorted(set(frame["area_code"]))
    )
    found: list[tuple[Any, Any]] = []
    for metric_id, area, start in zip(
        frame["metric_id"], frame["area_code"], frame["period_start"], strict=True
    ):
        earlier = held[
            (held["metric_id"] == metric_id)
            & (held["area_code"] == area)
            & (held["period_start"] < pd.Timestamp(start))
        ]
        if earlier.empty:
            found.append((None, None))
        else:
            last = earlier.iloc[-1]
            found.append((float(last["value"]), pd.Timestamp(last["period_start"]).date()))
    return found


def with_context(registry: Registry, engine: sa.Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """A `cycle_status` frame with each return's period label, target, the figure's status
    against it (`rag`), the last figure before the period, and whether it takes a fraction."""
    frame = frame.copy()
    extra = ["period_label", "target", "rag", "last_value", "last_period", "fraction"]
    if frame.empty:
        return frame.reindex(columns=[*frame.columns, *extra])
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["period_label"] = [
        period_label(f, s) if f else str(p)
        for f, s, p in zip(frame["frequency"], frame["period_start"], frame["period"], strict=True)
    ]
    frame["target"] = [
        _target(registry, m, a, s)
        for m, a, s in zip(
            frame["metric_id"], frame["area_code"], frame["period_start"], strict=True
        )
    ]
    frame["rag"] = [
        _status(registry, m, v, t)
        for m, v, t in zip(frame["metric_id"], frame["value"], frame["target"], strict=True)
    ]
    last = _last_figures(engine, frame)
    frame["last_value"] = [value for value, _ in last]
    frame["last_period"] = [
        period_label(f, start) if start is not None and f else None
        for (_, start), f in zip(last, frame["frequency"], strict=True)
    ]
    frame["fraction"] = [
        registry.has_metric(m) and has_fraction(registry.metric(m)) for m in frame["metric_id"]
    ]
    return frame


def owner_returns(
    registry: Registry, engine: sa.Engine, owner: str, *, today: date | None = None
) -> pd.DataFrame:
    """The owner's returns in open cycles, with their targets and last figures."""
    return with_context(registry, engine, cycle_status(registry, engine, owner=owner, today=today))


def waiting_for_signoff(
    registry: Registry, engine: sa.Engine, approver: str, *, today: date | None = None
) -> pd.DataFrame:
    """Returns in open cycles submitted to this approver and not yet signed off."""
    frame = cycle_status(registry, engine, approver=approver, today=today)
    if not frame.empty:
        frame = frame[frame["state"] == SUBMITTED]
    return with_context(registry, engine, frame)


def commentary_to_publish(
    registry: Registry, engine: sa.Engine, *, today: date | None = None
) -> pd.DataFrame:
    """Returns in open cycles whose commentary is approved but not yet shown to the public."""
    frame = cycle_status(registry, engine, today=today)
    if not frame.empty:
        frame = frame[frame["commentary_state"] == "approved"]
    return with_context(registry, engine, frame)


def cycle_periods(engine: sa.Engine) -> list[tuple[str, bool]]:
    """Every cycle's period code, newest first, with whether it is still open."""
    frame = cycles(engine)
    return [
        (str(p), closed is None or pd.isna(closed))
        for p, closed in zip(frame["period"], frame["closed_at"], strict=True)
    ]


def find_return(
    registry: Registry, engine: sa.Engine, return_id: int, *, today: date | None = None
) -> dict[str, Any] | None:
    """One return of any cycle, open or closed, by its id, with its context; None if unknown."""
    period = period_of_return(engine, return_id)
    if period is None:
        return None
    frame = cycle_status(registry, engine, [period], today=today)
    frame = frame[frame["return_id"] == return_id] if not frame.empty else frame
    if frame.empty:
        return None
    return dict(with_context(registry, engine, frame).iloc[0])
