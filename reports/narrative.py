"""The pack's sentences, generated from the numbers: short, with units, terms explained once."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from metrics.engine.periods import (
    period_label,
    periods_text,
    previous_period,
    same_period_last_year,
)
from metrics.engine.spc import SpcResult
from metrics.format import format_value
from metrics.registry.model import Metric
from metrics.words import ASSURANCE, be, plural
from reports.glossary import Glossary
from reports.spc_words import limits_text, spc_reading

COMPARED = {
    "improving": "better than",
    "worsening": "worse than",
    "no_change": "the same as",
    "up": "higher than",
    "down": "lower than",
}
STATUS_PHRASES = {
    "green": "It is on target.",
    "amber": "It is within tolerance: short of the target, but by no more than is allowed.",
    "red": "It is off target.",
    "no_target": "It has no target.",
}


@dataclass(frozen=True)
class Para:
    """One paragraph: its sentences, and any first-time explanations of terms it uses."""

    text: str
    explain: str = ""

    @property
    def full(self) -> str:
        """The paragraph with its explanations, as plain text."""
        return f"{self.text} {self.explain}".strip()


def day_text(day: date) -> str:
    """'25 November 2024' (no leading zero)."""
    return f"{day.day} {day:%B %Y}"


def week_text(last: date) -> str:
    """The seven days ending on `last`: '19 to 25 November 2024'."""
    first = last - timedelta(days=6)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {day_text(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%B} to {day_text(last)}"
    return f"{day_text(first)} to {day_text(last)}"


def is_number(value: Any) -> bool:
    """Whether a cell holds a real number (not None, NaN or NaT)."""
    return isinstance(value, int | float) and not math.isnan(value)


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def counts_para(counts: dict[str, int], glossary: Glossary) -> Para:
    """How many measures are on target, within tolerance, off target, untargeted or empty."""
    targeted = counts.get("green", 0) + counts.get("amber", 0) + counts.get("red", 0)
    sentences = []
    if targeted:
        sentences.append(
            f"Of the {plural(targeted, 'measure')} with a target and a figure, "
            f"{counts.get('green', 0)} {be(counts.get('green', 0))} on target, "
            f"{counts.get('amber', 0)} within tolerance and {counts.get('red', 0)} off target."
        )
    else:
        sentences.append("No measure in this pack has both a target and a figure.")
    if counts.get("no_target"):
        n = counts["no_target"]
        sentences.append(f"{plural(n, 'measure')} {'has' if n == 1 else 'have'} no target.")
    if counts.get("no_data"):
        n = counts["no_data"]
        sentences.append(f"{plural(n, 'measure')} {'has' if n == 1 else 'have'} no figures yet.")
    return Para(" ".join(sentences), glossary.explain("rag", "tolerance"))


def change_phrase(metric: Metric, before: float, after: float) -> str:
    """'up from £9.0m to £9.2m', 'down from 3.9% to 3.8%', 'unchanged at 23'."""
    if after == before:
        return f"unchanged at {format_value(after, metric)}"
    way = "up" if after > before else "down"
    old, new = format_value(before, metric), format_value(after, metric)
    if old == new:  # a change smaller than the rounding shown
        return f"{way} a little, at about {new}"
    return f"{way} from {old} to {new}"


def movers_para(
    moves: Sequence[tuple[Metric, float, float, str]], glossary: Glossary, limit: int = 3
) -> list[Para]:
    """The biggest improvements, then the biggest deteriorations, since each measure's
    previous period.

    `moves` holds (metric, previous value, latest value, direction) for measures with both.
    Size is the change as a share of the previous value, so units do not matter.
    """

    def size(move: tuple[Metric, float, float, str]) -> float:
        _, before, after, _ = move
        return abs(after - before) / abs(before) if before else math.inf

    better = sorted((m for m in moves if m[3] == "improving"), key=size, reverse=True)[:limit]
    worse = sorted((m for m in moves if m[3] == "worsening"), key=size, reverse=True)[:limit]

    def listed(items: list[tuple[Metric, float, float, str]]) -> str:
        return "; ".join(f"{m.name}, {change_phrase(m, b, a)}" for m, b, a, _ in items)

    sentences = [
        f"Biggest improvements since the previous period: {listed(better)}."
        if better
        else "No measure improved since its previous period.",
        f"Biggest deteriorations since the previous period: {listed(worse)}."
        if worse
        else "No measure got worse since its previous period.",
    ]
    return [Para(sentences[0], glossary.explain("direction")), Para(sentences[1])]


def off_track_para(rows: Sequence[tuple[Metric, float, float | None]]) -> Para | None:
    """Which measures are off target, with value and target."""
    if not rows:
        return None
    items = [
        f"{m.name} ({format_value(v, m)} against a target of {format_value(t, m)})"
        for m, v, t in rows
    ]
    return Para(f"Off target: {'; '.join(items)}.")


def status_changes_para(changes: Sequence[tuple[Metric, str, str]]) -> Para | None:
    """Measures whose status changed between their previous and latest period."""
    if not changes:
        return None
    words = {"green": "on target", "amber": "within tolerance", "red": "off target"}
    items = [f"{m.name} moved from {words[a]} to {words[b]}" for m, a, b in changes]
    return Para(f"Changes of status since the previous period: {'; '.join(items)}.")


def spc_counts_para(variations: Sequence[str | None], glossary: Glossary) -> Para:
    """How many measures' latest point is a special-cause concern or improvement."""
    concern = sum(v == "special_cause_concern" for v in variations)
    better = sum(v == "special_cause_improvement" for v in variations)
    text = (
        f"On the SPC charts, {plural(concern, 'measure')} {'shows' if concern == 1 else 'show'} "
        f"a special-cause concern and {better} a special-cause improvement in the latest period."
    )
    return Para(text, glossary.explain("spc", "special_cause"))


def value_para(metric: Metric, row: dict[str, Any], red_periods: int) -> Para:
    """The latest value against its target, and the status in words."""
    if row.get("suppressed") is True:
        return Para(
            f"The latest figure for {metric.name} is not published: it is small enough to "
            "identify people."
        )
    if not is_number(row.get("value")):
        return Para(f"There are no figures for {metric.name} yet.")
    label = period_label(metric.frequency, row["period_start"])
    text = f"{metric.name} was {format_value(row['value'], metric)} in {label}"
    if is_number(row.get("target")):
        better = {"higher_is_better": "higher", "lower_is_better": "lower"}.get(metric.polarity)
        text += f", against a target of {format_value(row['target'], metric)}"
        text += f" ({better} is better)." if better else "."
    else:
        text += "."
    sentences = [text, STATUS_PHRASES.get(str(row["rag"]), "")]
    if row["rag"] == "red" and red_periods > 1:
        sentences[-1] = (
            "It is off target, and has been for "
            f"{periods_text(red_periods, metric.frequency)} in a row."
        )
    return Para(" ".join(s for s in sentences if s))


def direction_para(metric: Metric, row: dict[str, Any], glossary: Glossary) -> Para | None:
    """How the latest value compares with the previous period and a year earlier."""
    if not is_number(row.get("value")):
        return None
    start: date = row["period_start"]
    parts = []
    for key, direction, when in (
        ("previous_value", row.get("direction"), previous_period(metric.frequency, start)),
        (
            "last_year_value",
            row.get("direction_year"),
            same_period_last_year(metric.frequency, start),
        ),
    ):
        if is_number(row.get(key)) and direction in COMPARED:
            label = period_label(metric.frequency, when)
            parts.append(f"{COMPARED[direction]} in {label} ({format_value(row[key], metric)})")
    if not parts:
        return Para("There is no earlier figure to compare with.")
    unique = list(dict.fromkeys(parts))
    return Para(f"That is {join_words(unique)}.", glossary.explain("direction"))


def spc_para(
    metric: Metric, spc: SpcResult | None, glossary: Glossary, limits_from: str = ""
) -> Para:
    """The SPC reading with its reason, the limits (and, given `limits_from`, which periods they
    come from and any rebase), and any warning about too few points."""
    sentences = [spc_reading(metric, spc)]
    limits = limits_text(metric, spc)
    if limits:
        sentences.append(limits)
    if limits and limits_from:
        sentences.append(limits_from)
    terms = ["spc"]
    if spc is not None and spc.variation:
        terms.append("common_cause" if spc.variation == "common_cause" else "special_cause")
        terms.append("process_limits")
        sentences.extend(spc.warnings[:1])
    return Para(" ".join(sentences), glossary.explain(*terms))


def assurance_para(metric: Metric, row: dict[str, Any], glossary: Glossary) -> Para | None:
    """Whether the target will be met if the service carries on as it is."""
    assurance = row.get("assurance")
    if not isinstance(assurance, str) or assurance not in ASSURANCE:
        return None
    label, meaning = ASSURANCE[assurance]
    target = format_value(row["target"], metric) if is_number(row.get("target")) else "the target"
    return Para(
        f"Assurance: {label.lower()}. Against a target of {target}, {meaning}.",
        glossary.explain("assurance"),
    )


def freshness_para(metric: Metric, row: dict[str, Any]) -> Para | None:
    """Say so when the data is late or has never arrived."""
    due = row.get("due_by")
    due_text = day_text(due) if isinstance(due, date) else "its due date"
    if row.get("freshness") == "stale":
        return Para(f"The data is late: the next figure was due by {due_text}.")
    if row.get("freshness") == "missing":
        return Para(f"No data has been loaded for this measure; it was due by {due_text}.")
    return None


def districts_para(metric: Metric, latest: Sequence[tuple[str, float]]) -> Para | None:
    """The best and worst district, for measures reported by district."""
    if len(latest) < 2 or metric.polarity == "neutral":
        return None
    ordered = sorted(latest, key=lambda item: item[1], reverse=metric.higher_is_better is True)
    best, worst = ordered[0], ordered[-1]
    return Para(
        f"Across the {len(latest)} districts, the best figure is {best[0]} "
        f"({format_value(best[1], metric)}) and the weakest {worst[0]} "
        f"({format_value(worst[1], metric)}). The data appendix lists every district."
    )
