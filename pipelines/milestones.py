"""Programme trackers (CSV or XLSX) mapped onto milestones and validated with pandera."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

from metrics.registry.loader import Registry
from pipelines.checks import READ, Row, Rule
from pipelines.config import MILESTONE_FIELDS, Pipeline
from pipelines.period_formats import STORABLE, read_periods
from pipelines.sources.base import Batch
from pipelines.tabular import READ_PROBLEM
from pipelines.transform import match_headings
from pipelines.validate import Checked, split_rows

REQUIRED = ("id", "title", "programme", "baseline_date")
DATES = ("baseline_date", "forecast_date", "completed_date")
PLAN_LINKS = {"priority": "priorities", "enabler": "enablers", "portfolio": "portfolios"}


def _normal(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.casefold()).strip("_")


def tracker_columns(batch: Batch, pipeline: Pipeline) -> dict[str, str]:
    """Each milestone field -> the tracker's heading (configured, or the field's own name)."""
    names: dict[str, tuple[str, ...]] = {field: (field,) for field in MILESTONE_FIELDS}
    return match_headings(batch, pipeline, names, REQUIRED, _normal)


def milestone_rules(registry: Registry, headings: dict[str, str]) -> list[Rule]:
    """The checks a tracker row must pass."""
    known = {
        field: {item.id for item in getattr(registry.plan, plural)}
        for field, plural in PLAN_LINKS.items()
    }

    def given(field: str) -> Rule:
        return Rule(
            f"{field} given",
            lambda f: f[field].notna(),
            lambda r: f"no {field.replace('_', ' ')} in column '{headings.get(field, field)}'",
        )

    def readable(field: str) -> Rule:
        return Rule(
            f"{field} readable",
            lambda f: f[f"{field}_raw"].eq("") | f[field].notna(),
            lambda r: (
                f"{field.replace('_', ' ')} '{r[f'{field}_raw']}' in column "
                f"'{headings.get(field, field)}' is not a date from {STORABLE[0].year} to "
                f"{STORABLE[1].year - 1} (e.g. 2024-03-31 or 31/03/2024)"
            ),
        )

    def linked(field: str) -> Rule:
        ids = known[field]
        return Rule(
            f"{field} known",
            lambda f: f[field].isna() | f[field].isin(ids),
            lambda r: (
                f"{field} '{r[field]}' is not in the plan; use one of {', '.join(sorted(ids))}"
            ),
        )

    def repeats(r: Row) -> str:
        return f"milestone id '{r['id']}' appears more than once in the tracker"

    rules = [
        Rule(READ, lambda f: f["read_problem"] == "", lambda r: str(r["read_problem"])),
        given("id"),
        given("title"),
        given("programme"),
    ]
    rules.append(
        Rule(
            "baseline_date given",
            lambda f: f["baseline_date_raw"].ne(""),
            lambda r: f"no baseline date in column '{headings.get('baseline_date')}'",
        )
    )
    rules += [readable(field) for field in DATES]
    rules += [linked(field) for field in PLAN_LINKS]
    rules.append(
        Rule("id unique", lambda f: f["id"].isna() | ~f["id"].duplicated(keep=False), repeats)
    )
    return rules


def validate_tracker(batch: Batch, pipeline: Pipeline, registry: Registry) -> Checked:
    """Split a tracker into milestones to upsert and rows to quarantine."""
    headings = tracker_columns(batch, pipeline)
    frame = pd.DataFrame(index=batch.frame.index)
    frame["row_number"] = batch.row_numbers
    # A tracker row with surplus cells has its titles and dates under the wrong headings
    frame["read_problem"] = batch.frame[READ_PROBLEM] if READ_PROBLEM in batch.frame else ""
    for field in MILESTONE_FIELDS:
        text = (
            batch.frame[headings[field]] if field in headings else pd.Series("", index=frame.index)
        )
        clean = text.astype(str).str.split().str.join(" ")
        if field in DATES:
            frame[f"{field}_raw"] = clean
            # A date past 2261 cannot be stored: it is refused as unreadable, never a crash
            frame[field] = read_periods(clean, "date").dates
        else:
            frame[field] = clean.where(clean != "", np.nan).astype(object)
    rules = milestone_rules(registry, headings)
    good, rejected = split_rows(
        frame,
        batch,
        rules,
        {
            "id": pa.Column(object, nullable=True),
            "baseline_date": pa.Column("datetime64[ns]", nullable=True),
        },
        "milestone tracker",
    )
    out = good[list(MILESTONE_FIELDS)].copy()
    for field in DATES:
        out[field] = [d.date() if not pd.isna(d) else None for d in good[field]]
    return Checked(out.reset_index(drop=True), rejected)
