"""The approver's side of a return: approve it, or send it back with a note.

An approved figure goes into `observations` through the pipelines' load (so it keeps
revision history and the engine evaluates again), as a run of the `returns` pipeline whose
source reference names the return; its commentary becomes approved (internal) commentary on
the measure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from access.identity import Viewer
from cycle.entry import ReturnKey, ReturnRefused, load_return, refuse_if_locked
from cycle.states import APPROVED, COMMENTARY_APPROVED, RETURNED, SUBMITTED
from metrics.registry.loader import Registry
from pipelines.returns import EnteredFigure, load_figures
from pipelines.runner import RunResult
from warehouse.commentary import add_comment
from warehouse.returns import change_return


def return_ref(row: dict[str, Any], verb: str, by: str) -> str:
    """The source reference an observation loaded from a return carries."""
    return (
        f"data return {row['period']} {row['metric_id']} {row['area_code']} "
        f"(return {row['id']}), {verb} by {by}"
    )


def _as_approver(row: dict[str, Any], by: Viewer, doing: str) -> None:
    refuse_if_locked(row)
    if by.username != row["approver"]:
        raise ReturnRefused(
            {
                "": f"Only the return's approver, {row['approver']}, can {doing} it; you are "
                f"signed in as {by.username or 'nobody'}."
            }
        )
    if row["state"] != SUBMITTED:
        why = {
            "not_started": "its owner has not submitted it yet",
            "draft": "its owner has saved a draft but not submitted it",
            "returned": "it was sent back and is waiting for its owner",
            "approved": f"it was already approved by {row['decided_by']}",
        }.get(str(row["state"]), f"it is {row['state']}")
        raise ReturnRefused({"": f"This return cannot be {doing.rstrip('e')}ed now: {why}."})


def approve_return(
    registry: Registry,
    engine: sa.Engine,
    key: ReturnKey,
    *,
    by: Viewer,
    now: datetime | None = None,
    evaluate: bool = True,
) -> RunResult:
    """Sign a submitted return off: load its figure, approve its commentary, evaluate again
    (`evaluate=False` leaves that to a caller approving many at once)."""
    row = load_return(registry, engine, key)
    _as_approver(row, by, "approve")
    figure = EnteredFigure(
        key.metric_id,
        key.area_code,
        row["period_start"],
        row["value"],
        row["numerator"],
        row["denominator"],
    )
    result = load_figures(
        registry,
        engine,
        [figure],
        ref=return_ref(row, "approved", str(by.username)),
        trigger="approval",
        triggered_by=str(by.username),
        evaluate=evaluate,
    )
    if not result.ok:
        raise ReturnRefused(
            {
                "": f"The figure could not be loaded, so the return was not approved: "
                f"{result.error}. Send it back to its owner to correct."
            }
        )
    now = now or datetime.now()
    comment_id = None
    if row["commentary"]:
        comment_id = add_comment(
            engine,
            metric_id=key.metric_id,
            author=str(row["owner"]),
            body=str(row["commentary"]),
            area_code=key.area_code,
            period_start=row["period_start"],
            visibility="internal",
            now=now,
        )
    _decide(
        engine,
        row,
        by,
        now,
        APPROVED,
        {
            "run_id": result.run_id,
            "note": None,
            "commentary_state": COMMENTARY_APPROVED if comment_id is not None else None,
            "comment_id": comment_id,
        },
        note=f"loaded as run {result.run_id}",
    )
    return result


def _decide(
    engine: sa.Engine,
    row: dict[str, Any],
    by: Viewer,
    now: datetime,
    to_state: str,
    changes: dict[str, Any],
    *,
    note: str,
) -> None:
    """Record the approver's decision on a submitted return, with its step in the trail."""
    change_return(
        engine,
        row,
        {
            **changes,
            "state": to_state,
            "decided_by": by.username,
            "decided_at": now,
            "updated_by": by.username,
            "updated_at": now,
        },
        actor=str(by.username),
        kind="approve" if to_state == APPROVED else "send_back",
        from_state=SUBMITTED,
        to_state=to_state,
        value=row["value"],
        note=note,
        event_at=now,
    )


def send_back(
    registry: Registry,
    engine: sa.Engine,
    key: ReturnKey,
    note: str,
    *,
    by: Viewer,
    now: datetime | None = None,
) -> None:
    """Send a submitted return back to its owner with a note saying what to change."""
    row = load_return(registry, engine, key)
    _as_approver(row, by, "send back")
    if not note.strip():
        raise ReturnRefused({"note": "Say what the owner should change before sending it back."})
    now = now or datetime.now()
    _decide(engine, row, by, now, RETURNED, {"note": note.strip()}, note=note.strip())
