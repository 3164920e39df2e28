"""Every change the dashboard makes to stored data goes through this one class.

Keeping writes in one place means sign-in and roles can wrap them later without hunting
through page callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from metrics import rebases
from metrics.flags.lifecycle import FlagChange, change_flag
from metrics.registry.loader import Registry
from warehouse.commentary import add_comment
from warehouse.jobs import PACK, PIPELINE_RUN, enqueue


@dataclass(frozen=True)
class Writes:
    """The dashboard's write operations, each validated before it touches the warehouse."""

    registry: Registry
    engine: sa.Engine

    def add_comment(
        self,
        *,
        metric_id: str,
        author: str,
        body: str,
        area_code: str | None = None,
        period_start: date | None = None,
        visibility: str = "internal",
    ) -> int:
        """Add a comment to a metric's thread; returns the comment id."""
        if not self.registry.has_metric(metric_id):
            raise ValueError(f"There is no measure with the id '{metric_id}'.")
        return add_comment(
            self.engine,
            metric_id=metric_id,
            author=author,
            body=body,
            area_code=area_code,
            period_start=period_start,
            visibility=visibility,
        )

    def update_flag(
        self,
        flag_id: int,
        *,
        to_status: str,
        actor: str,
        note: str | None = None,
        action: str | None = None,
        owner: str | None = None,
        due_date: date | None = None,
    ) -> dict[str, Any]:
        """Move a corrective-action flag to its next state; every change is audited."""
        change = FlagChange(
            to_status=to_status,
            actor=actor,
            note=note,
            action=action,
            owner=owner,
            due_date=due_date,
        )
        return change_flag(self.engine, flag_id, change)

    def record_rebase(
        self,
        *,
        metric_id: str,
        area_code: str,
        period_start: date | None,
        reason: str,
        recorded_by: str,
    ) -> int:
        """Recalculate a series' SPC limits from a period, with why; returns the rebase's id."""
        return rebases.record(
            self.registry,
            self.engine,
            metric_id=metric_id,
            area_code=area_code,
            period_start=period_start,
            reason=reason,
            recorded_by=recorded_by,
        )

    def withdraw_rebase(self, rebase_id: int, withdrawn_by: str) -> dict[str, Any]:
        """Withdraw a rebase (kept in the record with who and when)."""
        return rebases.withdraw(self.registry, self.engine, rebase_id, withdrawn_by=withdrawn_by)

    def run_pipeline(self, pipeline_id: str, requested_by: str, force: bool = False) -> int:
        """Ask for a pipeline run now, on behalf of a named person; returns the job's id.

        The run happens in the job worker, not in the web request (warehouse.jobs). `force`
        reads the source even if it has not changed since it was last loaded.
        """
        if pipeline_id not in {p.id for p in self.registry.pipelines}:
            raise ValueError("There is no such pipeline: reload the page and try again.")
        if not requested_by.strip():
            raise ValueError("Give your name: it is recorded with the run.")
        params = {"force": True} if force else None
        return enqueue(self.engine, PIPELINE_RUN, pipeline_id, requested_by.strip(), params)

    def ask_for_pack(
        self, kind: str, ident: str, report_format: str, as_at: date, requested_by: str
    ) -> int:
        """Ask for a pack to be built for a named person; returns the job's id."""
        params = {"kind": kind, "id": ident, "format": report_format, "as_at": as_at.isoformat()}
        return enqueue(self.engine, PACK, ident, requested_by, params)
