"""The finance team's savings delivery workbook mapped onto returns and validated with pandera.

Each row is one proposal's forecast and delivered-to-date saving for a financial year, as at
a month. Every check is a small named rule; a row that fails any is quarantined with a
sentence naming the row, the column, the value and what would be valid.
"""

from __future__ import annotations

import difflib
import re
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from metrics.engine.periods import month_end
from metrics.registry.finance import year_label
from metrics.registry.loader import Registry
from pipelines.checks import MAX_FIGURE, READ, Row, Rule, quoted
from pipelines.config import SAVINGS_FIELDS, SAVINGS_HEADINGS, Pipeline
from pipelines.period_formats import parse_period
from pipelines.sources.base import Batch
from pipelines.tabular import READ_PROBLEM, shorten, to_numbers
from pipelines.transform import MappingError, match_headings
from pipelines.validate import Checked, split_rows

REQUIRED = ("proposal_id", "financial_year", "as_at", "forecast", "delivered")
AMOUNTS = ("forecast", "delivered")
UNIQUE = "one row per proposal, financial year and month"
_YEAR = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
YEAR_EXAMPLE = "2026/27, 2026-27 or 2026/2027"
MONTH_EXAMPLE = "Nov 2026, 2026-11 or a date such as 30/11/2026"
# The column holding each field's text as written
_RAW = {"proposal_id": "proposal_raw", "financial_year": "year_raw", "as_at": "month_raw"}


_THOUSANDS = re.compile(r"£\s*(?:000|k)\b|\(\s*000\s*\)", re.IGNORECASE)


def _normal(heading: str) -> str:
    # "Forecast £", "forecast (£)", "Forecast (£000)" and "FORECAST" are one heading
    return re.sub(r"[^a-z0-9]+", "", _THOUSANDS.sub("", heading).casefold())


def return_columns(batch: Batch, pipeline: Pipeline) -> dict[str, str]:
    """Each savings field -> the workbook's heading (configured, or the usual heading)."""
    names: dict[str, tuple[str, ...]] = {f: (SAVINGS_HEADINGS[f], f) for f in SAVINGS_FIELDS}
    found = match_headings(batch, pipeline, names, REQUIRED, _normal)
    in_thousands = [found[f] for f in AMOUNTS if _THOUSANDS.search(found[f])]
    if in_thousands and pipeline.amounts_in == "pounds":
        # Loading £000 as pounds would understate every saving a thousandfold
        raise MappingError(
            f"{batch.ref}: column '{in_thousands[0]}' says its amounts are in £000, but "
            f"pipeline '{pipeline.id}' reads pounds; set 'amounts_in: thousands' in the "
            "pipeline, or send the amounts in pounds"
        )
    return found


def read_year(text: str) -> tuple[int, int] | None:
    """The two years a financial year is written with ('2026/27' -> (2026, 2027)), or None."""
    found = _YEAR.match(" ".join(text.casefold().split()))
    if found is None:
        return None
    start, end = int(found.group(1)), int(found.group(2))
    if len(found.group(2)) == 2:
        end += start - start % 100 + (100 if end < start % 100 else 0)
    return start, end


def read_month(text: str) -> date | None:
    """The last day of the month a cell names (a month, or any date in it), or None."""
    day = parse_period(text, "month") or parse_period(text, "date")
    return month_end(day) if day is not None else None


def _texts(batch: Batch, headings: dict[str, str], field: str, index: pd.Index) -> pd.Series:
    if field not in headings:
        return pd.Series("", index=index, dtype=object)
    return batch.frame[headings[field]].astype(str).str.split().str.join(" ").astype(object)


def returns_frame(batch: Batch, headings: dict[str, str], registry: Registry) -> pd.DataFrame:
    """The workbook's rows read into typed columns, each beside the text it was written as."""
    index = batch.frame.index
    frame = pd.DataFrame(index=index)
    frame["row_number"] = batch.row_numbers
    frame["read_problem"] = batch.frame[READ_PROBLEM] if READ_PROBLEM in batch.frame else ""
    ids = {p.id.casefold(): p.id for p in registry.finance.proposals}
    ref = _texts(batch, headings, "proposal_id", index)
    frame["proposal_raw"] = ref
    frame["proposal_id"] = pd.Series([ids.get(r.casefold(), r) for r in ref], index, object)
    frame["proposal_known"] = [r.casefold() in ids for r in ref]
    year = _texts(batch, headings, "financial_year", index)
    frame["year_raw"] = year
    spans = [read_year(y) for y in year]
    frame["year_form"] = [s is not None for s in spans]
    frame["year_start"] = pd.Series(
        [s[0] if s is not None and s[1] == s[0] + 1 else np.nan for s in spans],
        index=index,
        dtype="float64",
    )
    month = _texts(batch, headings, "as_at", index)
    frame["month_raw"] = month
    frame["as_at"] = pd.to_datetime(pd.Series([read_month(m) for m in month], index=index))
    for field in AMOUNTS:
        raw = _texts(batch, headings, field, index)
        frame[f"{field}_raw"] = raw
        values, bad = to_numbers(raw.astype(str))
        frame[field] = values.astype("float64")
        frame[f"{field}_bad"] = bad.astype(bool)
    comment = _texts(batch, headings, "commentary", index)
    frame["commentary"] = comment.where(comment != "", None)
    frame["_repeats"] = _repeats(frame)
    return frame


def _repeats(frame: pd.DataFrame) -> pd.Series:
    """For rows whose proposal, year and month appear more than once, the sentence saying so."""
    complete = frame["proposal_raw"].ne("") & frame["year_start"].notna() & frame["as_at"].notna()
    messages = pd.Series("", index=frame.index, dtype=object)
    if not complete.any():
        return messages
    keyed = frame[complete]
    groups = keyed.groupby(["proposal_id", "year_start", "as_at"], sort=False)
    for _, group in groups:
        if len(group) < 2:
            continue
        rows = ", ".join(str(n) for n in group["row_number"])
        first = group.iloc[0]
        text = (
            f"Ref {quoted(first['proposal_id'])} for {year_label(int(first['year_start']))} "
            "and month "
            f"{quoted(first['month_raw'])} appears more than once (rows {rows}); keep one row "
            "per proposal, financial year and month"
        )
        messages[group.index] = text
    return messages


def savings_rules(registry: Registry, headings: dict[str, str]) -> list[Rule]:
    """The checks a row of the savings delivery workbook must pass."""
    proposals = [p.id for p in registry.finance.proposals]
    folded = {p.casefold(): p for p in proposals}

    def col(field: str) -> str:
        return quoted(headings.get(field, SAVINGS_HEADINGS[field]))

    def given(field: str, what: str, valid: str) -> Rule:
        return Rule(
            f"{what} given",
            lambda f: f[_RAW[field]].ne(""),
            lambda r: f"no {what} in column {col(field)}; {valid}",
        )

    def unknown(r: Row) -> str:
        ref = quoted(r["proposal_raw"])
        if not proposals:
            return (
                f"Ref {ref} in column {col('proposal_id')} cannot be checked: config/savings has "
                "no savings proposals; add the proposals to config/savings/*.yaml, then load "
                "the returns again"
            )
        close = difflib.get_close_matches(str(r["proposal_raw"]).casefold(), folded, n=1)
        hint = (
            f"; did you mean {quoted(folded[close[0]])}?" if close else "; see `pmf savings list`"
        )
        return f"Ref {ref} in column {col('proposal_id')} is not a savings proposal{hint}"

    def unreadable_year(r: Row) -> str:
        return (
            f"financial year {quoted(shorten(r['year_raw']))} in column {col('financial_year')} "
            f"is not a financial year (e.g. {YEAR_EXAMPLE})"
        )

    def broken_year(r: Row) -> str:
        span = read_year(str(r["year_raw"]))
        assert span is not None
        return (
            f"financial year {quoted(r['year_raw'])} in column {col('financial_year')} does not "
            f"span two consecutive years: {span[0]} is followed by {span[0] + 1}, so write "
            f"{year_label(span[0]).replace('-', '/')}"
        )

    def in_year(f: pd.DataFrame) -> pd.Series:
        start = pd.to_datetime(f["year_start"].map(lambda y: f"{int(y)}-04-01", na_action="ignore"))
        end = pd.to_datetime(
            f["year_start"].map(lambda y: f"{int(y) + 1}-03-31", na_action="ignore")
        )
        inside = (f["as_at"] >= start) & (f["as_at"] <= end)
        return f["as_at"].isna() | f["year_start"].isna() | inside

    def outside_year(r: Row) -> str:
        start = int(r["year_start"])
        return (
            f"month {quoted(r['month_raw'])} in column {col('as_at')} ({r['as_at']:%B %Y}) is not "
            f"in financial year {year_label(start)}, which runs from April {start} to March "
            f"{start + 1}; is the year or the month wrong?"
        )

    rules = [
        Rule(READ, lambda f: f["read_problem"] == "", lambda r: str(r["read_problem"])),
        given("proposal_id", "Ref", "give the savings proposal's id"),
        Rule("proposal known", lambda f: f["proposal_raw"].eq("") | f["proposal_known"], unknown),
        given("financial_year", "financial year", f"write it as {YEAR_EXAMPLE}"),
        Rule(
            "financial year readable",
            lambda f: f["year_raw"].eq("") | f["year_form"],
            unreadable_year,
        ),
        Rule(
            "financial year consecutive",
            lambda f: ~f["year_form"] | f["year_start"].notna(),
            broken_year,
        ),
        given("as_at", "month", f"write the month the return reports, e.g. {MONTH_EXAMPLE}"),
        Rule(
            "month readable",
            lambda f: f["month_raw"].eq("") | f["as_at"].notna(),
            lambda r: (
                f"month {quoted(shorten(r['month_raw']))} in column {col('as_at')} is not a "
                f"month (e.g. {MONTH_EXAMPLE})"
            ),
        ),
        Rule("month inside the financial year", in_year, outside_year),
    ]
    for field in AMOUNTS:
        rules += _amount_rules(field, col(field))
    rules.append(Rule(UNIQUE, lambda f: f["_repeats"].eq(""), lambda r: str(r["_repeats"])))
    return rules


def _amount_rules(field: str, heading: str) -> list[Rule]:
    """Given, a number, not negative and not absurd: the checks on one amount of money."""
    what = "forecast" if field == "forecast" else "delivered to date"
    raw = f"{field}_raw"

    def shown(r: Row) -> str:
        return quoted(shorten(str(r[raw])))

    return [
        Rule(
            f"{field} given",
            lambda f: f[raw].ne("") & ~(f[field].isna() & ~f[f"{field}_bad"]),
            lambda r: f"no {what} in column {heading}; give an amount in pounds (0 if none)",
        ),
        Rule(
            f"{field} a number",
            lambda f: ~f[f"{field}_bad"],
            lambda r: (
                f"{what} {shown(r)} in column {heading} is not an amount of money "
                "(e.g. 1250000 or £1,250,000)"
            ),
        ),
        Rule(
            f"{field} not negative",
            lambda f: f[field].isna() | (f[field] >= 0),
            lambda r: (
                f"{what} {shown(r)} in column {heading} is negative; a saving forecast or "
                "delivered is an amount of £0 or more"
            ),
        ),
        Rule(
            f"{field} within what a council reports",
            lambda f: f[field].isna() | (f[field].abs() < MAX_FIGURE),
            lambda r: (
                f"{what} {shown(r)} in column {heading} is larger than any saving a council "
                "makes; is a cell corrupt?"
            ),
        ),
    ]


def validate_returns(batch: Batch, pipeline: Pipeline, registry: Registry) -> Checked:
    """Split a savings delivery workbook into returns to load and rows to quarantine."""
    headings = return_columns(batch, pipeline)
    frame = returns_frame(batch, headings, registry)
    rules = savings_rules(registry, headings)
    good, rejected = split_rows(
        frame,
        batch,
        rules,
        {
            "proposal_id": pa.Column(object, nullable=True),
            "as_at": pa.Column("datetime64[ns]", nullable=True),
            "forecast": pa.Column(float, nullable=True),
            "delivered": pa.Column(float, nullable=True),
        },
        "savings delivery returns",
    )
    scale = 1000.0 if pipeline.amounts_in == "thousands" else 1.0
    out = pd.DataFrame(
        {
            "proposal_id": good["proposal_id"].astype(object),
            "financial_year": [year_label(int(y)) for y in good["year_start"]],
            "as_at": [d.date() for d in good["as_at"]],
            "forecast": good["forecast"] * scale,
            "delivered": good["delivered"] * scale,
            "commentary": good["commentary"],
        },
        columns=list(SAVINGS_FIELDS),
    )
    return Checked(out.reset_index(drop=True), rejected)
