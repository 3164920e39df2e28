"""A pack fit to publish: published measures only, small numbers as [c], nothing internal.

Works on a built Pack, so the pack builder stays one code path; everything a renderer reads
(sections, summary and the AsAt data behind the appendix) is narrowed here.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pandas as pd

from metrics.model import Metric
from metrics.registry import Registry
from metrics.suppression import SUPPRESSED, suppress_frame
from reports.narrative import Para
from reports.pack import Pack
from reports.sections import Fact, MeasureSection

NOTE = Para(
    f"Figures small enough to identify people are shown as {SUPPRESSED}, as in government "
    "statistics tables. Where one district's figure is hidden and the districts add up to the "
    "county, the next smallest is hidden too, so it cannot be worked out by subtraction."
)
WITHHELD = "Chart not published: some figures are small enough to identify people."


def _hidden_periods(section: MeasureSection, default: int, county: str) -> set[date]:
    view = section.view
    if view.frame.empty:
        return set()
    frame = view.frame.assign(area_code=view.area_code)
    marked = suppress_frame(frame, section.metric, default, county)
    return {pd.Timestamp(s).date() for s in marked.loc[marked["suppressed"], "period_start"]}


def _hidden_districts(
    registry: Registry, snapshot: pd.DataFrame, metric: Metric, default: int
) -> set[str]:
    rows = snapshot[snapshot["metric_id"] == metric.id]
    if rows.empty:
        return set()
    marked = suppress_frame(rows, metric, default, registry.plan.county.code)
    return {registry.area_name(c) for c in marked.loc[marked["suppressed"], "area_code"]}


def _section(
    registry: Registry, section: MeasureSection, snapshot: pd.DataFrame, default: int
) -> MeasureSection:
    county = registry.plan.county.code
    hidden = _hidden_periods(section, default, county)
    areas = _hidden_districts(registry, snapshot, section.metric, default)
    plain: dict[str, Any] = {"comments": [], "actions": []}
    if not hidden and not areas:
        return dataclasses.replace(section, **plain)
    view = section.view
    frame = view.frame.copy()
    mask = frame["period_start"].isin(hidden)
    frame.loc[mask, "value"] = float("nan")
    history = section.history.copy()
    labels = set(frame.loc[mask, "period"])
    if not history.empty:
        history.loc[history["Period"].isin(labels), "Value"] = SUPPRESSED
    districts = section.districts.copy()
    if not districts.empty:
        districts.loc[districts["area"].isin(areas), "value"] = SUPPRESSED
    latest_hidden = bool(len(frame)) and bool(mask.iloc[-1])
    facts = [
        Fact(f.label, SUPPRESSED) if f.label == "Latest figure" and latest_hidden else f
        for f in section.facts
    ]
    return dataclasses.replace(
        section,
        view=dataclasses.replace(view, frame=frame, spc=None),
        history=history,
        districts=districts,
        facts=facts,
        # The sentences quote figures, so a section with hidden figures keeps only the note
        paras=[NOTE],
        chart_alt=WITHHELD,
        **plain,
    )


def public_pack(registry: Registry, pack: Pack) -> Pack:
    """The pack as the public may see it; `registry` gives the thresholds and areas."""
    default = int(registry.settings["suppress_below"])
    data = pack.data
    sections = [
        _section(registry, s, data.snapshot, default)
        for s in pack.sections
        if s.metric.visibility == "public"
    ]
    kept = {s.metric.id for s in sections}
    observations = data.observations[data.observations["metric_id"].isin(kept)]
    marked = [
        suppress_frame(group, registry.metric(str(m)), default, registry.plan.county.code)
        for m, group in observations.groupby("metric_id")
        if registry.has_metric(str(m))
    ]
    snapshot = data.snapshot[data.snapshot["metric_id"].isin(kept)]
    snap_marked = [
        suppress_frame(group, registry.metric(str(m)), default, registry.plan.county.code)
        for m, group in snapshot.groupby("metric_id")
        if registry.has_metric(str(m))
    ]
    safe_data = dataclasses.replace(
        data,
        observations=pd.concat(marked) if marked else observations,
        snapshot=pd.concat(snap_marked) if snap_marked else snapshot,
        flags=data.flags.iloc[0:0],
        milestones=data.milestones.iloc[0:0],
        comments={},
    )
    return dataclasses.replace(
        pack,
        scope=dataclasses.replace(
            pack.scope, metrics=tuple(m for m in pack.scope.metrics if m.id in kept)
        ),
        summary=[*pack.summary[:2], NOTE],
        new_flags=[],
        overdue_actions=[],
        slipping=[],
        milestones=[],
        sections=sections,
        data=safe_data,
    )
