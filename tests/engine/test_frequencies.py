"""Calendar years are labelled as calendar years; a survey every other year is not late in its
off year, and is compared with the survey before."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics.engine.freshness import FRESH, STALE, freshness
from metrics.engine.periods import FREQUENCIES, period_bounds, period_label
from metrics.engine.status import status_table
from metrics.registry.loader import Registry
from metrics.registry.model import FREQUENCIES as MODEL_FREQUENCIES
from pipelines.runner import run_pipeline
from tests.engine.test_status import frame, metric
from warehouse.observations import current_observations


def test_every_frequency_the_yaml_allows_is_described_once() -> None:
    assert set(MODEL_FREQUENCIES) == set(FREQUENCIES)


def test_a_calendar_year_runs_january_to_december_and_reads_as_the_year() -> None:
    assert period_bounds("calendar_year", date(2019, 7, 4)) == (
        date(2019, 1, 1),
        date(2019, 12, 31),
    )
    assert period_label("calendar_year", date(2019, 1, 1)) == "2019"
    assert period_label("annual", date(2019, 4, 1)) == "2019-20"


def test_a_biennial_survey_is_fresh_in_its_off_year_and_late_after_a_missed_survey() -> None:
    # Surveyed in 2022-23; a year's lag. In 2025 the latest year due is 2023-24, an off year
    assert freshness("biennial", 365, date(2022, 4, 1), date(2025, 6, 1)).status == FRESH
    assert freshness("annual", 365, date(2022, 4, 1), date(2025, 6, 1)).status == STALE
    # By mid 2026 the 2024-25 survey was due, and it has not come
    late = freshness("biennial", 365, date(2022, 4, 1), date(2026, 6, 1))
    assert late.status == STALE and late.due_by == date(2026, 3, 31)


def test_a_biennial_survey_compares_with_the_survey_before_even_after_a_gap() -> None:
    survey = metric(id="carers", frequency="biennial", unit="score", target=7.8)
    rows = frame(
        [
            ("carers", "E10000028", "2016-04-01", 7.5),
            ("carers", "E10000028", "2018-04-01", 7.3),
            ("carers", "E10000028", "2021-04-01", 7.6),  # the 2020 survey was put off a year
        ]
    )
    table = status_table([survey], rows)
    assert table["previous_value"].tolist()[1:] == [7.5, 7.3]
    assert table["direction"].tolist()[1:] == ["worsening", "improving"]
    assert table["last_year_value"].tolist()[1:] == [7.5, 7.3]


def test_fingertips_calendar_years_load_as_calendar_years(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    result = run_pipeline(registry, engine, "fingertips-mortality", drop_folder=real_data)
    assert result.status in ("succeeded", "partially_rejected"), result.summary()
    rows = current_observations(engine, ["u75-preventable-mortality"], ["E07000197"])
    starts = pd.to_datetime(rows["period_start"])
    assert (starts.dt.month == 1).all() and (starts.dt.day == 1).all()
    ends = pd.to_datetime(rows["period_end"])
    assert (ends.dt.month == 12).all() and (ends.dt.day == 31).all()
    assert registry.metric("u75-preventable-mortality").frequency == "calendar_year"
