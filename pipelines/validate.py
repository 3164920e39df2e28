"""Validate observation candidates with pandera, and quarantine what fails, in words.

One schema per pipeline: the observation shape plus the checks in `pipelines.checks`. Rows
that pass are shaped for the observations table; rows that fail keep their raw record and
every failed check as a sentence naming the file and row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from metrics.engine.periods import period_bounds
from metrics.registry.loader import Registry
from pipelines.checks import KEY, READ, UNIQUE, Rule, build_rules, quoted, raw_text
from pipelines.codes import key_codes, pair_codes
from pipelines.config import Pipeline
from pipelines.sources.base import Batch
from pipelines.tabular import HIDDEN, RAW_LINE, shorten
from pipelines.transform import Candidates, one_value, recode

REJECTED = ["source_ref", "row_number", "raw_record", "reasons"]
# A raw record keeps every cell, but a cell of 200,000 digits is cut down to be shown
RAW_CELL_LIMIT = 120


@dataclass(frozen=True)
class Checked:
    """The outcome of validating one batch: rows to load and rows to quarantine."""

    good: pd.DataFrame
    rejected: pd.DataFrame


def pandera_checks(rules: list[Rule]) -> list[pa.Check]:
    """One wide pandera check per rule."""
    # ignore_na=False: pandera would otherwise scan every column for nulls after every check
    # (seconds on a million rows), only to pass rows that are empty throughout
    # n_failure_cases: pandera formats every failure case into one message string otherwise;
    # the rows that failed are read from each check's full output instead
    return [
        pa.Check(r.passes, name=r.name, error=r.name, ignore_na=False, n_failure_cases=5)
        for r in rules
    ]


def observation_schema(rules: list[Rule]) -> pa.DataFrameSchema:
    """The observation shape, plus one wide check per rule."""
    return pa.DataFrameSchema(
        columns={
            "metric_id": pa.Column("category", nullable=True),
            "area_code": pa.Column("category", nullable=True),
            "period_date": pa.Column("datetime64[ns]", nullable=True),
            "value": pa.Column(float, nullable=True),
            "numerator": pa.Column(float, nullable=True),
            "denominator": pa.Column(float, nullable=True),
            "is_benchmark": pa.Column(bool),
        },
        checks=pandera_checks(rules),
        name="observation candidates",
    )


def failed_checks(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> dict[int, list[str]]:
    """Run a schema lazily; return the names of the checks each failing row broke."""
    failures: dict[int, list[str]] = {}
    try:
        # inplace: the schema coerces nothing, so the copy pandera would make (a second per
        # million rows) is never needed
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        structural = []
        for error in errors.schema_errors:
            output = getattr(error, "check_output", None)
            check = getattr(error, "check", None)
            if output is None or not isinstance(check, pa.Check):
                structural.append(str(error).splitlines()[0])
                continue
            # Each check's full pass/fail column, not its (capped) list of failure cases
            for index in output.index[~output.to_numpy(dtype=bool)]:
                failures.setdefault(int(index), []).append(str(check.name))
        if structural:
            detail = "; ".join(structural)
            raise RuntimeError(f"rows have the wrong shape for {schema.name} ({detail})") from None
    return failures


def split_rows(
    frame: pd.DataFrame,
    batch: Batch,
    rules: list[Rule],
    columns: dict[str, pa.Column],
    name: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A kind's typed rows checked by its rules: the rows that pass, and the rejected ones as
    stored (for kinds other than observations: milestone trackers, savings returns)."""
    schema = pa.DataFrameSchema(columns=columns, checks=pandera_checks(rules), name=name)
    failures = failed_checks(frame, schema)
    if not failures:
        return frame, pd.DataFrame(columns=REJECTED)
    return frame.drop(index=list(failures)), quarantine(frame, batch, failures, rules)


class _Columns:
    """The rejected rows' columns as lists, each converted only when a reason reads it."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._lists: dict[str, list[Any]] = {}

    def get(self, key: str) -> list[Any]:
        """One column as a list, converted on first use."""
        if key not in self._lists:
            series = self._frame[key]
            if isinstance(series.dtype, pd.CategoricalDtype):
                values = np.array([*series.cat.categories, None], dtype=object)
                self._lists[key] = list(values[series.cat.codes.to_numpy()])
            else:
                self._lists[key] = series.tolist()
        return self._lists[key]


class _RowView(Mapping[str, Any]):
    """One rejected row, read like a dict without building one."""

    def __init__(self, columns: _Columns, position: int) -> None:
        self._columns, self._position = columns, position

    def __getitem__(self, key: str) -> Any:
        return self._columns.get(key)[self._position]

    def __iter__(self) -> Iterator[str]:
        return iter(str(c) for c in self._columns._frame.columns)

    def __len__(self) -> int:
        return len(self._columns._frame.columns)


def _texts(series: pd.Series) -> list[str]:
    """A column as the text each cell was written as, converting each distinct value once."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        per_category = np.array([raw_text(c) for c in series.cat.categories] + [""], dtype=object)
        return list(per_category[series.cat.codes.to_numpy()])
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64")
        return list(np.where(np.isnan(values), "", np.char.mod("%.15g", values)))
    return [raw_text(v) for v in series.tolist()]


def quarantine(
    frame: pd.DataFrame, batch: Batch, failures: dict[int, list[str]], rules: list[Rule]
) -> pd.DataFrame:
    """Rejected rows as stored: where from, the raw record, and every failed check in words."""
    bad_index = pd.Index(sorted(failures))
    order = {rule.name: i for i, rule in enumerate(rules)}
    explain = {rule.name: rule.explain for rule in rules}
    columns = _Columns(frame.loc[bad_index])
    raws = batch.frame.loc[bad_index]
    raw_columns = {str(c): _texts(raws[c]) for c in raws.columns if c not in HIDDEN}
    lines = _texts(raws[RAW_LINE]) if RAW_LINE in raws else [""] * len(bad_index)
    records = []
    for position, index in enumerate(bad_index):
        row = _RowView(columns, position)
        checks = sorted(failures[index], key=lambda c: order.get(c, len(order)))
        if READ in checks:
            checks = [READ]  # its cells are not where its headings say: the rest would mislead
        number = int(row["row_number"])
        where = batch.where(number)
        raw: dict[str, str] = (
            {"line": shorten(lines[position], 2000)}
            if lines[position]
            else {
                name: shorten(cells[position], RAW_CELL_LIMIT)
                for name, cells in raw_columns.items()
            }
        )
        records.append(
            (
                batch.ref,
                number,
                json.dumps(raw, ensure_ascii=False),
                "\n".join(f"{where}: {explain[c](row)}" for c in checks),
            )
        )
    return pd.DataFrame(records, columns=REJECTED)


def validate_batch(
    candidates: Candidates,
    batch: Batch,
    pipeline: Pipeline,
    registry: Registry,
    today: date | None = None,
) -> Checked:
    """Split a batch into rows to load and rows to quarantine, with every reason in words."""
    frame = _with_metric_facts(candidates.frame, registry)
    rules = build_rules(pipeline, registry, candidates.columns, today)
    # The checks read typed columns only; the raw text is for explaining failures
    checked = frame[[c for c in frame.columns if not c.endswith("_raw")]]
    failures = failed_checks(checked, observation_schema(rules))
    if not failures:
        return Checked(_loadable(frame, batch, pipeline), pd.DataFrame(columns=REJECTED))
    bad_index = pd.Index(sorted(failures))
    context = frame.loc[bad_index].copy()
    repeated = [i for i in bad_index if UNIQUE in failures[i]]
    context["_repeats"] = pd.Series(_repeat_rows(context.loc[repeated]), dtype=object)
    rejected = quarantine(context, batch, failures, rules)
    good = frame.drop(index=bad_index)
    return Checked(_loadable(good, batch, pipeline), rejected)


def _repeat_rows(frame: pd.DataFrame) -> dict[int, str]:
    key = pd.Series(key_codes(frame, KEY), index=frame.index)
    messages = {}
    for _, group in frame.groupby(key):
        numbers = ", ".join(str(n) for n in group["row_number"])
        first = group.iloc[0]
        for index in group.index:
            messages[int(index)] = (
                f"{quoted(first['metric_id'])} for {quoted(first['area_code'])} and period "
                f"{quoted(first['period_raw'])} appears more than once (rows {numbers}); "
                "keep one row per metric, area and period"
            )
    return messages


def _with_metric_facts(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    out = frame.copy(deep=False)
    metric_ids = out["metric_id"]
    for column, fact in (
        ("_unit", "unit"),
        ("_frequency", "frequency"),
        ("_area_level", "area_level"),
    ):
        values = {m.id: str(getattr(m, fact)) for m in registry.metrics}
        out[column] = recode(metric_ids, values.get)
    # The few distinct periods, hashed once here rather than by every check that pairs them
    out["_period"] = pd.Categorical(out["period_date"])
    return out


def _loadable(frame: pd.DataFrame, batch: Batch, pipeline: Pipeline) -> pd.DataFrame:
    """The columns the observations table takes, with each period's start and end."""
    assert pipeline.mapping is not None
    marks_end = pipeline.mapping.period.marks == "end"
    starts, ends = _bounds(frame["_frequency"], frame["_period"], marks_end)
    return pd.DataFrame(
        {
            "metric_id": frame["metric_id"],
            "area_code": frame["area_code"],
            "period_start": starts,
            "period_end": ends,
            "value": frame["value"],
            "numerator": frame["numerator"],
            "denominator": frame["denominator"],
            "is_benchmark": frame["is_benchmark"],
            "source_ref": one_value(batch.ref, frame.index),
        }
    )


def _bounds(frequency: pd.Series, day: pd.Series, marks_end: bool) -> tuple[pd.Series, pd.Series]:
    found, pairs = pair_codes(frequency, day)
    start_lookup: list[Any] = []
    end_lookup: list[Any] = []
    for pair in pairs:
        if pair is None:  # never so for rows to load: their frequency and period are known
            start_lookup.append(pd.NaT)
            end_lookup.append(pd.NaT)
            continue
        given = pd.Timestamp(pair[1]).date()
        start, end = period_bounds(str(pair[0]), given)
        start_lookup.append(pd.Timestamp(given if not marks_end else start))
        end_lookup.append(pd.Timestamp(end))
    starts = pd.Series(np.array(start_lookup, dtype="datetime64[ns]")[found], index=day.index)
    ends = pd.Series(np.array(end_lookup, dtype="datetime64[ns]")[found], index=day.index)
    return starts, ends
