"""Comparison with similar councils, checked against the real Oflog file computed independently."""

from __future__ import annotations

import csv
import json
import statistics
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.engine.benchmark import compare, ordinal
from metrics.registry.comparators import ComparatorGroup, Member
from metrics.registry.loader import Registry

OWN = "E10000028"
SERIES = {
    "asc-info-ease-users": "ASC3",
    "asc-workforce-turnover": "ASC7",
    "asc-carer-quality-of-life": "ASC1",
}


def _raw(real_data: Path) -> list[dict[str, str]]:
    with open(
        real_data / "oflog_adult_social_care.csv", encoding="utf-8-sig", newline=""
    ) as handle:
        return list(csv.DictReader(handle))


def _neighbours(real_data: Path) -> list[str]:
    return json.loads((real_data / "oflog_nearest_neighbours.json").read_text())[OWN]


def _observations(rows: list[dict[str, str]]) -> pd.DataFrame:
    by_code = {code: metric for metric, code in SERIES.items()}
    records = [
        {
            "metric_id": by_code[r["Code"]],
            "area_code": r["Local authority code"],
            "period_start": pd.Timestamp(date(int(r["Financial year"][:4]), 4, 1)),
            "value": float(r["Value"]),
            "is_benchmark": r["Local authority code"] != OWN,
        }
        for r in rows
        if r["Code"] in by_code and r["Value"] not in ("", "NA")
    ]
    return pd.DataFrame(records)


@pytest.mark.parametrize(
    ("metric_id", "year", "best_is_high"),
    [
        ("asc-info-ease-users", "2022-23", True),
        ("asc-info-ease-users", "2018-19", True),
        ("asc-workforce-turnover", "2022-23", False),
        ("asc-workforce-turnover", "2021-22", False),
    ],
)
def test_rank_and_median_match_an_independent_calculation(
    registry: Registry, real_data: Path, metric_id: str, year: str, best_is_high: bool
) -> None:
    rows = _raw(real_data)
    group_codes = _neighbours(real_data)
    group = ComparatorGroup(
        id="nn", name="Similar councils", members=tuple(Member(code=c, name=c) for c in group_codes)
    )
    comparison = compare(_observations(rows), registry.metric(metric_id), group, OWN)
    assert comparison is not None

    # Independent: straight from the CSV with the standard library
    values = {
        r["Local authority code"]: float(r["Value"])
        for r in rows
        if r["Code"] == SERIES[metric_id]
        and r["Financial year"] == year
        and r["Local authority code"] in group_codes
        and r["Value"] not in ("", "NA")
    }
    own = values[OWN]
    better = [v for v in values.values() if (v > own if best_is_high else v < own)]
    expected_rank = len(better) + 1
    row = comparison.by_period[
        comparison.by_period["period_start"] == pd.Timestamp(date(int(year[:4]), 4, 1))
    ].iloc[0]
    assert int(row["rank"]) == expected_rank
    assert row["n"] == len(values)
    assert row["median"] == pytest.approx(statistics.median(values.values()))
    assert row["own_value"] == pytest.approx(own)


def test_sentence_names_rank_group_size_and_quartile(registry: Registry, real_data: Path) -> None:
    rows = _raw(real_data)
    group = ComparatorGroup(
        id="nearest-neighbours",
        name="Similar councils",
        members=tuple(Member(code=c, name=c) for c in _neighbours(real_data)),
    )
    comparison = compare(_observations(rows), registry.metric("asc-info-ease-users"), group, OWN)
    assert comparison is not None
    sentence = comparison.sentence("Staffordshire")
    assert sentence is not None and sentence.startswith("Staffordshire ranked ")
    assert "of 16 similar councils in 2022-23 (" in sentence and "quartile)" in sentence


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


def test_neighbours_file_matches_the_shipped_group(registry: Registry, real_data: Path) -> None:
    from ruamel.yaml import YAML

    shipped = YAML(typ="safe").load((registry.config_dir / "comparators.yaml").read_text())
    group = next(g for g in shipped["groups"] if g["id"] == "nearest-neighbours")
    assert sorted(m["code"] for m in group["members"]) == sorted(_neighbours(real_data))


def test_neighbours_file_and_unknown_group_are_checked(config_copy: Path, real_data: Path) -> None:
    from metrics.registry.loader import load_registry, validate_config

    (config_copy / "comparators.yaml").write_text(
        "groups:\n"
        "  - id: nearest-neighbours\n"
        "    name: From the Oflog file\n"
        f"    neighbours_file: {real_data / 'oflog_nearest_neighbours.json'}\n",
        encoding="utf-8",
    )
    group = load_registry(config_copy).comparator_groups["nearest-neighbours"]
    assert sorted(m.code for m in group.members) == sorted(_neighbours(real_data))

    health = config_copy / "metrics" / "health.yaml"
    health.write_text(
        health.read_text().replace("group: nearest-neighbours}", "group: neighbors}", 1)
    )
    problems = validate_config(config_copy)
    assert len(problems) == 1
    assert problems[0].field == "asc-carer-quality-of-life.benchmark"
    assert "unknown comparator group 'neighbors'" in problems[0].message


def test_quartiles_and_members_match_numpy_and_the_group_for_every_period(
    registry: Registry,
) -> None:
    """A national comparison (hundreds of councils, uneven periods, ties, a period with one
    council) gives exactly np.percentile's quartiles and the members `includes` admits."""
    import numpy as np

    from metrics.engine.benchmark import ENGLAND

    rng = np.random.default_rng(18)
    codes = [OWN, "E92000001", *(f"E0{6 + k % 5}{k:06d}" for k in range(300)), "W06000001"]
    records = []
    for period in range(12):
        councils = codes if period else codes[:2]  # the first period: the council and England
        for code in councils[: len(councils) - period * 7]:
            if rng.random() < 0.9:
                value = float(rng.integers(0, 40)) / 4  # plenty of ties
                records.append(
                    (
                        "asc-info-ease-users",
                        code,
                        pd.Timestamp(2020, period + 1, 1),
                        value,
                        code != OWN,
                    )
                )
    frame = pd.DataFrame(
        records, columns=["metric_id", "area_code", "period_start", "value", "is_benchmark"]
    )
    metric = registry.metric("asc-info-ease-users")
    comparison = compare(frame, metric, ENGLAND, OWN)
    assert comparison is not None
    admitted = frame[[ENGLAND.includes(c, OWN) for c in frame["area_code"]]]
    assert set(comparison.values["area_code"]) == set(admitted["area_code"])
    assert "E92000001" not in set(comparison.values["area_code"])
    for _, row in comparison.by_period.iterrows():
        period = admitted[admitted["period_start"] == row["period_start"]]["value"]
        assert row["n"] == len(period)
        assert row["q1"] == float(np.percentile(period, 25))
        assert row["q3"] == float(np.percentile(period, 75))
        assert row["median"] == float(np.median(period))


def _grouped_reference(values: pd.DataFrame, ascending: bool, own: str) -> pd.DataFrame:
    """The comparison table as pandas groups work it out, one grouping per statistic."""
    import numpy as np

    ranked = values.assign(
        rank=values.groupby("period_start")["value"].rank(method="min", ascending=ascending)
    )
    stats = ranked.groupby("period_start")["value"].agg(n="count", median="median")
    stats["q1"] = ranked.groupby("period_start")["value"].agg(lambda v: np.percentile(v, 25))
    stats["q3"] = ranked.groupby("period_start")["value"].agg(lambda v: np.percentile(v, 75))
    mine = ranked[ranked["area_code"] == own].set_index("period_start")
    return stats.join(
        mine[["value", "rank"]].rename(columns={"value": "own_value"}), how="left"
    ).reset_index()


@pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better", "neutral"])
def test_every_period_ranked_at_once_matches_pandas_grouped_rank_and_median(
    registry: Registry, polarity: str
) -> None:
    """Ranks (ties share the lowest), medians of odd and even counts, quartiles and the
    council's own figures are exactly what pandas' grouped rank and median give, period by
    period, whichever way is better; the council's own row wins over a benchmark copy."""
    import numpy as np

    from metrics.engine.benchmark import ENGLAND, metric_values

    rng = np.random.default_rng(24)
    codes = [OWN, *(f"E0{6 + k % 5}{k:06d}" for k in range(60))]
    records = []
    for period in range(9):
        for code in codes[: len(codes) - period]:  # odd and even counts
            if code == OWN and period == 4:
                continue  # a period without the council's own figure
            value = round(float(rng.normal(50, 2)), 1) if period % 2 else float(rng.integers(8))
            records.append((code, pd.Timestamp(2021, period + 1, 1), value, code != OWN))
    records.append((OWN, pd.Timestamp(2021, 1, 1), -1.0, True))  # a copy the own row beats
    frame = pd.DataFrame(records, columns=["area_code", "period_start", "value", "is_benchmark"])
    frame.insert(0, "metric_id", "asc-info-ease-users")
    metric = registry.metric("asc-info-ease-users").model_copy(update={"polarity": polarity})

    comparison = compare(frame, metric, ENGLAND, OWN)

    assert comparison is not None
    ascending = polarity == "lower_is_better"
    reference = _grouped_reference(metric_values(frame, metric), ascending, OWN)
    columns = ["period_start", "n", "median", "q1", "q3", "own_value", "rank"]
    pd.testing.assert_frame_equal(comparison.by_period[columns], reference[columns])
    expected_ranks = comparison.values.groupby("period_start")["value"].rank(
        method="min", ascending=ascending
    )
    pd.testing.assert_series_equal(comparison.values["rank"], expected_ranks, check_names=False)
    assert comparison.by_period["own_value"].iloc[0] != -1.0
    assert comparison.by_period["own_value"].isna().sum() == 1


def test_one_value_per_council_and_period_the_councils_own_first(registry: Registry) -> None:
    """Rows of other measures and blank figures are left out; where a council and period came
    twice, its own row is kept over a benchmark copy, and otherwise the first loaded."""
    from metrics.engine.benchmark import council_values

    metric = registry.metric("asc-info-ease-users")
    jan, feb = pd.Timestamp(2021, 1, 1), pd.Timestamp(2021, 2, 1)
    frame = pd.DataFrame(
        [
            ("asc-info-ease-users", "E06000001", jan, 5.0, True),
            ("asc-info-ease-users", OWN, jan, -1.0, True),  # a copy loaded before the own row
            ("asc-info-ease-users", "E06000001", jan, 6.0, True),  # loaded twice: first kept
            ("asc-info-ease-users", "E06000002", feb, None, True),  # no figure
            ("other-measure", "E06000003", jan, 9.0, True),
            ("asc-info-ease-users", OWN, jan, 7.0, False),
            ("asc-info-ease-users", OWN, feb, 8.0, False),
            ("asc-info-ease-users", "E06000001", feb, 4.0, True),
        ],
        columns=["metric_id", "area_code", "period_start", "value", "is_benchmark"],
    )
    values = council_values(frame, metric)
    assert values.frame.to_dict("records") == [
        {"period_start": jan, "area_code": OWN, "value": 7.0},
        {"period_start": feb, "area_code": OWN, "value": 8.0},
        {"period_start": jan, "area_code": "E06000001", "value": 5.0},
        {"period_start": feb, "area_code": "E06000001", "value": 4.0},
    ]
    assert list(values.frame.index) == [0, 1, 2, 3]
    assert [str(values.councils[c]) for c in values.council] == [OWN, OWN, "E06000001", "E06000001"]
    # Nothing of the measure with a figure: no rows, the same columns
    empty = council_values(frame[frame["metric_id"] == "other-measure"], metric)
    assert empty.frame.empty and list(empty.frame.columns) == ["period_start", "area_code", "value"]
