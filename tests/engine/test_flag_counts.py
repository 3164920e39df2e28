"""The overview's flag counts, counted by the database, are the counts of the flags read_flags
reads and judges (open, and of those with an overdue action), on a real warehouse."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from metrics.flags.lifecycle import FlagChange, change_flag
from tests.engine.test_flag_lifecycle import NOW, raise_one
from warehouse.flags import open_and_overdue_counts, read_flags

# A planned action is due today or later when it is planned
TODAY = date.today()


def _plan(engine: sa.Engine, flag_id: int, due: date) -> None:
    change_flag(engine, flag_id, FlagChange("acknowledged", "Jo Smith"), now=NOW)
    change_flag(
        engine,
        flag_id,
        FlagChange("action_planned", "Jo Smith", action="Sweep", owner="Manager", due_date=due),
        now=NOW,
    )


def _as_read(engine: sa.Engine, today: date) -> tuple[int, int]:
    frame = read_flags(engine, open_only=True, today=today)
    return len(frame), int(frame["action_overdue"].sum())


def test_counts_are_those_of_the_flags_read(engine: sa.Engine) -> None:
    assert open_and_overdue_counts(engine, TODAY) == _as_read(engine, TODAY) == (0, 0)
    raise_one(engine)  # open
    change_flag(engine, raise_one(engine), FlagChange("acknowledged", "Jo Smith"), now=NOW)
    _plan(engine, raise_one(engine), TODAY)
    _plan(engine, raise_one(engine), TODAY + timedelta(days=10))
    _plan(engine, raise_one(engine), TODAY + timedelta(days=60))
    done = raise_one(engine)
    _plan(engine, done, TODAY)
    change_flag(engine, done, FlagChange("resolved", "Jo Smith", note="Done"), now=NOW)
    later = [TODAY + timedelta(days=d) for d in (0, 1, 10, 11, 61)]
    for today in later:
        assert open_and_overdue_counts(engine, today) == _as_read(engine, today)
    assert [open_and_overdue_counts(engine, today) for today in later] == [
        (5, 0),  # due today is not yet overdue
        (5, 1),
        (5, 1),
        (5, 2),
        (5, 3),  # the resolved flag's action is never overdue
    ]
