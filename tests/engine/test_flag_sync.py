"""Raising and clearing flags from conditions: idempotent, and nothing disappears silently."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.flags.lifecycle import FlagChange, change_flag
from metrics.flags.rules import Condition
from metrics.flags.sync import SyncResult, sync_flags
from warehouse.flags import insert_flag, read_flag_events, read_flags, refresh_reasons

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


def stale(active: bool, area: str | None = "E10000028") -> Condition:
    """The late-data condition for general debt, holding or not."""
    detail = "Data for Oct 2024 was due by 30 Nov 2024." if active else ""
    return Condition(
        "metric", "general-debt-outstanding", area, "stale_data", active, detail, "Owner"
    )


def reasons(flag: Any) -> list[str]:
    """The rules a stored flag lists, in order."""
    return [r["rule"] for r in json.loads(flag["reasons"])]


def test_one_flag_per_subject_lists_every_reason_and_areas_stay_apart(
    engine: sa.Engine,
) -> None:
    # Late data first in the list: the flag's headline is still the more serious reason
    result = sync(engine, [stale(True), debt(True), debt(True, "E07000199")], T1)
    assert result == SyncResult(raised=2)
    flags = read_flags(engine, open_only=True).set_index("area_code")
    county: Any = flags.loc["E10000028"]
    assert county["rule"] == "off_target" and county["detail"] == "Red for 2 periods."
    assert reasons(county) == ["off_target", "stale_data"]
    assert reasons(flags.loc["E07000199"]) == ["off_target"]
    raised = read_flag_events(engine, int(county["id"])).iloc[0]
    assert raised["kind"] == "raised" and "Red for 2 periods." in raised["note"]
    assert "was due by 30 Nov 2024" in raised["note"]
    # A subject the engine did not evaluate this time is left exactly as it was
    assert sync(engine, [debt(False), stale(True)], T2) == SyncResult(changed=1)
    flags = read_flags(engine, open_only=True).set_index("area_code")
    assert flags.loc["E07000199", "updated_at"] == pd.Timestamp(T1)


def test_a_flag_changes_with_its_reasons_and_clears_only_when_none_holds(
    engine: sa.Engine,
) -> None:
    sync(engine, [debt(True), stale(False)], T1)
    flag_id = int(read_flags(engine).iloc[0]["id"])
    # Data goes late as well: the same flag, one more reason, the change recorded
    assert sync(engine, [debt(True), stale(True)], T2) == SyncResult(changed=1)
    assert sync(engine, [debt(True), stale(True)], T2) == SyncResult()  # nothing new
    # Back on target, data still late: the headline moves to the reason that holds
    assert sync(engine, [debt(False), stale(True)], T3) == SyncResult(changed=1)
    flag = read_flags(engine).iloc[0]
    assert len(read_flags(engine)) == 1 and int(flag["id"]) == flag_id
    assert flag["rule"] == "stale_data" and reasons(flag) == ["stale_data"]
    assert pd.isna(flag["condition_cleared_at"])
    # Only when no reason holds does the condition clear; the last headline stays readable
    assert sync(engine, [debt(False), stale(False)], T4) == SyncResult(cleared=1)
    flag = read_flags(engine).iloc[0]
    assert flag["condition_cleared_at"] == pd.Timestamp(T4) and reasons(flag) == []
    assert flag["rule"] == "stale_data" and flag["status"] == "open"
    events = read_flag_events(engine, flag_id)
    assert events["kind"].tolist() == [
        "raised",
        "reasons_changed",
        "reasons_changed",
        "condition_cleared",
    ]
    assert events["note"].iloc[1].startswith("Now also: Data late.")
    assert events["note"].iloc[2].startswith("No longer: Off target.")


def test_a_closed_flag_is_not_raised_again_unless_a_new_reason_appears(
    engine: sa.Engine,
) -> None:
    sync(engine, [debt(True), stale(False)], T1)
    flag_id = int(read_flags(engine).iloc[0]["id"])
    change_flag(engine, flag_id, FlagChange("closed", "Ann", note="Budget agreed"), now=T1)
    assert sync(engine, [debt(True), stale(False)], T2) == SyncResult()  # no nagging
    # A reason nobody has dealt with is a new problem: a new flag, with every reason
    assert sync(engine, [debt(True), stale(True)], T3) == SyncResult(raised=1)
    newest = read_flags(engine).iloc[0]
    assert newest["status"] == "open" and reasons(newest) == ["off_target", "stale_data"]


def merge_fixture(engine: sa.Engine) -> tuple[int, int]:
    """Two open flags for one subject, as a warehouse from before reasons holds them: the
    older acknowledged, the newer with an action planned."""
    with engine.begin() as conn:
        older = insert_flag(
            conn,
            subject_type="metric",
            subject_id="general-debt-outstanding",
            area_code="E10000028",
            rule="spc_concern",
            detail="A special-cause concern.",
            owner="Owner",
            actor="PMF engine",
            now=T1,
        )
        newer = insert_flag(
            conn,
            subject_type="metric",
            subject_id="general-debt-outstanding",
            area_code="E10000028",
            rule="off_target",
            detail="Red for 2 periods.",
            owner="Owner",
            actor="PMF engine",
            now=T2,
        )
    change_flag(engine, older, FlagChange("acknowledged", "Ann"), now=T2)
    change_flag(engine, newer, FlagChange("acknowledged", "Ann"), now=T2)
    plan = FlagChange(
        "action_planned", "Ann", action="Weekly sweeps", owner="Bo", due_date=date(2025, 1, 31)
    )
    change_flag(engine, newer, plan, now=T2)
    return older, newer


def test_several_open_flags_for_one_subject_are_merged_keeping_history_and_action(
    engine: sa.Engine,
) -> None:
    older, newer = merge_fixture(engine)
    spc = Condition(
        "metric", "general-debt-outstanding", "E10000028", "spc_concern", True, "Concern."
    )
    result = sync(engine, [debt(True), spc], T3)
    assert result.merged == 1 and result.raised == 0
    flags = read_flags(engine).set_index("id")
    # The flag with the action keeps its id, its action and its owner, and every reason
    kept = flags.loc[newer]
    assert kept["status"] == "action_planned" and kept["action"] == "Weekly sweeps"
    assert kept["owner"] == "Bo" and reasons(kept) == ["off_target", "spc_concern"]
    assert flags.loc[older, "status"] == "closed"
    assert read_flags(engine, open_only=True)["id"].tolist() == [newer]
    # Nothing is lost: the merged flag keeps its history, and both say where it went
    old_events = read_flag_events(engine, older)
    assert old_events["kind"].tolist() == ["raised", "transition", "merged"]
    assert f"Merged into flag {newer}" in old_events["note"].iloc[-1]
    assert f"Flags {older} merged into this one" in " ".join(
        read_flag_events(engine, newer)["note"].dropna()
    )
    # Merging twice does nothing more
    assert sync(engine, [debt(True), spc], T4) == SyncResult()


def test_merging_two_planned_actions_keeps_both_and_the_soonest_due_date(
    engine: sa.Engine,
) -> None:
    older, newer = merge_fixture(engine)
    plan = FlagChange(
        "action_planned", "Ann", action="Recount", owner="Cy", due_date=date(2024, 12, 15)
    )
    change_flag(engine, older, plan, now=T2)
    assert sync(engine, [debt(True)], T3).merged == 1
    kept = read_flags(engine, open_only=True).iloc[0]
    # The older flag keeps its id (both planned); the other's action is written beside it
    assert int(kept["id"]) == older
    assert kept["action"] == (
        f"Recount Also, from flag {newer}: Weekly sweeps (owner Bo, due 31 Jan 2025)."
    )
    assert pd.Timestamp(kept["due_date"]).date() == date(2024, 12, 15)
    assert reasons(kept) == ["off_target"]


def test_new_figures_for_the_same_reasons_reword_the_flag_without_an_event(
    engine: sa.Engine,
) -> None:
    sync(engine, [debt(True), stale(True)], T1)
    flag_id = int(read_flags(engine).iloc[0]["id"])
    # Data arrives: the same reasons hold, with new figures in their sentences
    worse = Condition(
        "metric", "general-debt-outstanding", "E10000028", "off_target", True, "Red for 3 periods."
    )
    assert sync(engine, [worse, stale(True)], T2) == SyncResult(reworded=1)
    assert sync(engine, [worse, stale(True)], T3) == SyncResult()  # nothing new
    flag = read_flags(engine).iloc[0]
    assert flag["detail"] == "Red for 3 periods." and flag["rule"] == "off_target"
    stored = json.loads(flag["reasons"])
    assert [r["detail"] for r in stored][0] == "Red for 3 periods."
    assert flag["updated_at"] == pd.Timestamp(T2)  # pages showing the sentence refresh
    # The history holds only what a person needs: the flag was raised, nothing else
    assert read_flag_events(engine, flag_id)["kind"].tolist() == ["raised"]
    # A reason that stops holding is still a change worth recording
    assert sync(engine, [worse, stale(False)], T4) == SyncResult(changed=1)
    assert read_flag_events(engine, flag_id)["kind"].tolist() == ["raised", "reasons_changed"]


def test_rewording_refuses_a_change_to_which_reasons_hold(engine: sa.Engine) -> None:
    sync(engine, [debt(True)], T1)
    flag_id = int(read_flags(engine).iloc[0]["id"])
    with engine.begin() as conn, pytest.raises(ValueError, match="update_flag"):
        refresh_reasons(conn, flag_id, [{"rule": "stale_data", "detail": "Late."}], now=T2)
    assert read_flags(engine).iloc[0]["rule"] == "off_target"


def test_a_flag_closed_by_a_merge_gets_no_later_events(engine: sa.Engine) -> None:
    older, newer = merge_fixture(engine)
    sync(engine, [debt(True)], T3)
    merged_events = read_flag_events(engine, older)["kind"].tolist()
    # Nothing holds any more: the flag that carries the reasons says so, the merged one is quiet
    assert sync(engine, [debt(False)], T4) == SyncResult(cleared=1)
    assert read_flag_events(engine, older)["kind"].tolist() == merged_events
    assert read_flag_events(engine, newer)["kind"].iloc[-1] == "condition_cleared"
    # And its old reasons do not stop a new flag once the kept one is closed and they return
    change_flag(engine, newer, FlagChange("closed", "Ann", note="Done"), now=T4)
    spc = Condition(
        "metric", "general-debt-outstanding", "E10000028", "spc_concern", True, "Concern."
    )
    assert sync(engine, [debt(False), spc], datetime(2024, 11, 5, 9)) == SyncResult(raised=1)
    assert read_flag_events(engine, older)["kind"].tolist() == merged_events
