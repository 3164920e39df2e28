"""The shipped public-data pipelines load the real published files, read where they lie."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import rejected
from warehouse.observations import current_observations, observation_count

STAFFORDSHIRE = "E10000028"


def test_oflog_staffordshire_own_figures_and_benchmarks(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    result = run_pipeline(registry, engine, "oflog-asc", drop_folder=real_data)
    assert result.status == "succeeded", result.summary()
    own = current_observations(engine, ["asc-info-ease-users"], [STAFFORDSHIRE])
    by_year = dict(zip(own["period_start"].dt.strftime("%Y-%m-%d"), own["value"], strict=True))
    assert by_year["2018-04-01"] == 62.8 and by_year["2022-04-01"] == 64.2
    assert set(own["period_end"].dt.strftime("%m-%d")) == {"03-31"}

    neighbours = json.loads((real_data / "oflog_nearest_neighbours.json").read_text())
    benchmark = current_observations(engine, ["asc-carer-quality-of-life"], include_benchmark=True)
    flagged = benchmark[benchmark["is_benchmark"]]
    assert set(neighbours[STAFFORDSHIRE]) - {STAFFORDSHIRE} <= set(flagged["area_code"])
    assert STAFFORDSHIRE not in set(flagged["area_code"])

    # Oflog publishes ASC6 per 100,000 adults, as the registry defines it: every row loads
    assert result.rows_rejected == 0 and rejected(engine, result.run_id).empty
    asc6 = current_observations(engine, ["asc-requests-resulting-in-service"], [STAFFORDSHIRE])
    assert len(asc6) >= 5 and (asc6["value"] > 100).all()
    assert result.rows_filtered == 298  # figures Oflog left blank are skipped, as configured


def test_defra_recycling_for_the_county(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    result = run_pipeline(registry, engine, "defra-waste", drop_folder=real_data)
    # Staffordshire's 7 years, and its 15 neighbours' as benchmarks (Somerset has 3 years)
    assert result.status == "succeeded" and result.rows_loaded == 7 + 14 * 7 + 3
    rows = current_observations(engine, ["household-waste-recycled"])
    assert set(rows["area_code"]) == {STAFFORDSHIRE}
    first = rows.iloc[0]
    assert first["period_start"] == pd.Timestamp(2014, 4, 1)
    assert round(first["value"], 2) == 52.33


def test_fingertips_districts_and_a_rerun_is_idempotent(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    first = run_pipeline(registry, engine, "fingertips-mortality", drop_folder=real_data)
    assert first.status == "succeeded"
    own = current_observations(engine, ["u75-preventable-mortality"])
    assert set(own["area_code"]) == {a.code for a in registry.plan.districts}
    stored = observation_count(engine, current_only=False)

    again = run_pipeline(registry, engine, "fingertips-mortality", drop_folder=real_data)
    assert again.status == "skipped_unchanged"
    forced = run_pipeline(
        registry, engine, "fingertips-mortality", drop_folder=real_data, force=True
    )
    assert forced.status == "succeeded"
    assert (forced.rows_loaded, forced.rows_unchanged) == (0, first.rows_loaded)
    assert observation_count(engine, current_only=False) == stored


def test_comparison_from_the_warehouse_matches_the_raw_file(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    import csv
    import statistics

    from metrics.engine.benchmark import comparison_for

    run_pipeline(registry, engine, "oflog-asc", drop_folder=real_data)
    neighbours = json.loads((real_data / "oflog_nearest_neighbours.json").read_text())[
        STAFFORDSHIRE
    ]
    with open(real_data / "oflog_adult_social_care.csv", encoding="utf-8-sig", newline="") as f:
        raw = list(csv.DictReader(f))
    for metric_id, code, year, higher_better in [
        ("asc-info-ease-users", "ASC3", "2022-23", True),
        ("asc-workforce-turnover", "ASC7", "2021-22", False),
    ]:
        values = {
            r["Local authority code"]: float(r["Value"])
            for r in raw
            if r["Code"] == code
            and r["Financial year"] == year
            and r["Value"]
            and r["Local authority code"] in neighbours
        }
        own = values[STAFFORDSHIRE]
        rank = 1 + sum(v > own if higher_better else v < own for v in values.values())
        metric = registry.metric(metric_id)
        stored = current_observations(engine, [metric_id], include_benchmark=True)
        comparison = comparison_for(registry, metric, stored)
        assert comparison is not None
        row = comparison.by_period[
            comparison.by_period["period_start"] == pd.Timestamp(int(year[:4]), 4, 1)
        ].iloc[0]
        assert (int(row["rank"]), int(row["n"])) == (rank, len(values))
        assert row["median"] == pytest.approx(statistics.median(values.values()))


def test_recycling_compared_with_neighbouring_counties(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    import csv
    import statistics

    from metrics.engine.benchmark import comparison_for

    run_pipeline(registry, engine, "defra-waste", drop_folder=real_data)
    group = registry.comparator_groups["nearest-neighbours"]
    names = {f"{m.name} County Council" for m in group.members}
    with open(real_data / "defra_waste_disposal_by_authority.csv", encoding="utf-8-sig") as f:
        raw = [
            r
            for r in csv.DictReader(f)
            if r["Disposal method"] == "Recycled-composted"
            and r["Waste collection authority"] in names
            and r["Year"] == "2020/21"
        ]
    values = {r["Waste collection authority"]: float(r["Value"]) for r in raw}
    own = values["Staffordshire County Council"]
    metric = registry.metric("household-waste-recycled")
    stored = current_observations(engine, [metric.id], include_benchmark=True)
    comparison = comparison_for(registry, metric, stored)
    assert comparison is not None
    row = comparison.by_period[comparison.by_period["period_start"] == pd.Timestamp(2020, 4, 1)]
    assert int(row["rank"].iloc[0]) == 1 + sum(v > own for v in values.values())
    assert int(row["n"].iloc[0]) == len(values)
    assert row["median"].iloc[0] == pytest.approx(statistics.median(values.values()))


def test_national_median_across_all_councils_from_the_raw_file(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    import csv
    import statistics

    from metrics.engine.benchmark import national_comparison, national_words

    run_pipeline(registry, engine, "oflog-asc", drop_folder=real_data)
    with open(real_data / "oflog_adult_social_care.csv", encoding="utf-8-sig", newline="") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["Code"] == "ASC3" and r["Financial year"] == "2022-23" and r["Value"]
        ]
    values = {r["Local authority code"]: float(r["Value"]) for r in rows}
    published = {float(r["MEDIAN"]) for r in rows}  # Oflog prints its own national median
    metric = registry.metric("asc-info-ease-users")
    stored = current_observations(engine, [metric.id], include_benchmark=True)
    national = national_comparison(registry, metric, stored)
    assert national is not None
    row = national.by_period[national.by_period["period_start"] == pd.Timestamp(2022, 4, 1)].iloc[0]
    assert int(row["n"]) == len(values) > 100
    assert row["median"] == pytest.approx(statistics.median(values.values()))
    assert len(published) == 1 and published.pop() == pytest.approx(row["median"])
    words = national_words(registry, metric, stored)
    assert words is not None and f"Across all {len(values)} English councils" in words
    # The drill-down reuses the comparison its group choice already made: the same sentence
    from metrics.engine.benchmark import national_words_for
    from metrics.engine.comparison_choice import comparison_choice

    choice = comparison_choice(registry, metric, stored)
    assert national_words_for(registry, metric, choice.national) == words
