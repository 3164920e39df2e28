"""Schedules in words and their next run; a crontab's weekdays are counted as cron counts them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.schedules import BY_HAND, crontab_trigger, next_run, schedule_words
from pipelines.config import Schedule

ZONE = "Europe/London"
MONDAY_NOON = datetime(2024, 11, 25, 12, 0, tzinfo=ZoneInfo(ZONE))


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ((("cron", "0 7 * * 1"),), "Every Monday at 07:00"),
        ((("cron", "0 8 * * 1-5"),), "Every weekday (Monday to Friday) at 08:00"),
        ((("cron", "0 7 1 * *"),), "On the 1st of every month at 07:00"),
        ((("cron", "0 7 2 * *"),), "On the 2nd of every month at 07:00"),
        ((("cron", "15 6 * * *"),), "Every day at 06:15"),
        ((("cron", "0 7 * * 0,3"),), "Every Sunday and Wednesday at 07:00"),
        ((("hour", "6"), ("minute", "15")), "Every day at 06:15"),
        ((("day_of_week", "mon"), ("hour", "7")), "Every Monday at 07:00"),
        ((("day_of_week", "0"), ("hour", "7")), "Every Monday at 07:00"),  # APScheduler's 0
        (
            (("day", "2nd mon"), ("hour", "7"), ("minute", "30")),
            "On the second Monday of every month at 07:30",
        ),
        ((("day", "last fri"), ("hour", "9")), "On the last Friday of every month at 09:00"),
        ((("cron", "*/5 * * * *"),), "On the schedule “*/5 * * * *”"),
        ((), BY_HAND),
    ],
)
def test_schedules_in_words(fields: tuple[tuple[str, str], ...], words: str) -> None:
    assert schedule_words(fields) == words


def test_a_crontab_monday_runs_on_mondays() -> None:
    # APScheduler reads a crontab's weekday numbers from Monday = 0: '1' would be Tuesday
    upcoming = next_run((("cron", "0 7 * * 1"),), ZONE, MONDAY_NOON)
    assert upcoming is not None and f"{upcoming:%A %d %b %H:%M}" == "Monday 02 Dec 07:00"
    sunday = crontab_trigger("0 7 * * 0", ZONE).get_next_fire_time(None, MONDAY_NOON)
    assert f"{sunday:%A}" == "Sunday"
    weekdays = crontab_trigger("0 8 * * 1-5", ZONE).get_next_fire_time(None, MONDAY_NOON)
    assert f"{weekdays:%A}" == "Tuesday"
    through_sunday = crontab_trigger("0 7 * * 5-7", ZONE)
    days = set()
    when = MONDAY_NOON
    for _ in range(3):
        when = through_sunday.get_next_fire_time(None, when)
        days.add(f"{when:%A}")
        when = when.replace(minute=1)
    assert days == {"Friday", "Saturday", "Sunday"}


def test_the_scheduler_uses_the_same_reading_of_a_crontab() -> None:
    trigger = Schedule.model_validate("0 7 * * 1").trigger(ZONE)
    assert f"{trigger.get_next_fire_time(None, MONDAY_NOON):%A}" == "Monday"


def test_a_pipeline_runs_by_hand_without_a_schedule() -> None:
    assert next_run((), ZONE, MONDAY_NOON) is None
