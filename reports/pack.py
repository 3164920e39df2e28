"""The pack as data: a scorecard, a summary, one section per measure, and the figures behind them.

`build_pack` reads one read model (metrics.readmodel.judged) and words what it judged; renderers
(HTML, PDF, XLSX) turn the Pack into a document without working anything out again. A pack for
the public is built on the public read model, so small numbers are hidden before any sentence
is written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.readmodel.judged import Audience, ReadModel, read_model
from metrics.registry.loader import Registry
from reports.finance_section import FinanceSection, build_finance_section
from reports.glossary import Glossary
from reports.lines import ActionLine, MilestoneLine, action_lines, milestone_line
from reports.narrative import (
    Para,
    be,
    counts_para,
    day_text,
    is_number,
    movers_para,
    off_track_para,
    plural,
    spc_counts_para,
    status_changes_para,
    week_text,
)
from reports.scope import Scope
from reports.scorecard import ScoreRow, scorecard
from reports.sections import MeasureSection, build_section


@dataclass(frozen=True)
class Pack:
    """A whole pack, ready to render."""

    scope: Scope
    as_at: date
    produced_at: datetime
    council: str
    plan_name: str
    area: str  # the council's own area, whose figures the sections show
    area_names: dict[str, str]  # every area code in the plan, with its name
    summary: list[Para]
    new_flags: list[ActionLine]
    overdue_actions: list[ActionLine]
    slipping: list[MilestoneLine]
    milestones: list[MilestoneLine]
    sections: list[MeasureSection]
    finance: FinanceSection  # savings and risks in scope (reports.finance_section)
    data: ReadModel = field(repr=False)

    @property
    def title(self) -> str:
        """The pack's title."""
        kind = {"portfolio": "portfolio", "committee": "", "priority": "priority"}
        word = kind[self.scope.kind]
        return f"{self.scope.name}{' ' + word if word else ''}: performance pack"

    @property
    def scorecard(self) -> list[ScoreRow]:
        """The one-page scorecard the pack opens with: every measure, off target first."""
        return scorecard(self.sections)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def build_pack(
    registry: Registry,
    engine: sa.Engine,
    scope: Scope,
    as_at: date,
    *,
    produced_at: datetime | None = None,
    audience: Audience = "internal",
) -> Pack:
    """Read the warehouse as at a date, for an audience, and write the pack's words and tables."""
    data = read_model(
        registry,
        engine,
        scope.metric_ids,
        as_at,
        audience,
        milestone_filter=scope.milestone_filter(),
    )
    county = registry.plan.county.code
    if data.public:
        scope = dataclasses.replace(scope, metrics=data.metrics)
    rows = {
        str(r["metric_id"]): r for r in records(data.snapshot[data.snapshot["area_code"] == county])
    }
    glossary = Glossary()
    flags = action_lines(registry, data)
    milestones = [milestone_line(r) for r in records(data.milestones)]
    summary = _summary(scope, data, rows, flags, milestones, glossary)
    sections = [
        build_section(registry, data, metric, rows.get(metric.id, {}), flags, glossary)
        for metric in scope.metrics
    ]
    new_ids = set(data.new_flags()["id"])
    return Pack(
        scope=scope,
        as_at=as_at,
        produced_at=produced_at or datetime.now(),
        council=registry.plan.organisation.name,
        plan_name=registry.plan.plan.name,
        area=registry.plan.county.name,
        area_names={a.code: a.name for a in registry.plan.areas},
        summary=summary,
        new_flags=[f for f in flags.values() if f.flag_id in new_ids],
        overdue_actions=[f for f in flags.values() if f.overdue],
        slipping=[m for m in milestones if m.status in ("slipped", "overdue")],
        milestones=milestones,
        sections=sections,
        finance=build_finance_section(registry, engine, scope, as_at, audience),
        data=data,
    )


def _summary(
    scope: Scope,
    data: ReadModel,
    rows: dict[str, dict[str, Any]],
    flags: dict[int, ActionLine],
    milestones: list[MilestoneLine],
    glossary: Glossary,
) -> list[Para]:
    metrics = scope.metrics
    where = {
        "portfolio": f"in the {scope.name} portfolio",
        "committee": f"in the remit of the {scope.name}",
        "priority": f"for the priority '{scope.name}'",
    }
    paras = [
        Para(
            f"This pack covers the {plural(len(metrics), 'measure')} {where[scope.kind]}. "
            f"It uses the latest figures for periods that ended by {day_text(data.day)}."
        )
    ]
    counts: dict[str, int] = {}
    for metric in metrics:
        rag = str(rows.get(metric.id, {}).get("rag", "no_data"))
        counts[rag] = counts.get(rag, 0) + 1
    paras.append(counts_para(counts, glossary))
    off = [
        (m, rows[m.id]["value"], rows[m.id]["target"])
        for m in metrics
        if rows.get(m.id, {}).get("rag") == "red"
    ]
    by_id = {m.id: m for m in metrics}
    changes = [
        (by_id[str(c["metric_id"])], str(c["from_rag"]), str(c["to_rag"]))
        for c in records(data.changes())
        if str(c["metric_id"]) in by_id
    ]
    for para in (off_track_para(off), status_changes_para(changes)):
        if para is not None:
            paras.append(para)
    moves = [
        (m, float(r["previous_value"]), float(r["value"]), str(r["direction"]))
        for m in metrics
        if is_number((r := rows.get(m.id, {})).get("previous_value")) and is_number(r.get("value"))
    ]
    paras.extend(movers_para(moves, glossary))
    paras.append(spc_counts_para([rows.get(m.id, {}).get("variation") for m in metrics], glossary))

    new = data.new_flags()
    open_flags = data.open_flags()
    planned = int((open_flags["status"] == "action_planned").sum())
    overdue = [f for f in flags.values() if f.overdue]
    week = f"in the week {week_text(data.day)}"
    raised = (
        f"{plural(len(new), 'new flag')} {'was' if len(new) == 1 else 'were'} raised {week}."
        if len(new)
        else f"No new flags were raised {week}."
    )
    flag_text = (
        f"{raised} {plural(len(open_flags), 'flag')} {be(len(open_flags))} open, and "
        f"{planned or 'none'} {'have' if planned > 1 else 'has'} an action planned."
    )
    paras.append(Para(flag_text, glossary.explain("flag")))
    if overdue:
        items = "; ".join(
            f"{f.action} ({f.subject}, owner {f.owner}, due {day_text(f.due)})"
            for f in overdue
            if f.due
        )
        paras.append(Para(f"{plural(len(overdue), 'action')} {be(len(overdue))} overdue: {items}."))
    else:
        paras.append(Para("No action is overdue."))
    slipping = [m for m in milestones if m.status in ("slipped", "overdue")]
    if slipping:
        titles = "; ".join(m.sentence().rstrip(".") for m in slipping)
        text = (
            f"{len(slipping)} of the {plural(len(milestones), 'milestone')} "
            f"{be(len(slipping))} slipping: {titles}."
        )
    elif milestones:
        text = f"None of the {plural(len(milestones), 'milestone')} is slipping."
    else:
        text = "There are no programme milestones for this pack."
    paras.append(Para(text, glossary.explain("slipping") if milestones else ""))
    return paras
