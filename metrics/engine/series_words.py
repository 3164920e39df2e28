"""A series' SPC limits in words: which periods they come from, trial limits and rebases.

Pages, packs and the chart itself say the same sentences, built here from the judgement made
in metrics.engine.series; the labels come from metrics.words.
"""

from __future__ import annotations

from datetime import date

from metrics.engine.periods import period_label
from metrics.engine.series import LimitSegment, Rebase, SeriesView
from metrics.words import LIMITS, REBASE


def _points(count: int) -> str:
    return f"{count} point{'' if count == 1 else 's'}"


def _span(frequency: str, first: date, last: date) -> str:
    a, b = period_label(frequency, first), period_label(frequency, last)
    return a if a == b else f"{a} to {b}"


def rebase_words(frequency: str, rebase: Rebase, *, names: bool = True) -> str:
    """'Limits recalculated from Apr 2021: new triage service (Jo Bloggs, 3 Jun 2024)'."""
    text = f"{REBASE[0]} from {period_label(frequency, rebase.period_start)}: {rebase.reason}"
    if rebase.recorded_by is not None and names:
        at = rebase.recorded_at
        when = f", {at.day} {at:%b %Y}" if at else ""
        text += f" (recorded by {rebase.recorded_by}{when})"
    return text


def segment_words(frequency: str, segment: LimitSegment) -> str:
    """Where one set of limits comes from: 'Mean and limits from Apr 2019 to Mar 2024 (60
    points)'."""
    kind = "trial limits" if segment.trial else "limits"
    if segment.fixed:
        return (
            f"Mean and {kind} from the first {_points(segment.baseline_points)}, "
            f"{_span(frequency, segment.first, segment.baseline_last)}, "
            f"held to {period_label(frequency, segment.last)}"
        )
    return (
        f"Mean and {kind} from {_span(frequency, segment.first, segment.last)} "
        f"({_points(segment.baseline_points)})"
    )


def limits_note(view: SeriesView) -> str:
    """One line for the chart itself: which periods the mean and limits come from."""
    frequency = view.metric.frequency
    parts = []
    for number, segment in enumerate(view.segments):
        words = segment_words(frequency, segment)
        parts.append(words if number == 0 else "then " + words[0].lower() + words[1:])
    return "; ".join(parts)


def limits_sentences(view: SeriesView, *, names: bool = True) -> list[str]:
    """Which periods the limits come from, each rebase with why, and whether any are trial."""
    frequency = view.metric.frequency
    sentences = []
    for segment in view.segments:
        if segment.rebase is not None:
            sentences.append(rebase_words(frequency, segment.rebase, names=names) + ".")
        sentences.append(segment_words(frequency, segment) + ".")
    if any(s.trial for s in view.segments):
        label, meaning = LIMITS["trial"]
        sentences.append(f"{label} are {meaning}.")
    return sentences


def shown_words(view: SeriesView) -> str:
    """How many points are drawn and over which periods: 'Showing 5 points, 2019-20 to 2023-24.'"""
    frame = view.frame
    if frame.empty:
        return ""
    count = int(frame["value"].notna().sum())
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    return f"Showing {_points(count)}, {_span(view.metric.frequency, first, last)}."
