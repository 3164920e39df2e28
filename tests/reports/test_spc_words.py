"""The SPC reading in words names the Making Data Count rule that fired, in plain English."""

from __future__ import annotations

from metrics.engine.periods import periods_text
from metrics.engine.spc import xmr
from metrics.registry.model import Metric
from reports.spc_words import spc_reading

BASE = [10.0, 11.0, 9.0, 10.5, 9.5, 10.0, 11.0, 9.0, 10.0, 10.5, 9.5, 10.0]


def metric(polarity: str = "lower_is_better", frequency: str = "monthly") -> Metric:
    return Metric.model_validate(
        {
            "id": "caseload",
            "name": "Average caseload",
            "description": "Children per social worker.",
            "unit": "ratio",
            "polarity": polarity,
            "frequency": frequency,
            "portfolio": "p",
            "select_committee": "c",
            "owner": "Someone",
        }
    )


def reading(values: list[float], m: Metric) -> str:
    improvement = {"lower_is_better": "decrease", "higher_is_better": "increase"}[m.polarity]
    return spc_reading(m, xmr(values, improvement=improvement))


def test_a_run_above_the_average_is_counted_in_the_metric_s_periods() -> None:
    values = BASE + [10.6, 10.7, 10.6, 10.8, 10.6, 10.7, 10.6]
    text = reading(values, metric())
    assert text == "Special cause: concern — 7 months in a row above the average."


def test_the_same_run_is_an_improvement_when_higher_is_better_and_counts_quarters() -> None:
    values = BASE + [10.6, 10.7, 10.6, 10.8, 10.6, 10.7, 10.6, 10.65]
    text = reading(values, metric("higher_is_better", "quarterly"))
    assert text == "Special cause: improvement — 8 quarters in a row above the average."


def test_a_point_beyond_the_limit_names_the_limit_with_its_value() -> None:
    text = reading(BASE + [20.0], metric())
    assert text.startswith("Special cause: concern — the latest value is above the upper process")
    assert text.endswith("limit of 13.7.")


def test_a_trend_says_each_figure_was_lower_than_the_one_before() -> None:
    values = BASE + [10.9, 10.7, 10.5, 10.3, 10.1, 9.9, 9.7]
    text = reading(values, metric())
    assert "7 months in a row, each lower than the one before" in text
    assert text.startswith("Special cause: improvement")


def test_two_of_three_near_the_limit() -> None:
    values = BASE + [10.6, 12.5, 12.6]
    text = reading(values, metric("higher_is_better"))
    assert text.endswith("2 of the last 3 months close to the upper process limit.")


def test_common_cause_and_too_little_data() -> None:
    assert reading(BASE, metric()).startswith("Common cause (no significant change).")
    assert spc_reading(metric(), None).startswith("Not enough data for an SPC reading")
    assert periods_text(1, "annual") == "1 year" and periods_text(2, "weekly") == "2 weeks"
