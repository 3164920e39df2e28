"""The checks a batch of observation candidates must pass, derived from the registry.

Each check is a small named predicate over the whole batch (vectorised), with a sentence
that explains a failure to the officer who sent the file: the row, the column, the value
and what would be valid. `pipelines.validate` runs them with pandera.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from metrics.engine.periods import FREQUENCIES, add_months, month_end, period_bounds
from metrics.registry.loader import Registry
from pipelines.codes import codes, key_codes, pair_codes, repeated
from pipelines.config import Pipeline
from pipelines.period_formats import FORM_SPAN, FORM_WORDS, PERIOD_FORMATS
from pipelines.tabular import cell_text, number_problem, shorten

ONS_CODE = r"^[EWSNK]\d{8}$"
Row = Mapping[str, Any]
UNIQUE = "one row per metric, area and period"
# `_period` is `period_date` as a categorical (pipelines.validate adds it with the metric's
# facts), so the checks pair and key periods by code rather than hashing dates again
KEY = ("metric_id", "area_code", "_period")
# A row misread (shifted cells, a broken line) says only that: its other cells mean nothing
READ = "row read as written"
NON_NEGATIVE = ("count", "rate per 10k", "rate per 100k", "days", "ratio")


@dataclass(frozen=True)
class Rule:
    """A named check: which rows pass, and how to explain a row that fails."""

    name: str
    passes: Callable[[pd.DataFrame], pd.Series]
    explain: Callable[[Row], str]


def quoted(text: object) -> str:
    """A value in quotes, as messages show it."""
    return f"'{text}'"


# A thousand trillion: more than any count, population or sum of money a council holds, so a
# figure this large is a corrupt cell or a wrong unit, never a true return (1e308 loaded once)
MAX_FIGURE = 1e15


def _num(value: float) -> str:
    return f"{value:.10g}"


def raw_text(value: object) -> str:
    """A cell as the officer wrote it (numbers the parser already read, shown plainly)."""
    if isinstance(value, float):
        return "" if np.isnan(value) else cell_text(value)
    return "" if value is None else str(value)


def _shown(row: Row, figure: str) -> str:
    raw = raw_text(row[f"{figure}_raw"]).strip()
    return quoted(shorten(raw)) if raw else _num(float(row[figure]))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def one_period_on(frequency: str, day: date) -> date:
    """The same day one period of the frequency later (the month's end if it is shorter)."""
    if frequency == "weekly":
        return day + timedelta(days=7)
    first = add_months(day, FREQUENCIES[frequency].step_months if frequency in FREQUENCIES else 12)
    return first.replace(day=min(day.day, month_end(first).day))


def build_rules(
    pipeline: Pipeline, registry: Registry, columns: dict[str, str], today: date | None = None
) -> list[Rule]:
    """The checks for one pipeline, derived from the registry's metric definitions.

    Periods more than one period after `today` (default: the date now) are refused.
    """
    mapping = pipeline.mapping
    assert mapping is not None
    today = today or date.today()
    earliest: date = registry.settings["earliest_period"]
    metric_ids = {m.id for m in registry.metrics}
    fed = set(pipeline.metrics)
    plan_codes = set(registry.areas_by_code)
    county = registry.plan.county.code
    fmt = PERIOD_FORMATS[mapping.period.format]
    marks_end = mapping.period.marks == "end"
    form = (
        "a period PMF can read"
        if mapping.period.format == "auto"
        else f"in {mapping.period.format.replace('-', ' ')} form"
    )

    def col(name: str | None) -> str:
        return quoted(columns.get(name or "", name)) if name else "the pipeline"

    metric_col, area_col = col(mapping.metric.column), col(mapping.area.column)
    period_col = col(mapping.period.column)

    def metric_named(row: Row) -> str:
        raw = row["metric_raw"]
        if not raw:
            return f"no metric in column {metric_col}"
        codes = ", ".join(mapping.metric.codes)
        return (
            f"code {quoted(raw)} in column {metric_col} is not one of this pipeline's codes "
            f"({codes})"
        )

    def metric_known(row: Row) -> str:
        close = difflib.get_close_matches(str(row["metric_id"]), metric_ids, n=1, cutoff=0.75)
        hint = f"; did you mean {quoted(close[0])}?" if close else "; see `pmf metrics list`"
        return f"unknown metric id {quoted(row['metric_raw'])} in column {metric_col}{hint}"

    def aligned(frame: pd.DataFrame) -> pd.Series:
        def check(frequency: str, day: date) -> bool:
            start, end = period_bounds(frequency, day)
            return (end if marks_end else start) == day

        return ~_known_period(frame) | _per_pair(frame["_frequency"], frame["_period"], check)

    def misaligned(row: Row) -> str:
        frequency = row["_frequency"]
        if marks_end:
            return (
                f"period {quoted(row['period_raw'])} is not the last day of a {frequency} period "
                f"(mapping.period.marks is 'end')"
            )
        return (
            f"period {quoted(row['period_raw'])} does not start a {frequency} period for "
            f"{quoted(row['metric_id'])}; {FREQUENCIES[frequency].starts}"
        )

    def fits_frequency(frame: pd.DataFrame) -> pd.Series:
        form = _per_category(frame["period_form"], FORM_SPAN)
        frequency = _per_category(
            frame["_frequency"], {name: f.span for name, f in FREQUENCIES.items()}
        )
        # NaN compares false: a period or metric not known is explained by other checks
        return pd.Series(~(form > frequency), index=frame.index)

    def too_coarse(row: Row) -> str:
        return (
            f"period {quoted(row['period_raw'])} is {FORM_WORDS[str(row['period_form'])]} but "
            f"{quoted(row['metric_id'])} is {row['_frequency']}; give one {row['_frequency']} "
            "period per row"
        )

    def latest(frequency: object) -> date:
        return one_period_on(str(frequency) if frequency else "annual", today)

    def not_future(frame: pd.DataFrame) -> pd.Series:
        def check(frequency: str, day: date) -> bool:
            start = period_bounds(frequency, day)[0] if marks_end else day
            return start <= latest(frequency)

        known = _known_period(frame)
        in_time = _per_pair(frame["_frequency"], frame["_period"], check)
        return (frame["period_outside"] != 1) & (~known | in_time)

    def future(row: Row) -> str:
        frequency = str(row["_frequency"] or "annual")
        return (
            f"period {quoted(row['period_raw'])} in column {period_col} is after "
            f"{_day(latest(frequency))}, one {FREQUENCIES[frequency].nouns[0]} from today; "
            "is the year right?"
        )

    figures = [f for f in ("value", "numerator", "denominator") if getattr(mapping, f)]
    value_col = col(mapping.value) if mapping.value else "numerator/denominator"

    def unit_is(frame: pd.DataFrame, *units: str) -> pd.Series:
        return frame["_unit"].isin(units) & frame["value"].notna()

    rules = [
        Rule(READ, lambda f: f["read_problem"] == "", lambda r: str(r["read_problem"])),
        Rule("metric named", lambda f: f["metric_id"].notna(), metric_named),
        Rule(
            "metric known",
            lambda f: f["metric_id"].isna() | f["metric_id"].isin(metric_ids),
            metric_known,
        ),
        Rule(
            "metric fed by this pipeline",
            lambda f: ~f["metric_id"].isin(metric_ids) | f["metric_id"].isin(fed),
            lambda r: (
                f"metric {quoted(r['metric_id'])} is not fed by pipeline {quoted(pipeline.id)}; "
                "add it to the pipeline's 'metrics:' list or correct the row"
            ),
        ),
        Rule(
            "area given",
            lambda f: f["area_code"].notna(),
            lambda r: f"no area in column {area_col}",
        ),
        Rule(
            "area is an ONS code",
            lambda f: f["area_code"].isna() | _matches(f["area_code"], ONS_CODE),
            lambda r: (
                f"area {quoted(r['area_raw'])} in column {area_col} is neither an ONS code "
                "(a letter and eight digits, e.g. E10000028) nor the name of a plan area"
            ),
        ),
        Rule(
            "area in the plan",
            lambda f: (
                f["is_benchmark"]
                | ~_matches(f["area_code"], ONS_CODE)
                | f["area_code"].isin(plan_codes)
            ),
            lambda r: (
                f"area {quoted(r['area_code'])} is not one of the plan's areas "
                f"({', '.join(sorted(plan_codes))}); mark comparison rows as benchmark "
                "(mapping.benchmark) or correct the code"
            ),
        ),
        Rule(
            "area fits the metric",
            lambda f: (
                f["is_benchmark"]
                | (f["_area_level"] != "county")
                | ~f["area_code"].isin(plan_codes)
                | (f["area_code"] == county)
            ),
            lambda r: (
                f"{quoted(r['metric_id'])} is reported for the county only "
                f"(area_level: county), not for {quoted(r['area_code'])}"
            ),
        ),
        Rule(
            "period readable",
            lambda f: f["period_date"].notna() | (f["period_outside"] != 0),
            lambda r: (
                f"period {quoted(r['period_raw'])} in column {period_col} is not {form} "
                f"(e.g. {fmt.example})"
                if r["period_raw"]
                else f"no period in column {period_col}"
            ),
        ),
        Rule("period aligned with the metric's frequency", aligned, misaligned),
        Rule("period no coarser than the metric's frequency", fits_frequency, too_coarse),
        Rule(
            "period not before the earliest",
            lambda f: (f["period_outside"] != -1) & ~(f["period_date"] < pd.Timestamp(earliest)),
            lambda r: (
                f"period {quoted(r['period_raw'])} in column {period_col} is before "
                f"{_day(earliest)} (setting earliest_period); is the year right?"
            ),
        ),
        Rule("period not in the future", not_future, future),
        Rule(
            "figures are numbers",
            lambda f: ~(f["value_bad"] | f["numerator_bad"] | f["denominator_bad"]),
            lambda r: "; ".join(
                f"{name} {quoted(shorten(raw_text(r[f'{name}_raw'])))} in column "
                f"{col(getattr(mapping, name))} {number_problem(raw_text(r[f'{name}_raw']))}"
                for name in figures
                if r[f"{name}_bad"]
            ),
        ),
        Rule(
            "value is finite",
            lambda f: ~np.isinf(f["value"]),
            lambda r: (
                f"value worked out from numerator {_shown(r, 'numerator')} and denominator "
                f"{_shown(r, 'denominator')} is not a finite number"
            ),
        ),
        Rule(
            "figures within what a council reports",
            lambda f: _below(f["value"]) & _below(f["numerator"]) & _below(f["denominator"]),
            lambda r: "; ".join(
                f"{name} {_shown(r, name)} in column {col(getattr(mapping, name))} is "
                f"{_num(MAX_FIGURE)} or more, larger than any figure a council reports; "
                "is a cell corrupt or a unit wrong?"
                for name in ("value", "numerator", "denominator")
                if pd.notna(r[name]) and abs(float(r[name])) >= MAX_FIGURE
            ),
        ),
        Rule(
            "percentage written one way",
            lambda f: ~f["value_ambiguous"],
            lambda r: (
                f"value {_shown(r, 'value')} in column {value_col} has no % sign while other "
                f"cells for {quoted(r['metric_id'])} have one: is it {_num(r['value'])}% or "
                f"{_num(r['value'] * 100)}%? Write it with a % sign"
            ),
        ),
        Rule(
            "value present",
            lambda f: f["value"].notna() | f["value_bad"] | f["numerator_bad"],
            lambda r: (
                f"no value in column {value_col}"
                + (
                    ""
                    if not mapping.numerator
                    else "; a value can be worked out from numerator and denominator only for "
                    "percentages, rates and ratios"
                )
            ),
        ),
        Rule(
            "percentage within 0 to 100",
            lambda f: ~unit_is(f, "percent") | f["value"].between(0, 100),
            lambda r: (
                f"value {_shown(r, 'value')} is outside 0 to 100, "
                f"and {quoted(r['metric_id'])} is a percentage"
            ),
        ),
        Rule(
            "count is a whole number",
            lambda f: _whole(f["value"], unit_is(f, "count")),
            lambda r: (
                f"value {_shown(r, 'value')} is not a whole number, "
                f"and {quoted(r['metric_id'])} is a count"
            ),
        ),
        Rule(
            "not negative",
            lambda f: ~unit_is(f, *NON_NEGATIVE) | (f["value"] >= 0),
            lambda r: (
                f"value {_shown(r, 'value')} is negative, "
                f"and {quoted(r['metric_id'])} is a {r['_unit']}"
            ),
        ),
        Rule(
            "numerator within denominator",
            lambda f: (
                f["numerator"].isna()
                | f["denominator"].isna()
                | ((f["numerator"] <= f["denominator"]) & (f["numerator"] >= 0))
            ),
            lambda r: (
                f"numerator {_shown(r, 'numerator')} is "
                + (
                    "negative"
                    if r["numerator"] < 0
                    else f"more than denominator {_shown(r, 'denominator')}"
                )
            ),
        ),
        Rule(
            "denominator above zero",
            lambda f: f["denominator"].isna() | (f["denominator"] > 0),
            lambda r: f"denominator {_shown(r, 'denominator')} must be more than zero",
        ),
        Rule(UNIQUE, _unique_key, lambda r: str(r["_repeats"])),
    ]
    return rules


def _below(figures: pd.Series) -> pd.Series:
    """Per row, whether a figure is under MAX_FIGURE (a blank passes)."""
    values = pd.to_numeric(figures, errors="coerce").to_numpy(dtype="float64")
    return pd.Series(~(np.abs(values) >= MAX_FIGURE), index=figures.index)


def _whole(values: pd.Series, judged: pd.Series) -> pd.Series:
    """Per row, whether a judged value is a whole number (rows not judged pass)."""
    passes = np.ones(len(values), dtype=bool)
    chosen = judged.to_numpy(dtype=bool)
    figures = values.to_numpy(dtype="float64")[chosen]
    passes[chosen] = np.isclose(figures, np.round(figures))
    return pd.Series(passes, index=values.index)


def _known_period(frame: pd.DataFrame) -> pd.Series:
    return frame["period_date"].notna() & frame["_frequency"].notna()


def _per_category(series: pd.Series, table: Mapping[str, int]) -> np.ndarray:
    """A number per row looked up once per category (NaN where missing or not in the table)."""
    found, values = codes(series)
    per = np.array([table.get(str(v), np.nan) for v in values] + [np.nan], dtype="float64")
    return per[found]


def _matches(series: pd.Series, pattern: str) -> pd.Series:
    found, values = codes(series)
    ok = np.append(pd.Series(values, dtype=object).astype(str).str.match(pattern).to_numpy(), False)
    return pd.Series(ok[found], index=series.index)


def _per_pair(first: pd.Series, second: pd.Series, check: Callable[[str, date], bool]) -> pd.Series:
    # A million rows hold a few hundred distinct (frequency, date) pairs: check each pair once
    found, pairs = pair_codes(first, second)
    results = np.array(
        [p is not None and check(str(p[0]), pd.Timestamp(p[1]).date()) for p in pairs],
        dtype=bool,
    )
    return pd.Series(results[found], index=first.index)


def _unique_key(frame: pd.DataFrame) -> pd.Series:
    complete = (
        frame["metric_id"].notna() & frame["area_code"].notna() & frame["period_date"].notna()
    )
    return ~(pd.Series(repeated(key_codes(frame, KEY)), index=frame.index) & complete)
