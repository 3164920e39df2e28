"""Derived measures: a value worked out as one measure's value over another's, times a scale.

A unit cost (spend per person supported, cost per case per 1,000) is judged like any measure,
so its values are worked out here from the current values of its two parts and then stored
as observations by the built-in `derived` pipeline (pipelines.derived). Only a period and
area where both parts have a value and the denominator is not zero gets a value: a missing
part is no value, never zero.
"""

from __future__ import annotations

import pandas as pd

from metrics.registry.loader import Registry
from metrics.registry.model import Metric

DERIVED_COLUMNS = ["metric_id", "area_code", "period_start", "value"]


def derived_measures(registry: Registry) -> list[Metric]:
    """The registry's derived measures, in registry order."""
    return [m for m in registry.metrics if m.derived is not None]


def part_ids(registry: Registry) -> list[str]:
    """The ids of every measure some derived measure is worked out from."""
    ids: dict[str, None] = {}
    for metric in derived_measures(registry):
        assert metric.derived is not None
        ids[metric.derived.numerator] = None
        ids[metric.derived.denominator] = None
    return list(ids)


def derivation(registry: Registry, metric: Metric) -> str:
    """How a derived measure is worked out, in words, e.g. 'Spend / People supported x 1,000'."""
    assert metric.derived is not None, f"{metric.id} is not a derived measure"
    rule = metric.derived
    numerator = _name(registry, rule.numerator)
    denominator = _name(registry, rule.denominator)
    scale = "" if rule.scale == 1 else f" x {rule.scale:,g}"
    return f"{numerator} / {denominator}{scale}"


def derived_values(registry: Registry, parts: pd.DataFrame) -> pd.DataFrame:
    """Each derived measure's value for every area and period where both parts have a value
    and the denominator is not zero; `parts` holds current values (metric_id, area_code,
    period_start, value)."""
    frames = []
    for metric in derived_measures(registry):
        assert metric.derived is not None
        rule = metric.derived
        top = _part(parts, rule.numerator).rename(columns={"value": "numerator"})
        bottom = _part(parts, rule.denominator).rename(columns={"value": "denominator"})
        both = top.merge(bottom, on=["area_code", "period_start"], how="inner")
        both = both[both["numerator"].notna() & both["denominator"].notna()]
        both = both[both["denominator"] != 0]
        frames.append(
            pd.DataFrame(
                {
                    "metric_id": metric.id,
                    "area_code": both["area_code"],
                    "period_start": both["period_start"],
                    "value": both["numerator"] / both["denominator"] * rule.scale,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=DERIVED_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["metric_id", "area_code", "period_start"], ignore_index=True)


def _part(parts: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    rows = parts[parts["metric_id"] == metric_id]
    return rows[["area_code", "period_start", "value"]].drop_duplicates(
        ["area_code", "period_start"], keep="last"
    )


def _name(registry: Registry, metric_id: str) -> str:
    return registry.metric(metric_id).name if registry.has_metric(metric_id) else metric_id
