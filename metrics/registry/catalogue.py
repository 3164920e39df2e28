"""The metric catalogue: every definition as one searchable, downloadable table."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.format import format_value
from metrics.registry.loader import Registry
from metrics.registry.model import Metric

CATALOGUE_COLUMNS = {
    "id": "Id",
    "name": "Measure",
    "priority": "Priority",
    "enablers": "Enablers",
    "portfolio": "Portfolio",
    "select_committee": "Select committee",
    "owner": "Owner",
    "frequency": "Frequency",
    "unit": "Unit",
    "polarity": "Better is",
    "target": "Current target",
    "tolerance": "Tolerance",
    "source": "Source",
    "visibility": "Visibility",
    "description": "Definition",
}


def _tolerance_text(metric: Metric) -> str:
    tol = metric.tolerance
    if tol is None:
        return ""
    if tol.percent is not None:
        return f"{tol.percent:g}% of target"
    return format_value(tol.absolute, metric)


def catalogue_frame(registry: Registry, today: date | None = None) -> pd.DataFrame:
    """One row per metric with plain-English names for every reference."""
    today = today or date.today()
    rows = []
    for m in registry:
        target = m.target_for(today)
        rows.append(
            {
                "id": m.id,
                "name": m.name,
                "priority": registry.name_of("priorities", m.priority),
                "enablers": ", ".join(registry.name_of("enablers", e) for e in m.enablers),
                "portfolio": registry.name_of("portfolios", m.portfolio),
                "select_committee": registry.name_of("select_committees", m.select_committee),
                "owner": m.owner,
                "frequency": m.frequency,
                "unit": m.unit,
                "polarity": {"higher_is_better": "Higher", "lower_is_better": "Lower"}.get(
                    m.polarity, "Neither"
                ),
                "target": "" if target is None else format_value(target, m),
                "tolerance": _tolerance_text(m),
                "source": registry.pipeline_name(m.source_id),
                "visibility": m.visibility,
                "description": m.description,
            }
        )
    return pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))


def search_catalogue(frame: pd.DataFrame, query: str | None) -> pd.DataFrame:
    """Rows where every word of the query appears somewhere in the row (case-insensitive)."""
    words = (query or "").lower().split()
    if not words:
        return frame
    text = frame.astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= text.str.contains(word, regex=False)
    return frame[mask]
