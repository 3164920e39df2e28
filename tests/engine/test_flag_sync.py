"""Raising and clearing flags from conditions: idempotent, and nothing disappears silently."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from metrics.flags.lifecycle import FlagChange, change_flag
from metrics.flags.rules import Condition
from metrics.flags.sync import SyncResult, sync_flags
from warehouse.flags import read_flag_events, read_flags

T1, T2, T3, T4 = (datetime(2024, 11, d, 9) for d in (1, 2, 3, 4))


def debt(active: bool, area: str | None = "E10000028") -> Condition:
    """The off-target condition for general debt, holding or not."""
    detail = "Red for 2 periods." if active else ""
    return Condition(
        "metric", "general-debt-outstanding", area, "off_target", active, detail, "Owner"
    )


def sync(engine: sa.Engine, conditions: list[Condition], now: datetime) -> SyncResult:
    """Run one sync in its own transaction."""
    with engine.begin() as conn:
        return sync_flags(conn, conditions, now=now)


def tables(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flags and flag_events tables, for before-and-after comparisons."""
    return read_flags(engine), read_flag_events(engine)


def test_raising_twice_gives_one_flag_and_one_event(engine: sa.Engine) -> None:
    milestone = Condition("milestone", "hub-05", None, "milestone_slipped", True, "Late.", None)
    assert sync(engine, [debt(True), milestone], T1) == SyncResult(raised=2)
    before = tables(engine)
    assert sync(engine, [debt(True), milestone], T2) == SyncResult()
    after = tables(engine)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert len(after[0]) == 2 and after[1]["kind"].tolist() == ["raised", "raised"]


def test_a_cleared_condition_keeps_the_flag_open_until_a_person_closes_it(
    engine: sa.Engine,
) -> None:
    sync(engine, [debt(True)], T1)
    assert sync(engine, [debt(False)], T2) == SyncResult(cleared=1)
    flag = read_flags(engine).iloc[0]
    assert flag["status"] == "open"
    assert flag["condition_cleared_at"] == pd.Timestamp(T2)
    assert sync(engine, [debt(False)], T3) == SyncResult()  # still cleared: nothing new
    # The condition comes back while the flag is open: no new flag, the clearing is undone
    assert sync(engine, [debt(True)], T4) == SyncResult(returned=1)
    flags = read_flags(engine)
    assert len(flags) == 1 and pd.isna(flags.iloc[0]["condition_cleared_at"])
    kinds = read_flag_events(engine)["kind"].tolist()
    assert kinds == ["raised", "condition_cleared", "condition_returned"]


def test_a_flag_closed_while_its_condition_holds_is_not_raised_again_until_it_clears(
    engine: sa.Engine,
) -> None:
    sync(engine, [debt(True)], T1)
    flag_id = int(read_flags(engine).iloc[0]["id"])
    change_flag(engine, flag_id, FlagChange("closed", "Ann", note="Known; budget agreed"), now=T1)
    assert sync(engine, [debt(True)], T2) == SyncResult()  # no nagging
    assert sync(engine, [debt(False)], T3) == SyncResult()  # the clearing is noted on it
    assert read_flags(engine).iloc[0]["condition_cleared_at"] == pd.Timestamp(T3)
    assert sync(engine, [debt(True)], T4) == SyncResult(raised=1)  # a fresh problem
    flags = read_flags(engine)
    assert flags["status"].tolist() == ["open", "closed"]


def test_flags_are_kept_apart_by_area_and_rule(engine: sa.Engine) -> None:
    stale = Condition("metric", "general-debt-outstanding", "E10000028", "stale_data", True, "Late")
    result = sync(engine, [debt(True), debt(True, "E07000199"), stale], T1)
    assert result.raised == 3
    # A subject the engine did not evaluate this time is left exactly as it was
    assert sync(engine, [debt(False)], T2) == SyncResult(cleared=1)
    open_flags = read_flags(engine, open_only=True)
    cleared = open_flags.set_index(["area_code", "rule"])["condition_cleared_at"].notna()
    assert cleared.to_dict() == {
        ("E10000028", "off_target"): True,
        ("E07000199", "off_target"): False,
        ("E10000028", "stale_data"): False,
    }
