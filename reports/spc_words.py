"""The SPC reading in words, with the reason: "Special cause: concern — 7 months in a row above
the average". The reason comes from which Making Data Count rule flagged the latest point."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from metrics.engine.periods import periods_text
from metrics.engine.series import SeriesView
from metrics.engine.series_words import limits_sentences
from metrics.engine.spc import SpcResult
from metrics.format import format_value
from metrics.registry.model import Metric
from metrics.words import variation_text


def spc_reasons(metric: Metric, points: pd.DataFrame) -> list[str]:
    """Why the latest point is special cause, one phrase per rule that flagged it."""
    valid = np.flatnonzero(np.isfinite(points["value"].to_numpy(dtype=float)))
    if valid.size == 0:
        return []
    rows = points.iloc[valid].reset_index(drop=True)
    last = rows.iloc[-1]
    if not bool(last["special_cause"]):
        return []
    same_segment = rows[rows["segment"] == last["segment"]].reset_index(drop=True)
    values = same_segment["value"].to_numpy(dtype=float)
    mean = float(last["mean"])
    noun = metric.frequency
    reasons: list[str] = []
    if bool(last["outside_limits"]):
        side, limit = ("above", last["upl"]) if last["value"] > mean else ("below", last["lpl"])
        limit_word = "upper" if side == "above" else "lower"
        reasons.append(
            f"the latest value is {side} the {limit_word} process limit of "
            f"{format_value(float(limit), metric)}"
        )
    if bool(last["in_run"]):
        sides = np.sign(values - mean)
        count = _trailing(sides == sides[-1])
        side = "above" if sides[-1] > 0 else "below"
        reasons.append(f"{periods_text(count, noun)} in a row {side} the average")
    if bool(last["in_trend"]):
        steps = np.sign(np.diff(values))
        count = _trailing(steps == steps[-1]) + 1 if steps.size else 1
        way = "higher" if steps.size and steps[-1] > 0 else "lower"
        reasons.append(f"{periods_text(count, noun)} in a row, each {way} than the one before")
    if bool(last["two_in_three"]):
        upper = last["value"] > mean
        band = same_segment["near_upper"] if upper else same_segment["near_lower"]
        recent = values[-3:]
        near = recent > band.to_numpy()[-3:] if upper else recent < band.to_numpy()[-3:]
        limit_word = "upper" if upper else "lower"
        reasons.append(
            f"{int(near.sum())} of the last {periods_text(len(recent), noun)} "
            f"close to the {limit_word} process limit"
        )
    return reasons


def _trailing(mask: np.ndarray) -> int:
    """How many True values end the array."""
    count = 0
    for flag in mask[::-1]:
        if not flag:
            break
        count += 1
    return count


def spc_reading(metric: Metric, spc: SpcResult | None) -> str:
    """The SPC headline and its reason, e.g. 'Special cause: concern — 7 months in a row above
    the average.'"""
    if spc is None or spc.variation is None:
        return "Not enough data for an SPC reading: it needs at least two figures."
    headline = variation_text(spc.variation)
    if spc.variation == "common_cause":
        return (
            f"{headline} (no significant change). The latest value is inside the process limits "
            "and shows none of the patterns that signal a real change."
        )
    reasons = spc_reasons(metric, spc.points)
    if not reasons:
        return f"{headline}."
    return f"{headline} — {'; '.join(reasons)}."


def limits_text(metric: Metric, spc: SpcResult | None) -> str | None:
    """'The average is £7.9m and the process limits are £7.1m to £8.6m.' (None without limits)"""
    if spc is None or spc.mean is None or spc.lpl is None or spc.upl is None:
        return None
    if any(math.isnan(v) for v in (spc.mean, spc.lpl, spc.upl)):
        return None
    return (
        f"The average is {format_value(spc.mean, metric)} and the process limits are "
        f"{format_value(spc.lpl, metric)} to {format_value(spc.upl, metric)}."
    )


def limits_source(view: SeriesView, *, names: bool = False) -> str:
    """Which periods a pack's mean and limits come from and any rebase behind them, in the
    drill-down's own words: 'Mean and limits from Nov 2021 to Oct 2026 (60 points).'"""
    if view.spc is None:
        return ""
    return " ".join(limits_sentences(view, names=names))
