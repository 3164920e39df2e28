"""The reader chooses the councils a measure is compared with, where the data has them; the
England median comes from English councils only; arrows show which way a value moved."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from layouts._components.metric_sections import _over_time, comparison_section, comparison_table
from metrics.engine.benchmark import national_sentence
from metrics.engine.comparison_choice import (
    NOT_IN_GROUP,
    comparison_choice,
    latest_positions,
    latest_positions_in,
)
from metrics.registry.comparators import ENGLISH_COUNCILS
from metrics.registry.loader import Registry
from metrics.words import direction_parts
from tests.layouts.conftest import text_of

METRIC = "asc-quality-of-life"
OWN = "E10000028"
YEAR = date(2022, 4, 1)


def _rows(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric_id": METRIC,
            "area_code": list(values),
            "period_start": pd.Timestamp(YEAR),
            "value": list(values.values()),
            "is_benchmark": [code != OWN for code in values],
        }
    )


def _everyone(registry: Registry) -> dict[str, float]:
    neighbours = [m.code for m in registry.comparator_groups["nearest-neighbours"].members]
    values = {code: 19.0 + i / 10 for i, code in enumerate(neighbours)}
    values[OWN] = 19.5
    values.update({f"E1000{n:04d}": 18.0 for n in (1, 2, 3)})  # counties outside the group
    values.update({f"E0600{n:04d}": 20.5 for n in range(1, 11)})  # unitary councils
    values["E92000001"] = 19.9  # England as a whole: a benchmark row, not a council
    values["E12000005"] = 19.1  # a region
    return values


def test_every_group_the_data_has_is_offered_with_the_england_median(
    registry: Registry,
) -> None:
    metric = registry.metric(METRIC)
    choice = comparison_choice(registry, metric, _rows(_everyone(registry)))
    assert [g.id for g in choice.groups] == [
        "nearest-neighbours",
        "english-counties",
        "english-councils",
    ]
    national = choice.chosen("english-councils")
    assert national is not None and int(national.by_period["n"].iloc[0]) == 16 + 3 + 10
    assert "E92000001" not in set(national.values["area_code"])  # England is not a council
    assert choice.england is not None and int(choice.england["n"].iloc[0]) == 29
    assert choice.chosen("no-such-group") is choice.comparisons[0]


def test_a_group_the_data_does_not_cover_is_not_offered(registry: Registry) -> None:
    neighbours = registry.comparator_groups["nearest-neighbours"].members
    only_group = {m.code: 40.0 + i for i, m in enumerate(neighbours)}
    choice = comparison_choice(registry, registry.metric(METRIC), _rows(only_group))
    assert [g.id for g in choice.groups] == ["nearest-neighbours"]
    assert choice.england is None  # the data holds no councils beyond the group
    positions = latest_positions_in(registry, _rows(only_group), "english-councils")
    assert positions == {METRIC: NOT_IN_GROUP}


def test_the_comparison_section_offers_the_groups_and_the_england_median(
    registry: Registry,
) -> None:
    metric = registry.metric(METRIC)
    choice = comparison_choice(registry, metric, _rows(_everyone(registry)))
    section = comparison_section(registry, choice.chosen(None), None, choice)
    words = text_of(section)
    assert "Compare with" in words and "All English councils" in repr(section)
    assert "The group has 16 councils" in words
    # The table over time, built when opened, gives the England median beside the group's
    own = choice.chosen(None)
    assert own is not None
    assert "England median" in text_of(comparison_table(registry, own, choice))
    england = choice.chosen(ENGLISH_COUNCILS.id)
    assert england is not None
    words = text_of(comparison_section(registry, england, None, choice))
    assert "all English councils ranked" in words
    # The group's own median is the England median
    assert "England median" not in text_of(comparison_table(registry, england, choice))
    assert "every councils" not in words


def test_arrows_show_the_way_the_value_moved_and_words_say_if_that_is_better() -> None:
    assert direction_parts("improving", "lower_is_better") == ("↓", "Down, improving")
    assert direction_parts("improving", "higher_is_better") == ("↑", "Up, improving")
    assert direction_parts("worsening", "lower_is_better") == ("↑", "Up, worsening")
    assert direction_parts("worsening", "higher_is_better") == ("↓", "Down, worsening")
    assert direction_parts("down", "neutral") == ("↓", "Down")
    assert direction_parts("no_change", "higher_is_better") == ("→", "No change")
    assert direction_parts("improving", None) == ("", "Improving")  # no arrow without polarity
    assert direction_parts(None, "higher_is_better") == ("", "No earlier value")


def _history(registry: Registry, seed: int) -> pd.DataFrame:
    """Several years of figures for a mix of councils, with gaps, ties and restated copies:
    the council's own figure missing from its latest years in some draws."""
    rng = np.random.default_rng(seed)
    neighbours = [m.code for m in registry.comparator_groups["nearest-neighbours"].members]
    others = [f"E1000{n:04d}" for n in (1, 2, 3)] + [f"E0600{n:04d}" for n in range(1, 8)]
    councils = rng.choice(
        [c for c in neighbours + others if c != OWN], size=rng.integers(1, 20), replace=False
    )
    frames = []
    for year in range(int(rng.integers(1, 6))):
        start = pd.Timestamp(date(2018 + year, 4, 1))
        present = [c for c in councils if rng.random() < 0.8]
        if rng.random() < 0.7 or year == 0:
            present.append(OWN)
        figures = rng.integers(0, 6, size=len(present)).astype(float)  # many ties
        frames.append(
            pd.DataFrame(
                {
                    "metric_id": METRIC,
                    "area_code": present,
                    "period_start": start,
                    "value": figures,
                    "is_benchmark": [c != OWN for c in present],
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    # A benchmark copy of our own row, which our own figure outranks
    copy = rows[rows["area_code"] == OWN].assign(is_benchmark=True, value=99.0)
    return pd.concat([rows, copy], ignore_index=True)


@pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better", "neutral"])
def test_ranks_of_the_latest_period_only_are_those_of_every_period(
    registry: Registry, polarity: str
) -> None:
    metric = registry.metric(METRIC).model_copy(update={"polarity": polarity})
    compared = 0
    for seed in range(300):
        rows = _history(registry, seed)
        whole = comparison_choice(registry, metric, rows)
        latest = comparison_choice(registry, metric, rows, latest_only=True)
        assert [g.id for g in latest.groups] == [g.id for g in whole.groups], seed
        for group_id in (None, "nearest-neighbours", "english-counties", "english-councils"):
            full = latest_positions({METRIC: whole}, group_id)
            assert latest_positions({METRIC: latest}, group_id) == full, (seed, group_id)
            compared += bool(full)
    assert compared > 300  # most draws have a place to compare


@pytest.mark.parametrize(
    "chosen", ["", "nearest-neighbours", "english-counties", "english-councils"]
)
def test_the_chosen_group_alone_covers_every_period_and_is_the_whole_comparison(
    registry: Registry, chosen: str
) -> None:
    # What a drill-down draws: the chosen group over time, the others' names, the national
    # sentence from the latest period
    metric = registry.metric(METRIC)
    council = registry.plan.organisation.short_name
    compared = england_tables = 0
    for seed in range(80):
        rows = _history(registry, seed)
        whole = comparison_choice(registry, metric, rows)
        drawn = comparison_choice(registry, metric, rows, latest_only=True, except_chosen=chosen)
        assert [g.id for g in drawn.groups] == [g.id for g in whole.groups], seed
        full, shown = whole.chosen(chosen), drawn.chosen(chosen)
        if full is None or shown is None:
            assert full is shown is None, seed
            continue
        assert shown.group.id == full.group.id
        pd.testing.assert_frame_equal(shown.by_period, full.by_period)
        pd.testing.assert_frame_equal(shown.values, full.values)
        # The table over time: the England median beside each period, as a merge on period
        if whole.england is not None and full.group.id != "english-councils":
            medians = whole.england.rename(columns={"median": "england_median"})
            pd.testing.assert_frame_equal(
                _over_time(full, whole),
                full.by_period.dropna(subset=["own_value"]).merge(
                    medians[["period_start", "england_median"]], on="period_start", how="left"
                ),
            )
            england_tables += 1
        # The periods ranked are those with the council's own figure, read as dropna reads them
        for comparison in (*whole.comparisons, *drawn.comparisons):
            pd.testing.assert_frame_equal(
                comparison.ranked, comparison.by_period.dropna(subset=["own_value"])
            )
            pd.testing.assert_frame_equal(
                comparison.ranked, comparison.by_period.dropna(subset=["rank"])
            )
        assert shown.sentence(council) == full.sentence(council)
        for other in drawn.comparisons:
            if other.group.id != shown.group.id:
                assert other.by_period["period_start"].nunique() <= 1  # the latest only
        assert (drawn.national is None) == (whole.national is None)
        if whole.national is not None and drawn.national is not None:
            assert national_sentence(drawn.national, council) == national_sentence(
                whole.national, council
            )
        compared += len(full.by_period) > 1
    assert compared > 15  # many draws have more than one period to draw
    assert england_tables or chosen == "english-councils"
