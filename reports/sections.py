"""One measure's section of a pack: key facts, sentences, chart text, actions and appendix rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from metrics.engine.periods import period_label
from metrics.engine.series import SeriesView
from metrics.format import format_value
from metrics.readmodel.judged import ReadModel
from metrics.readmodel.suppression import SUPPRESSED
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from metrics.words import RAG, assurance_text, direction_parts, rag_word, variation_text
from reports.glossary import Glossary
from reports.lines import ActionLine
from reports.narrative import (
    Para,
    assurance_para,
    direction_para,
    districts_para,
    freshness_para,
    is_number,
    spc_para,
    value_para,
)
from reports.spc_words import limits_source

APPENDIX_PERIODS = 13  # a year and the same period the year before
SPC_WITHHELD = (
    "The SPC reading is not published: some figures in the series are small enough to "
    "identify people."
)
CHART_WITHHELD = (
    "Chart without SPC limits: some figures are small enough to identify people and are not "
    "published."
)


@dataclass(frozen=True)
class Fact:
    """One line of a measure's key facts: a label, a value, and an optional symbol."""

    label: str
    value: str
    symbol: str = ""


@dataclass(frozen=True)
class Comment:
    """One piece of commentary."""

    author: str
    written: datetime
    body: str


@dataclass(frozen=True)
class MeasureSection:
    """Everything the pack says about one measure."""

    metric: Metric
    rag: str
    facts: list[Fact]
    paras: list[Para]
    view: SeriesView
    history: pd.DataFrame  # the appendix rows, newest first, already formatted
    districts: pd.DataFrame  # area, value (formatted), status (words); empty for county-only
    comments: list[Comment]
    actions: list[ActionLine]
    chart_alt: str

    @property
    def anchor(self) -> str:
        """The HTML id of the section."""
        return f"measure-{self.metric.id}"


def build_section(
    registry: Registry,
    data: ReadModel,
    metric: Metric,
    row: dict[str, Any],
    flags: dict[int, ActionLine],
    glossary: Glossary,
) -> MeasureSection:
    """The section for one measure; `row` is its county snapshot row ({} when it has none)."""
    county = registry.plan.county.code
    view = data.series(metric, county)
    rag = str(row.get("rag", "no_data"))
    red_periods = int(row.get("red_periods", 0) or 0)
    paras = [value_para(metric, row, red_periods)]
    paras.append(direction_para(metric, row, glossary) or Para(""))
    if is_number(row.get("ytd_value")):
        paras.append(
            Para(
                f"The total so far this financial year is {format_value(row['ytd_value'], metric)}."
            )
        )
    # A published series with a hidden figure has no SPC: its limits would give the figure back
    withheld = "suppressed" in view.frame and bool(view.frame["suppressed"].any())
    if not view.empty:
        paras.append(
            Para(SPC_WITHHELD)
            if withheld
            else spc_para(metric, view.spc, glossary, limits_source(view, names=not data.public))
        )
    paras.append(assurance_para(metric, row, glossary) or Para(""))
    districts = _districts(registry, data, metric)
    latest = [
        (str(a), float(v))
        for a, v in zip(districts["area"], districts["raw"], strict=True)
        if pd.notna(v)
    ]
    paras.append(freshness_para(metric, row) or Para(""))
    paras.append(districts_para(metric, latest) or Para(""))
    comparison = data.comparison(registry, metric)
    sentence = comparison.sentence(registry.plan.organisation.short_name) if comparison else None
    paras.append(Para(sentence or ""))
    paras.append(Para(data.national(registry, metric) or ""))
    mine = _metric_flag_ids(data, metric.id)
    actions = [f for f in flags.values() if f.flag_id in mine]
    comments = [
        Comment(str(c["author"]), pd.Timestamp(c["created_at"]).to_pydatetime(), str(c["body"]))
        for c in data.comments.get(metric.id, pd.DataFrame()).head(3).to_dict("records")
    ]
    return MeasureSection(
        metric=metric,
        rag=rag,
        facts=_facts(metric, row, view),
        paras=[p for p in paras if p.text],
        view=view,
        history=_history(metric, view, data),
        districts=districts.drop(columns=["raw"]),
        comments=comments,
        actions=actions,
        chart_alt=CHART_WITHHELD if withheld else chart_alt(registry, view),
    )


def _metric_flag_ids(data: ReadModel, metric_id: str) -> set[int]:
    flags = data.flags
    mine = flags[(flags["subject_type"] == "metric") & (flags["subject_id"] == metric_id)]
    return {int(i) for i in mine["id"]}


def _facts(metric: Metric, row: dict[str, Any], view: SeriesView) -> list[Fact]:
    rag = str(row.get("rag", "no_data"))
    value = row.get("value")
    when = period_label(metric.frequency, row["period_start"]) if row.get("period_start") else ""
    if row.get("suppressed") is True:
        latest = f"{SUPPRESSED} ({when})"
    elif is_number(value):
        latest = f"{format_value(value, metric)} ({when})"
    else:
        latest = rag_word("no_data")
    target = (
        format_value(row["target"], metric)
        if is_number(row.get("target"))
        else rag_word("no_target")
    )
    variation = view.spc.variation if view.spc is not None else None
    direction = _text(row.get("direction"))
    return [
        Fact("Latest figure", latest),
        Fact("Target", target),
        Fact("Status", rag_word(rag), RAG.get(rag, RAG["no_data"])[0]),
        Fact(
            "Since the previous period",
            direction_parts(direction, metric.polarity)[1],
            direction_parts(direction, metric.polarity)[0],
        ),
        Fact("SPC reading", variation_text(variation)),
        Fact("Assurance", assurance_text(_text(row.get("assurance")))),
        Fact("Owner", metric.owner),
    ]


def _text(value: object) -> str | None:
    """A text cell, or None for a missing one (NaN is not text)."""
    return value if isinstance(value, str) and value else None


def _history(metric: Metric, view: SeriesView, data: ReadModel) -> pd.DataFrame:
    frame = view.frame.tail(APPENDIX_PERIODS).iloc[::-1]
    if frame.empty:
        return pd.DataFrame(columns=["Period", "Value", "Target", "Status", "SPC reading"])
    status = data.status
    mine = status[(status["metric_id"] == metric.id) & (status["area_code"] == view.area_code)]
    starts = pd.to_datetime(mine["period_start"]).dt.date
    rags = dict(zip(starts, mine["rag"], strict=True))
    hidden = set(starts[mine["suppressed"].astype(bool)])
    return pd.DataFrame(
        {
            "Period": frame["period"],
            "Value": [
                SUPPRESSED if s in hidden else format_value(v, metric)
                for s, v in zip(frame["period_start"], frame["value"], strict=True)
            ],
            "Target": [format_value(t, metric) if is_number(t) else "–" for t in frame["target"]],
            "Status": [rag_word(rags.get(s)) for s in frame["period_start"]],
            "SPC reading": [
                variation_text(p) if isinstance(p, str) and p else "–"
                for p in frame.get("point_type", [None] * len(frame))
            ],
        }
    )


def _districts(registry: Registry, data: ReadModel, metric: Metric) -> pd.DataFrame:
    codes = [a.code for a in registry.areas_for(metric) if a.type == "district"]
    snap = data.snapshot
    rows = snap[(snap["metric_id"] == metric.id) & snap["area_code"].isin(codes)]
    # A district with a figure, or one whose figure is hidden (shown as [c])
    rows = rows[rows["value"].notna() | rows["suppressed"]]
    hidden = rows["suppressed"].astype(bool)
    return pd.DataFrame(
        {
            "area": [registry.area_name(c) for c in rows["area_code"]],
            "raw": rows["value"].astype(float).tolist(),
            "value": [
                SUPPRESSED if h else format_value(v, metric)
                for v, h in zip(rows["value"], hidden, strict=True)
            ],
            "status": [rag_word(r) for r in rows["rag"]],
        }
    )


def chart_alt(registry: Registry, view: SeriesView) -> str:
    """Alt text for a measure's chart: what it shows and what it says."""
    metric, frame = view.metric, view.frame
    area = registry.area_name(view.area_code)
    if frame.empty:
        return f"No chart: there are no figures for {metric.name} in {area} yet."
    first, last = frame.iloc[0], frame.iloc[-1]
    text = (
        f"SPC chart of {metric.name} in {area}, {metric.frequency}, from {first['period']} to "
        f"{last['period']}: it went from {format_value(first['value'], metric)} to "
        f"{format_value(last['value'], metric)}."
    )
    if view.spc is not None and view.spc.mean is not None:
        text += (
            f" Average {format_value(view.spc.mean, metric)}; process limits "
            f"{format_value(view.spc.lpl, metric)} to {format_value(view.spc.upl, metric)}."
        )
    if is_number(last["target"]):
        text += f" Target {format_value(last['target'], metric)}."
    return text + " The figures are in the data appendix."
