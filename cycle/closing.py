"""The performance team's side of a cycle: close (lock) a period, restate a locked figure
with a reason, and publish approved commentary to the public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from access.identity import Viewer
from access.roles import denial
from cycle.entry import (
    Figures,
    ReturnKey,
    ReturnRefused,
    entered_figures,
    figure_errors,
    load_return,
)
from cycle.opening import CycleProblem
from cycle.signoff import return_ref
from cycle.states import (
    APPROVED,
    COMMENTARY_APPROVED,
    COMMENTARY_PUBLISHED,
    LOCKED,
)
from metrics.engine.period_codes import parse_period_code
from metrics.registry.loader import Registry
from pipelines.returns import EnteredFigure, load_figures
from pipelines.runner import RunResult
from warehouse.commentary import set_visibility
from warehouse.returns import (
    change_return,
    find_cycle,
    lock_returns,
    record_event,
)
from warehouse.returns import (
    close_cycle as store_closed,
)
from warehouse.transactions import transaction


@dataclass(frozen=True)
class Closed:
    """What closing a cycle did."""

    period: str
    locked: int
    without_figure: int


def _officer(by: Viewer) -> None:
    if not by.can("manage_cycle"):
        raise ReturnRefused({"": denial("manage_cycle")})


def close_cycle(engine: sa.Engine, code: str, *, by: Viewer, now: datetime | None = None) -> Closed:
    """Lock every return of a period; later changes are restatements."""
    _officer(by)
    try:
        period = parse_period_code(code).code
    except ValueError as exc:
        raise CycleProblem(str(exc)) from None
    now = now or datetime.now()
    with transaction(engine) as conn:
        cycle = find_cycle(conn, period)
        if cycle is None:
            raise CycleProblem(f"No cycle was opened for {period}; 'pmf cycle open' opens one.")
        if cycle["closed_at"] is not None:
            raise CycleProblem(
                f"The cycle for {period} was already closed by {cycle['closed_by']} on "
                f"{cycle['closed_at']:%d %b %Y}."
            )
        before = lock_returns(conn, int(cycle["id"]), str(by.username), now)
        store_closed(conn, int(cycle["id"]), str(by.username), now)
        for row in before:
            record_event(
                conn,
                return_id=int(row["id"]),
                period=period,
                metric_id=row["metric_id"],
                area_code=row["area_code"],
                actor=str(by.username),
                kind="lock",
                from_state=row["state"],
                to_state=LOCKED,
                value=row["value"] if row["state"] == APPROVED else None,
                note=None if row["state"] == APPROVED else "locked without an approved figure",
                event_at=now,
            )
    missing = sum(1 for row in before if row["state"] != APPROVED)
    return Closed(period, len(before), missing)


def restate(
    registry: Registry,
    engine: sa.Engine,
    key: ReturnKey,
    figures: Figures,
    reason: str,
    *,
    by: Viewer,
    today: date | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Change a locked figure: an officer, a reason, the same checks and load, audited."""
    _officer(by)
    row = load_return(registry, engine, key)
    if row["cycle_closed_at"] is None:
        raise ReturnRefused(
            {
                "": f"{key.period} is still open: the owner changes the figure, or the approver "
                "sends it back. Restatement is for a closed period."
            }
        )
    metric = registry.metric(key.metric_id)
    errors = figure_errors(registry, metric, row, figures, submit=True, today=today)
    errors.pop("commentary", None)  # the reason stands in for commentary
    if not reason.strip():
        errors["reason"] = (
            "Give the reason for the restatement; it is kept in the revision history."
        )
    if errors:
        raise ReturnRefused(errors)
    values = entered_figures(metric, figures)
    figure = EnteredFigure(
        key.metric_id,
        key.area_code,
        row["period_start"],
        values["value"],
        values["numerator"],
        values["denominator"],
    )
    result = load_figures(
        registry,
        engine,
        [figure],
        ref=f"{return_ref(row, 'restated', str(by.username))}: {reason.strip()}"[:1000],
        trigger="restatement",
        triggered_by=str(by.username),
    )
    if not result.ok:
        raise ReturnRefused({"": f"The restatement was not loaded: {result.error}."})
    now = now or datetime.now()
    change_return(
        engine,
        row,
        {**values, "run_id": result.run_id, "updated_by": by.username, "updated_at": now},
        actor=str(by.username),
        kind="restate",
        from_state=LOCKED,
        to_state=LOCKED,
        value=values["value"],
        note=reason.strip(),
        event_at=now,
    )
    return result


def publish_commentary(
    registry: Registry,
    engine: sa.Engine,
    key: ReturnKey,
    *,
    by: Viewer,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Show a return's approved commentary to the public (an officer's decision)."""
    _officer(by)
    row = load_return(registry, engine, key)
    if row["commentary_state"] != COMMENTARY_APPROVED or row["comment_id"] is None:
        state = row["commentary_state"] or "none"
        raise ReturnRefused(
            {
                "": f"Only approved commentary can be published; this return's commentary is "
                f"{'already published' if state == COMMENTARY_PUBLISHED else state}."
            }
        )
    now = now or datetime.now()
    set_visibility(engine, int(row["comment_id"]), "public")
    change_return(
        engine,
        row,
        {"commentary_state": COMMENTARY_PUBLISHED},
        actor=str(by.username),
        kind="publish",
        note=str(row["commentary"]),
        event_at=now,
    )
    return {**row, "commentary_state": COMMENTARY_PUBLISHED}
