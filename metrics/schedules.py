"""A pipeline's schedule in words ('Every Monday at 07:00') and when it next runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from metrics.engine.benchmark import ordinal

Fields = Sequence[tuple[str, str]]
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BY_HAND = "Only when run by hand"
# APScheduler's day expressions such as '2nd mon' or 'last fri'
_NTH_WEEKDAY = re.compile(r"^(1st|2nd|3rd|4th|5th|last) (mon|tue|wed|thu|fri|sat|sun)$")
NTH_WORDS = {
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "4th": "fourth",
    "5th": "fifth",
    "last": "last",
}


def _crontab_day(number: int) -> str:
    return DAY_KEYS[(number - 1) % 7]  # a crontab's 0 and 7 are both Sunday


def _crontab_weekdays(text: str) -> str:
    """A crontab's weekday field with its numbers as day names: APScheduler's own numbers
    start at Monday = 0, so '1' read as a number would run on Tuesdays."""
    if not any(c.isdigit() for c in text) or "/" in text:
        return text
    parts = []
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            if not (first.isdigit() and last.isdigit()):
                parts.append(part)
                continue
            low, high = int(first), int(last)
            # A range through Sunday is split, since Sunday is the last of APScheduler's week
            if low == 0:
                parts.append("sun")
                low = 1
            if high == 7:
                parts.append("sun")
                high = 6
            if low <= high:
                parts.append(
                    _crontab_day(low)
                    if low == high
                    else f"{_crontab_day(low)}-{_crontab_day(high)}"
                )
        else:
            parts.append(_crontab_day(int(part)) if part.isdigit() else part)
    return ",".join(dict.fromkeys(parts))


def crontab_trigger(text: str, zone: str) -> CronTrigger:
    """The APScheduler trigger for a five-field crontab, weekdays counted as cron counts them."""
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab has five fields, not {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_weekdays(weekday),
        timezone=zone,
    )


def _trigger(fields: Fields, zone: str) -> CronTrigger:
    given = dict(fields)
    if "cron" in given:
        return crontab_trigger(given["cron"], zone)
    return CronTrigger(timezone=zone, **given)


def next_run(fields: Fields, zone: str, now: datetime | None = None) -> datetime | None:
    """When a schedule next fires after `now`, in `zone`; None when it runs only by hand."""
    if not fields:
        return None
    now = now or datetime.now(ZoneInfo(zone))
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(zone))
    try:
        fired = _trigger(fields, zone).get_next_fire_time(None, now)
    except ValueError:
        return None
    return fired if isinstance(fired, datetime) else None


def _crontab_fields(text: str) -> dict[str, str] | None:
    parts = text.split()
    if len(parts) != 5:
        return None
    minute, hour, day, month, weekday = parts
    return {"minute": minute, "hour": hour, "day": day, "month": month, "cron_weekday": weekday}


def _day_index(text: str, crontab: bool) -> int | None:
    """Monday = 0. A crontab counts Sunday as 0 (and 7); APScheduler's fields count Monday as 0."""
    key = text.strip().lower()[:3]
    if key in DAY_KEYS:
        return DAY_KEYS.index(key)
    if not key.isdigit():
        return None
    number = int(key)
    if crontab:
        return None if number > 7 else (number - 1) % 7
    return number if number < 7 else None


def _days(text: str, crontab: bool) -> str | None:
    """'every day', 'every Monday', 'Monday to Friday', 'Monday and Thursday'; None if odd."""
    if text in {"*", "?"}:
        return "every day"
    if "-" in text and "," not in text:
        first, last = (_day_index(t, crontab) for t in text.split("-", 1))
        if first is None or last is None:
            return None
        if (first, last) == (0, 4):
            return "every weekday (Monday to Friday)"
        return f"every {DAY_NAMES[first]} to {DAY_NAMES[last]}"
    found = [_day_index(t, crontab) for t in text.split(",")]
    if any(d is None for d in found):
        return None
    names = [DAY_NAMES[d] for d in found if d is not None]
    return "every " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


def schedule_words(fields: Fields) -> str:
    """The schedule in plain words, e.g. 'Every Monday at 07:00'; the crontab for odd ones."""
    if not fields:
        return BY_HAND
    given = dict(fields)
    crontab = "cron" in given
    parts = _crontab_fields(given["cron"]) if crontab else dict(given)
    text = given.get("cron") or " ".join(f"{k}={v}" for k, v in given.items())
    odd = f"On the schedule “{text}”"
    if parts is None:
        return odd
    minute, hour = parts.pop("minute", "0"), parts.pop("hour", None)
    day, month = parts.pop("day", "*"), parts.pop("month", "*")
    weekday = parts.pop("cron_weekday", None) or parts.pop("day_of_week", "*")
    if parts or hour is None or not (minute.isdigit() and hour.isdigit()) or month != "*":
        return odd
    at = f"at {int(hour):02d}:{int(minute):02d}"
    if day != "*":
        nth = _NTH_WEEKDAY.match(day.strip().lower())
        if nth is not None and weekday == "*":
            which = NTH_WORDS[nth.group(1)]
            return f"On the {which} {DAY_NAMES[DAY_KEYS.index(nth.group(2))]} of every month {at}"
        if not day.isdigit() or weekday != "*":
            return odd
        return f"On the {ordinal(int(day))} of every month {at}"
    days = _days(weekday, crontab)
    return odd if days is None else f"{days[0].upper()}{days[1:]} {at}"
