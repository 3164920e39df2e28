"""The dashboard's writes, checked against the role of the person asking and recorded as them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from access.identity import ANONYMOUS, Viewer
from access.roles import AccessDenied, Permission, denial
from metrics.writes import Writes


def _require(viewer: Viewer, permission: Permission) -> None:
    if not viewer.can(permission):
        raise AccessDenied(denial(permission))


@dataclass(frozen=True)
class GuardedWrites(Writes):
    """Writes for one viewer: each refuses unless the role allows it, and names the viewer.

    When someone is signed in, the name recorded is theirs, whatever a form says.
    """

    viewer: Viewer = ANONYMOUS

    def _actor(self, typed: str) -> str:
        return self.viewer.display_name if self.viewer.signed_in else typed

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
        """Add a comment, if the viewer may comment (councillors and officers)."""
        _require(self.viewer, "comment")
        return super().add_comment(
            metric_id=metric_id,
            author=self._actor(author),
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
        """Move a flag on, if the viewer may record corrective actions (officers)."""
        _require(self.viewer, "update_flag")
        return super().update_flag(
            flag_id,
            to_status=to_status,
            actor=self._actor(actor),
            note=note,
            action=action,
            owner=owner,
            due_date=due_date,
        )

    def record_rebase(
        self,
        *,
        metric_id: str,
        area_code: str,
        period_start: date | None,
        reason: str,
        recorded_by: str,
    ) -> int:
        """Recalculate SPC limits from a period, if the viewer may (officers and admins)."""
        _require(self.viewer, "rebase_spc")
        return super().record_rebase(
            metric_id=metric_id,
            area_code=area_code,
            period_start=period_start,
            reason=reason,
            recorded_by=self._actor(recorded_by),
        )

    def withdraw_rebase(self, rebase_id: int, withdrawn_by: str) -> dict[str, Any]:
        """Withdraw a rebase, if the viewer may record them (officers and admins)."""
        _require(self.viewer, "rebase_spc")
        return super().withdraw_rebase(rebase_id, self._actor(withdrawn_by))

    def run_pipeline(self, pipeline_id: str, requested_by: str, force: bool = False) -> int:
        """Ask for a pipeline run, if the viewer may run pipelines (officers); the job's id."""
        _require(self.viewer, "run_pipeline")
        return super().run_pipeline(pipeline_id, self._actor(requested_by), force)

    def ask_for_pack(
        self, kind: str, ident: str, report_format: str, as_at: date, requested_by: str
    ) -> int:
        """Ask for a pack, if the viewer may read internal figures; the job's id."""
        _require(self.viewer, "read_internal")
        return super().ask_for_pack(kind, ident, report_format, as_at, str(self.viewer.username))


def guarded(writes: Writes, viewer: Viewer) -> GuardedWrites:
    """The app's writes, wrapped for one viewer."""
    return GuardedWrites(
        registry=writes.registry,
        engine=writes.engine,
        viewer=viewer,
    )
