"""A pack fit to publish: built on the public read model, with nothing internal in it.

The public read model (metrics.readmodel.judged) has already hidden small numbers and
everything that would give them back, and dropped internal measures, flags, milestones and
commentary; this adds the note that says so and keeps the summary to the paragraphs that stand
without flags and milestones.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import sqlalchemy as sa

from metrics.readmodel.suppression import SUPPRESSED
from metrics.registry.loader import Registry
from reports.narrative import Para
from reports.pack import Pack, build_pack
from reports.scope import Scope

NOTE = Para(
    f"Figures small enough to identify people are shown as {SUPPRESSED}, as in government "
    "statistics tables. Where a hidden figure could be worked out from others (districts that "
    "add up to the county, a year to date, an average), those are hidden or left out too."
)


def build_public_pack(
    registry: Registry,
    engine: sa.Engine,
    scope: Scope,
    as_at: date,
    *,
    produced_at: datetime | None = None,
) -> Pack:
    """The pack as the public may see it."""
    pack = build_pack(registry, engine, scope, as_at, produced_at=produced_at, audience="public")
    return dataclasses.replace(
        pack,
        # Coverage and counts; the rest speak of flags and milestones the public do not see
        summary=[*pack.summary[:2], NOTE],
        new_flags=[],
        overdue_actions=[],
        slipping=[],
        milestones=[],
        sections=[dataclasses.replace(s, comments=[], actions=[]) for s in pack.sections],
    )
