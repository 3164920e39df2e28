"""Milestone status, its precedence, the demo tracker, and the count of slipping milestones
the overview shows, judged as every milestone's status is."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from demo.milestones import demo_tracker
from metrics.engine.milestones import (
    SLIPPING,
    is_overdue,
    is_slipped,
    milestone_status,
    milestones_with_status,
    slip_days,
    slipping_count,
    with_status,
)
from metrics.registry.loader import Registry
from warehouse.milestones import upsert_milestones

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


def _set_one_by_one(frame: pd.DataFrame, today: date, at_risk_days: int) -> pd.DataFrame:
    """`with_status` as first written: a copy of the frame, then each column set in turn."""
    out = frame.copy()
    rows = [
        (b, f if pd.notna(f) else None, c if pd.notna(c) else None)
        for b, f, c in zip(
            pd.to_datetime(out["baseline_date"]).dt.date,
            pd.to_datetime(out["forecast_date"]).dt.date,
            pd.to_datetime(out["completed_date"]).dt.date,
            strict=True,
        )
    ]
    out["status"] = [milestone_status(b, f, c, today, at_risk_days) for b, f, c in rows]
    out["slip_days"] = [slip_days(b, f) if c is None else 0 for b, f, c in rows]
    out["days_overdue"] = [(today - b).days if is_overdue(b, c, today) else 0 for b, _, c in rows]
    return out


@pytest.mark.parametrize("kind", ["dates", "timestamps", "none", "some", "status_already"])
def test_with_status_frames_as_setting_each_column_in_turn(kind: str) -> None:
    tracker = demo_tracker(TODAY)
    frame = {
        "dates": tracker,
        "timestamps": tracker.astype(
            {"forecast_date": "datetime64[ns]", "completed_date": "datetime64[ns]"}
        ),
        "none": tracker.iloc[0:0],
        "some": tracker.iloc[[5, 2, 9]],  # an index not from zero, out of order
        "status_already": with_status(tracker, day(-60), N),
    }[kind]
    before = frame.copy()
    pd.testing.assert_frame_equal(
        with_status(frame, TODAY, N), _set_one_by_one(frame, TODAY, N), check_exact=True
    )
    pd.testing.assert_frame_equal(frame, before)  # the frame given is left as it was


def test_slipping_milestones_are_counted_as_judged_in_full(
    registry: Registry, engine: sa.Engine
) -> None:
    assert slipping_count(registry, engine, TODAY) == 0  # none stored
    with engine.begin() as conn:
        upsert_milestones(
            conn, demo_tracker(TODAY), run_id=None, source_ref="test", now=datetime(2024, 11, 1)
        )
    for today in (TODAY, day(-90), day(30), day(400)):
        judged = milestones_with_status(registry, engine, today)
        assert slipping_count(registry, engine, today) == judged["status"].isin(SLIPPING).sum()
    assert slipping_count(registry, engine, TODAY) >= 4  # slipped and overdue, two of each
