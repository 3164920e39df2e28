"""The publication rules, attacked: nothing published lets anyone work out a hidden figure."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.engine.status import status_table
from metrics.readmodel.publication import (
    SUPPRESSED_STATUS,
    hidden_cells,
    publish_status,
    suppress_observations,
)
from metrics.registry.loader import Registry

COUNTY = "E10000028"
DISTRICTS = [f"E0700019{i}" for i in range(2, 10)]
COUNT = "road-casualties-ksi"  # a count, threshold 5 (the site default)
RATE = "u75-preventable-mortality"  # a rate whose districts do not add up, numerators do


def _counts(values_by_period: dict[date, list[float]]) -> pd.DataFrame:
    """County and district rows of the count measure: the county is the districts' sum."""
    rows = []
    for start, values in values_by_period.items():
        rows.append((COUNT, COUNTY, start, float(sum(values)), np.nan, np.nan))
        rows += [
            (COUNT, d, start, float(v), np.nan, np.nan)
            for d, v in zip(DISTRICTS, values, strict=True)
        ]
    return pd.DataFrame(
        rows,
        columns=["metric_id", "area_code", "period_start", "value", "numerator", "denominator"],
    ).assign(period_start=lambda f: pd.to_datetime(f["period_start"]), is_benchmark=False)


def _recoverable(published: pd.DataFrame, column: str) -> list[tuple[object, str]]:
    """Cells an attacker could work out: a period whose group has exactly one hidden cell
    while the county's figure is published."""
    found: list[tuple[object, str]] = []
    for start, group in published.groupby("period_start"):
        county = group[group["area_code"] == COUNTY]
        districts = group[group["area_code"] != COUNTY]
        unknown = districts[districts[column].isna()]
        if len(county) and county[column].notna().all() and len(unknown) == 1:
            found.append((start, str(unknown["area_code"].iloc[0])))
    return found


def test_one_small_district_takes_the_next_smallest_with_it(registry: Registry) -> None:
    frame = _counts({date(2024, 4, 1): [2, 9, 6, 8, 7, 5, 6, 7]})
    published = suppress_observations(registry, frame)
    hidden = set(published.loc[published["suppressed"], "area_code"])
    assert hidden == {"E07000192", "E07000197"}
    assert published.loc[published["suppressed"], "value"].isna().all()
    assert _recoverable(published, "value") == []


def test_a_rate_whose_numerators_add_up_cannot_be_undone_by_subtraction(
    registry: Registry,
) -> None:
    # An age-standardised rate does not add up, but its numerators and denominators do
    numerators = [3, 40, 55, 61, 38, 70, 44, 29]
    denominators = [9000, 11000, 10500, 12000, 9800, 13000, 9900, 7600]
    rows = [(RATE, COUNTY, 300.0, float(sum(numerators)), float(sum(denominators)))]
    rows += [
        (RATE, d, 250.0, float(n), float(p))
        for d, n, p in zip(DISTRICTS, numerators, denominators, strict=True)
    ]
    frame = pd.DataFrame(
        rows, columns=["metric_id", "area_code", "value", "numerator", "denominator"]
    ).assign(period_start=pd.Timestamp("2024-01-01"), is_benchmark=False)
    published = suppress_observations(registry, frame)
    assert set(published.loc[published["suppressed"], "area_code"]) == {
        "E07000192",  # three deaths
        "E07000199",  # the next smallest numerator, so the first cannot be worked out
    }
    for column in ("numerator", "denominator", "value"):
        assert _recoverable(published, column) == [], column


def test_other_councils_figures_are_never_hidden(registry: Registry) -> None:
    frame = _counts({date(2024, 4, 1): [2, 9, 6, 8, 7, 5, 6, 7]})
    other = frame.iloc[[0]].assign(area_code="E10000007", value=1.0, is_benchmark=True)
    published = suppress_observations(registry, pd.concat([frame, other], ignore_index=True))
    assert not published["suppressed"].iloc[-1] and published["value"].iloc[-1] == 1.0


@pytest.fixture
def quarter_hidden(registry: Registry) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four months of the count measure; in the second, Cannock Chase has 3 casualties."""
    frame = _counts(
        {
            date(2024, 4, 1): [20, 30, 25, 28, 27, 35, 26, 27],
            date(2024, 5, 1): [3, 30, 25, 28, 27, 35, 26, 27],
            date(2024, 6, 1): [21, 30, 25, 28, 27, 35, 26, 27],
            date(2024, 7, 1): [22, 30, 25, 28, 27, 35, 26, 27],
        }
    )
    published = suppress_observations(registry, frame)
    status = status_table([registry.metric(COUNT)], frame)  # judged on the true figures
    return published, publish_status(registry, status, hidden_cells(published))


def test_a_hidden_cell_publishes_no_status_direction_or_year_to_date(
    quarter_hidden: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    published, status = quarter_hidden
    cannock = status[status["area_code"] == "E07000192"].set_index("period_start")
    may = cannock.loc[pd.Timestamp("2024-05-01")]
    assert may["rag"] == SUPPRESSED_STATUS and may["suppressed"]
    assert pd.isna(may["value"]) and pd.isna(may["direction"]) and pd.isna(may["ytd_value"])
    # June compares with May, so its previous value and direction go; its own figure stays
    june = cannock.loc[pd.Timestamp("2024-06-01")]
    assert june["value"] == 21
    assert pd.isna(june["previous_value"]) and pd.isna(june["direction"])
    # The year to date of any later month would give May back: it goes for the whole year
    assert cannock["ytd_value"].isna().all()
    # Other districts keep theirs
    erewash = status[status["area_code"] == "E07000193"]
    assert erewash["ytd_value"].notna().all()


def test_year_to_date_minus_published_periods_gives_nothing_back(
    quarter_hidden: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    published, status = quarter_hidden
    for area, rows in status.groupby("area_code"):
        shown = published[published["area_code"] == area]
        for _, row in rows.iterrows():
            if np.isnan(row["ytd_value"]):
                continue
            so_far = shown[shown["period_start"] <= row["period_start"]]["value"]
            # Every period behind a published year to date is itself published
            assert so_far.notna().all(), (area, row["period_start"])


def test_snapshot_rows_of_a_series_with_a_hidden_point_publish_no_spc(
    registry: Registry,
) -> None:
    snapshot = pd.DataFrame(
        {
            "metric_id": [COUNT, COUNT],
            "area_code": ["E07000192", "E07000193"],
            "period_start": pd.to_datetime(["2024-07-01", "2024-07-01"]),
            "value": [22.0, 30.0],
            "rag": ["no_target", "no_target"],
            "variation": ["special_cause_concern", "common_cause"],
            "assurance": [None, None],
            "lpl": [1.0, 2.0],
            "upl": [40.0, 41.0],
        }
    )
    hidden = pd.DataFrame(
        {
            "metric_id": [COUNT],
            "area_code": ["E07000192"],
            "period_start": pd.to_datetime(["2024-05-01"]),
        }
    )
    out = publish_status(registry, snapshot, hidden).set_index("area_code")
    assert out.loc["E07000192", "value"] == 22.0  # the latest figure itself is fine
    assert out.loc["E07000192", "variation"] is None and pd.isna(out["upl"].loc["E07000192"])
    assert out.loc["E07000193", "variation"] == "common_cause"
