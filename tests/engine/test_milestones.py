"""Milestone status, its precedence, and the demo tracker."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from demo.milestones import demo_tracker
from metrics.engine.milestones import is_overdue, is_slipped, milestone_status, with_status
from metrics.registry.loader import Registry

TODAY = date(2024, 11, 25)
N = 30


def day(offset: int) -> date:
    """A date `offset` days from TODAY."""
    return TODAY + timedelta(days=offset)


@pytest.mark.parametrize(
    ("baseline", "forecast", "completed", "expected"),
    [
        (day(10), day(10), None, "on_track"),
        (day(10), day(5), None, "on_track"),  # forecast early
        (day(10), None, None, "on_track"),  # no forecast given
        (day(10), day(11), None, "at_risk"),  # one day late
        (day(10), day(40), None, "at_risk"),  # exactly N days late is still at risk
        (day(10), day(41), None, "slipped"),  # N + 1 days late
        (day(-1), day(5), None, "overdue"),  # baseline passed: overdue beats at risk
        (day(-1), day(100), None, "overdue"),  # ... and beats slipped
        (day(0), day(0), None, "on_track"),  # due today is not yet overdue
        (day(-50), day(100), day(-2), "complete"),  # complete beats everything
        (day(50), day(50), day(-2), "complete"),  # finished early
    ],
)
def test_status_and_precedence(
    baseline: date, forecast: date | None, completed: date | None, expected: str
) -> None:
    assert milestone_status(baseline, forecast, completed, TODAY, N) == expected


def test_slipped_and_overdue_are_separate_conditions_for_flags() -> None:
    # Overdue and forecast 100 days late: both flag conditions hold
    assert is_overdue(day(-1), None, TODAY)
    assert is_slipped(day(-1), day(99), None, N)
    assert not is_slipped(day(-1), day(99), day(-1), N)  # complete: nothing to flag


def test_demo_tracker_has_every_status_and_valid_plan_ids(registry: Registry) -> None:
    tracker = demo_tracker(TODAY)
    assert 20 <= len(tracker) <= 30
    assert tracker["id"].is_unique
    statuses = with_status(tracker, TODAY, N)["status"].value_counts()
    for status in ("complete", "on_track", "at_risk", "slipped", "overdue"):
        assert statuses.get(status, 0) >= 2, f"the demo needs some '{status}' milestones"
    plan = registry.plan
    assert set(tracker["priority"].dropna()) <= {p.id for p in plan.priorities}
    assert set(tracker["enabler"].dropna()) <= {e.id for e in plan.enablers}
    assert set(tracker["portfolio"]) <= {p.id for p in plan.portfolios}
    programmes = set(tracker["programme"])
    assert {"SEND recovery", "Workforce strategy", "Delivery hubs roll-out"} <= programmes
    # Hubs go to the districts beyond the two pilots
    hubs = " ".join(tracker.loc[tracker["programme"] == "Delivery hubs roll-out", "title"])
    for district in ("Cannock Chase", "East Staffordshire", "Lichfield", "Stafford"):
        assert district in hubs


def test_with_status_accepts_timestamps_and_blanks() -> None:
    tracker = demo_tracker(TODAY)
    as_text = tracker.astype(
        {"forecast_date": "datetime64[ns]", "completed_date": "datetime64[ns]"}
    )
    assert (
        with_status(as_text, TODAY, N)["status"].tolist()
        == with_status(tracker, TODAY, N)["status"].tolist()
    )
