"""Map a batch of source rows onto observation candidates (pure DataFrame in, DataFrame out).

Nothing is judged here: an unknown code becomes a missing metric id, an unreadable period a
missing date. `pipelines.validate` decides what is wrong and says so in words.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_float_dtype

from metrics.registry.loader import Registry
from pipelines.codes import codes
from pipelines.config import Filter, Mapping, Pipeline
from pipelines.period_formats import read_periods
from pipelines.sources.base import Batch
from pipelines.tabular import HIDDEN, READ_PROBLEM, percent_signs, shorten, to_numbers

FIGURES = ("value", "numerator", "denominator")
# What a value is, per unit, when only a numerator and a denominator were sent
SCALE = {"percent": 100.0, "rate per 10k": 10_000.0, "rate per 100k": 100_000.0, "ratio": 1.0}


class MappingError(Exception):
    """The source does not have the shape the mapping expects (a column is missing)."""


@dataclass(frozen=True)
class Candidates:
    """Rows that survived the pipeline's filters, in canonical and raw form."""

    frame: pd.DataFrame
    filtered: int
    columns: dict[str, str]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def resolve_columns(frame: pd.DataFrame, mapping: Mapping, ref: str) -> dict[str, str]:
    """Each mapped column name -> the source's own heading (matched ignoring case and spaces)."""
    by_key = {_key(str(c)): str(c) for c in frame.columns}
    resolved, missing = {}, []
    for name in mapping.columns():
        actual = name if name in frame.columns else by_key.get(_key(name))
        if actual is None:
            missing.append(name)
        else:
            resolved[name] = actual
    if not missing:
        return resolved
    wanted = ", ".join(f"'{m}'" for m in missing)
    headings = [str(c) for c in frame.columns if c not in HIDDEN]
    if not resolved:
        # Nothing matches: likely not a return at all, so its first line is not repeated back
        raise MappingError(
            f"{ref} has no column {wanted}: none of the {len(headings)} headings on its heading "
            "row (line 1, or the pipeline's header_row) is a column the mapping names. "
            "Is it the right file?"
        )
    shown = ", ".join(f"'{shorten(c)}'" for c in headings[:30]) or "none"
    more = f" and {len(headings) - 30} more" if len(headings) > 30 else ""
    raise MappingError(
        f"{ref} has no column {wanted}; its columns are {shown}{more}. "
        "Fix the heading in the file or the column name in the pipeline's mapping."
    )


def match_headings(
    batch: Batch,
    pipeline: Pipeline,
    names: dict[str, tuple[str, ...]],
    required: Collection[str],
    normal: Callable[[str], str],
) -> dict[str, str]:
    """Each field -> the file's heading for it, for kinds that map columns by field (trackers,
    savings returns).

    `names[field]` are the headings a field goes by, its usual heading first; a heading
    configured under `columns:` takes the usual one's place. Each is matched as written, then
    by `normal`. A MappingError names every required or configured field with no heading.
    """
    by_normal = {normal(str(c)): str(c) for c in batch.frame.columns if c not in HIDDEN}
    found: dict[str, str] = {}
    missing = []
    for field, usual in names.items():
        wanted = pipeline.columns.get(field, usual[0])
        heading = (
            wanted
            if wanted in batch.frame.columns
            else next(
                (by_normal[normal(n)] for n in (wanted, *usual[1:]) if normal(n) in by_normal),
                None,
            )
        )
        if heading is not None:
            found[field] = heading
        elif field in required or field in pipeline.columns:
            missing.append(f"'{wanted}' ({field})")
    if missing:
        shown = ", ".join(f"'{c}'" for c in batch.frame.columns if c not in HIDDEN)
        raise MappingError(
            f"{batch.ref} has no column {', '.join(missing)}; its columns are {shown}. "
            "Rename the heading, or map it under 'columns:' in the pipeline."
        )
    return found


def _text(text: object) -> str:
    return " ".join(str(text).split())


def categories(series: pd.Series) -> pd.Series:
    """A text column as a categorical of its whitespace-tidied values (blank cells are '').

    A million cells hold a few hundred distinct codes: everything after this works per
    category, and DuckDB and pandera read the integer codes rather than a million strings.
    """
    found, uniques = codes(series)
    return _from_codes(found, [_text(u) for u in uniques], series.index, blank="")


def recode(series: pd.Series, convert: Callable[[str], str | None]) -> pd.Series:
    """Map each category of a categorical through `convert` (None becomes missing)."""
    cat = series.cat
    converted = [convert(str(c)) for c in cat.categories]
    return _from_codes(cat.codes.to_numpy(), converted, series.index)


def _from_codes(
    found: np.ndarray, values: list[str | None], index: pd.Index, blank: str | None = None
) -> pd.Series:
    # Different raw values can tidy or map to the same text: merge them into one category
    merged_codes, merged = pd.factorize(pd.Series([*values, blank], dtype=object))
    # The smallest integers pandas keeps codes in, so the codes are not copied again
    width = next(
        t for t in (np.int8, np.int16, np.int32, np.int64) if len(merged) < np.iinfo(t).max
    )
    # A missing code (-1) picks the last entry: the blank's
    final = merged_codes.astype(width)[found]
    categorical = pd.Categorical.from_codes(
        final, categories=pd.Index(merged, dtype=object), validate=False
    )
    return pd.Series(categorical, index=index)


def matches(series: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """A boolean per row, testing each category once (missing values never match)."""
    cat = series.cat
    results = np.array([test(str(c)) for c in cat.categories] + [False], dtype=bool)
    return pd.Series(results[cat.codes.to_numpy()], index=series.index)


def _filter_mask(
    frame: pd.DataFrame, filters: tuple[Filter, ...], cols: dict[str, str]
) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for rule in filters:
        text = categories(frame[cols[rule.column]])
        if rule.equals is not None:
            wanted = {_text(rule.equals).casefold()}
        else:
            wanted = {_text(v).casefold() for v in (rule.in_ or rule.not_in or ())}
        found = matches(text, lambda value, w=wanted: value.casefold() in w)  # type: ignore[misc]
        keep &= ~found if rule.not_in is not None else found
    return keep


def to_candidates(batch: Batch, mapping: Mapping, registry: Registry) -> Candidates:
    """Apply the mapping to one batch: filter, name metrics and areas, read periods and figures."""
    cols = resolve_columns(batch.frame, mapping, batch.ref)
    source = batch.frame
    keep = _filter_mask(source, mapping.filters, cols)
    if mapping.metric.column:
        metric_raw = categories(source[cols[mapping.metric.column]])
    else:
        metric_raw = pd.Series(mapping.metric.id, index=source.index, dtype="category")
    if mapping.metric.codes:
        by_code = {_text(k).casefold(): v for k, v in mapping.metric.codes.items()}
        metric_id = recode(metric_raw, lambda raw: by_code.get(raw.casefold()))
        if mapping.metric.unmapped == "skip":
            keep &= metric_id.notna() | (metric_raw == "")
    else:
        metric_id = recode(metric_raw, lambda raw: raw.casefold() or None)
    out = pd.DataFrame(index=source.index)
    out["row_number"] = batch.row_numbers
    out["metric_raw"] = metric_raw
    out["metric_id"] = metric_id
    _add_area(out, source, mapping, registry, cols)
    period_raw = categories(source[cols[mapping.period.column]])
    out["period_raw"] = period_raw
    periods = read_periods(period_raw, mapping.period.format, mapping.period.quarters)
    out["period_date"] = periods.dates
    out["period_form"] = periods.forms
    out["period_outside"] = periods.outside
    for figure in FIGURES:
        column = getattr(mapping, figure)
        if column is None:
            out[f"{figure}_raw"] = ""
            out[figure] = np.nan
            out[f"{figure}_bad"] = False
            continue
        raw = source[cols[column]]
        values, bad = to_numbers(raw)
        out[f"{figure}_raw"] = raw
        out[figure] = values
        out[f"{figure}_bad"] = bad
    written = out["value"].notna()
    _derive_values(out, registry)
    out["value_ambiguous"] = _bare_fractions(out, source, mapping, registry, cols) & written
    out["read_problem"] = (
        source[READ_PROBLEM] if READ_PROBLEM in source else one_value("", source.index)
    )
    if mapping.skip_blank_values:
        blank = out["value"].isna() & ~out["value_bad"] & ~out["numerator_bad"]
        keep &= ~blank
    filtered = int((~keep).sum())
    return Candidates(out[keep] if filtered else out, filtered, cols)


def one_value(text: str, index: pd.Index) -> pd.Series:
    """A column holding the same text on every row, as one category.

    Compared a million times at numpy speed, and read by DuckDB as codes rather than as a
    million copies of the text.
    """
    zeros = np.zeros(len(index), dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(zeros, categories=pd.Index([text])), index=index)


def _add_area(
    out: pd.DataFrame,
    source: pd.DataFrame,
    mapping: Mapping,
    registry: Registry,
    cols: dict[str, str],
) -> None:
    area = mapping.area
    if area.column is None:
        out["area_raw"] = pd.Series(area.code, index=source.index, dtype="category")
        out["area_code"] = out["area_raw"]
    else:
        raw = categories(source[cols[area.column]])
        # Plan area names work as well as codes: "Tamworth" means E07000199
        lookup = {a.name.casefold(): a.code for a in registry.plan.areas}
        lookup.update({_text(k).casefold(): v for k, v in area.codes.items()})
        out["area_raw"] = raw
        out["area_code"] = recode(
            raw, lambda text: lookup.get(text.casefold(), text.upper()) or None
        )
    plan_codes = set(registry.areas_by_code)
    rule = mapping.benchmark
    benchmark = pd.Series(False, index=source.index)
    if rule is not None and rule.outside_plan:
        benchmark |= matches(out["area_code"], lambda code: code not in plan_codes)
    if rule is not None and rule.column is not None:
        marks = {v.casefold() for v in rule.values}
        flags = categories(source[cols[rule.column]])
        benchmark |= matches(flags, lambda text: text.casefold() in marks)
    out["is_benchmark"] = benchmark.astype(bool)


def _bare_fractions(
    out: pd.DataFrame,
    source: pd.DataFrame,
    mapping: Mapping,
    registry: Registry,
    cols: dict[str, str],
) -> pd.Series:
    """Percentage cells written without a % sign, from 0 to 1, where others carry one.

    0.89 beside 88% could be 0.89% or a fraction meaning 89%: the sender must say which.
    """
    none = pd.Series(False, index=out.index)
    if mapping.value is None or is_float_dtype(source[cols[mapping.value]]):
        return none  # a column of plain numbers has no % signs to be mixed with
    percent = {m.id for m in registry.metrics if m.unit == "percent"}
    in_percent = out["metric_id"].isin(percent)
    signed = percent_signs(source[cols[mapping.value]]) & in_percent
    if not signed.any():
        return none
    mixed = out["metric_id"].isin(set(out.loc[signed, "metric_id"].astype(object)))
    value = out["value"]
    return mixed & ~signed & (value > 0) & (value <= 1) & ~out["value_bad"]


def _derive_values(out: pd.DataFrame, registry: Registry) -> None:
    missing = out["value"].isna() & ~out["value_bad"]
    if not missing.any():
        return
    scales = {m.id: SCALE.get(m.unit, np.nan) for m in registry.metrics}
    scale = out.loc[missing, "metric_id"].astype(object).map(scales).astype("float64")
    num, den = out.loc[missing, "numerator"], out.loc[missing, "denominator"]
    derived = (num / den.where(den != 0)) * scale
    out.loc[missing, "value"] = derived
