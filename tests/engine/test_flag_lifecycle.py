"""The flag lifecycle on a real DuckDB file: allowed moves, refused moves, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics.flags.lifecycle import FlagChange, FlagChangeError, change_flag, list_flags
from metrics.registry.loader import Registry
from warehouse.flags import insert_flag, read_flag, read_flag_events, read_flags, update_flag

NOW = datetime(2024, 11, 25, 9, 0)


def raise_one(engine: sa.Engine, subject_id: str = "general-debt-outstanding") -> int:
    """Raise a flag as the engine would, and return its id."""
    with engine.begin() as conn:
        return insert_flag(
            conn,
            subject_type="metric",
            subject_id=subject_id,
            area_code="E10000028",
            rule="off_target",
            detail="Red for 2 periods.",
            owner="Head of Exchequer Services",
            actor="PMF engine",
            now=NOW,
        )


def test_the_full_path_is_recorded_event_by_event(engine: sa.Engine) -> None:
    flag_id = raise_one(engine)
    change_flag(engine, flag_id, FlagChange("acknowledged", "Jo Smith", note="Seen"), now=NOW)
    change_flag(
        engine,
        flag_id,
        FlagChange(
            "action_planned",
            "Jo Smith",
            action="Weekly debt recovery sweeps",
            owner="Debt Recovery Manager",
            due_date=date(2025, 1, 31),
        ),
        now=NOW,
    )
    flag = change_flag(
        engine, flag_id, FlagChange("resolved", "Jo Smith", note="Debt below £5.5m"), now=NOW
    )
    assert flag["status"] == "resolved"
    assert flag["closed_at"] == NOW
    assert flag["owner"] == "Debt Recovery Manager"
    assert flag["action"] == "Weekly debt recovery sweeps"
    events = read_flag_events(engine, flag_id)
    assert events["kind"].tolist() == ["raised", "transition", "transition", "transition"]
    assert events["actor"].tolist() == ["PMF engine", "Jo Smith", "Jo Smith", "Jo Smith"]
    assert events["from_status"].tolist()[1:] == ["open", "acknowledged", "action_planned"]
    assert events["to_status"].tolist() == ["open", "acknowledged", "action_planned", "resolved"]
    assert "Weekly debt recovery sweeps" in events["note"].iloc[2]
    assert events["note"].iloc[3] == "Debt below £5.5m"


@pytest.mark.parametrize("start", ["open", "acknowledged", "action_planned"])
def test_any_open_state_can_be_closed_with_a_reason(engine: sa.Engine, start: str) -> None:
    flag_id = raise_one(engine)
    if start != "open":
        change_flag(engine, flag_id, FlagChange("acknowledged", "Ann"), now=NOW)
    if start == "action_planned":
        change_flag(
            engine,
            flag_id,
            FlagChange("action_planned", "Ann", action="Fix", due_date=date(2025, 1, 1)),
            now=NOW,
        )
    with pytest.raises(FlagChangeError, match="closed needs a note saying why no action"):
        change_flag(engine, flag_id, FlagChange("closed", "Ann"), now=NOW)
    flag = change_flag(engine, flag_id, FlagChange("closed", "Ann", note="Seasonal"), now=NOW)
    assert flag["status"] == "closed"


def test_invalid_moves_say_what_is_allowed_and_change_nothing(engine: sa.Engine) -> None:
    flag_id = raise_one(engine)
    with pytest.raises(FlagChangeError) as caught:
        change_flag(engine, flag_id, FlagChange("resolved", "Ann", note="done"), now=NOW)
    assert str(caught.value) == (
        f"flag {flag_id} is 'open' and cannot move to 'resolved'; "
        "from 'open' it can move to acknowledged, closed"
    )
    change_flag(engine, flag_id, FlagChange("acknowledged", "Ann"), now=NOW)
    with pytest.raises(FlagChangeError, match="needs action, due date"):
        change_flag(engine, flag_id, FlagChange("action_planned", "Ann"), now=NOW)
    with pytest.raises(FlagChangeError, match="give the name of the person making the change"):
        change_flag(engine, flag_id, FlagChange("closed", "  ", note="x"), now=NOW)
    change_flag(engine, flag_id, FlagChange("closed", "Ann", note="Duplicate"), now=NOW)
    with pytest.raises(FlagChangeError, match="it can move to nothing: it is finished"):
        change_flag(engine, flag_id, FlagChange("open", "Ann"), now=NOW)
    with pytest.raises(FlagChangeError, match="no flag with id 999"):
        change_flag(engine, 999, FlagChange("closed", "Ann", note="x"), now=NOW)
    # Only the successful changes left a trace
    assert read_flag_events(engine, flag_id)["to_status"].tolist() == [
        "open",
        "acknowledged",
        "closed",
    ]


def test_a_plan_past_its_due_date_shows_as_overdue(engine: sa.Engine, registry: Registry) -> None:
    flag_id = raise_one(engine)
    change_flag(engine, flag_id, FlagChange("acknowledged", "Ann"), now=NOW)
    change_flag(
        engine,
        flag_id,
        FlagChange("action_planned", "Ann", action="Chase", due_date=date(2024, 12, 1)),
        now=NOW,
    )
    before = read_flags(engine, today=date(2024, 12, 1))
    assert not before["action_overdue"].any()  # due today is not overdue
    after = read_flags(engine, today=date(2024, 12, 2))
    assert after["action_overdue"].tolist() == [True]
    assert len(read_flags(engine, overdue_only=True, today=date(2024, 12, 2))) == 1
    # Re-planning moves the date on
    change_flag(
        engine,
        flag_id,
        FlagChange("action_planned", "Ann", action="Chase harder", due_date=date(2025, 1, 15)),
        now=NOW,
    )
    assert not read_flags(engine, today=date(2024, 12, 2))["action_overdue"].any()
    # Portfolio filter: debt is in Finance, not in Children and Young People
    assert len(list_flags(registry, engine, portfolio="finance")) == 1
    assert len(list_flags(registry, engine, portfolio="children-young-people")) == 0


def test_storage_refuses_to_rewrite_what_a_flag_is_about(engine: sa.Engine) -> None:
    from warehouse.flags import FlagEvent

    flag_id = raise_one(engine)
    with engine.begin() as conn, pytest.raises(ValueError, match="cannot be changed"):
        update_flag(conn, flag_id, {"subject_id": "x"}, FlagEvent("x", "open"), now=NOW)
    flag = read_flag(engine, flag_id)
    assert flag is not None and flag["subject_id"] == "general-debt-outstanding"


def test_a_due_date_in_the_past_is_refused_for_the_field(engine: sa.Engine) -> None:
    flag_id = raise_one(engine)
    change_flag(engine, flag_id, FlagChange("acknowledged", "Ann"), now=NOW)
    past = FlagChange("action_planned", "Ann", action="Chase", due_date=date(2020, 1, 1))
    with pytest.raises(FlagChangeError, match="the due date 01 January 2020 has passed") as caught:
        change_flag(engine, flag_id, past, now=NOW)
    assert caught.value.problems == {"due": "The due date must be today or in the future"}
    # Every missing field is named at once, each for its own place on the form
    with pytest.raises(FlagChangeError) as caught:
        change_flag(engine, flag_id, FlagChange("action_planned", "Ann", owner=" "), now=NOW)
    assert set(caught.value.problems) == {"action", "due"}
    # Due today is fine
    today = FlagChange("action_planned", "Ann", action="Chase", due_date=NOW.date())
    assert change_flag(engine, flag_id, today, now=NOW)["status"] == "action_planned"


def test_resolving_while_reasons_hold_needs_a_note_that_says_so(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        flag_id = insert_flag(
            conn,
            subject_type="metric",
            subject_id="general-debt-outstanding",
            area_code="E10000028",
            rule="off_target",
            detail="Red for 2 periods.",
            reasons=[
                {"rule": "off_target", "detail": "Red for 2 periods."},
                {"rule": "spc_concern", "detail": "A concern."},
            ],
            owner="Owner",
            actor="PMF engine",
            now=NOW,
        )
    change_flag(engine, flag_id, FlagChange("acknowledged", "Ann"), now=NOW)
    plan = FlagChange("action_planned", "Ann", action="Chase", due_date=date(2025, 1, 1))
    change_flag(engine, flag_id, plan, now=NOW)
    with pytest.raises(FlagChangeError) as caught:
        change_flag(engine, flag_id, FlagChange("resolved", "Ann"), now=NOW)
    assert str(caught.value) == (
        "resolved needs a note saying what was done: its condition still holds "
        "(Off target; Special-cause concern)"
    )
    assert "Off target; Special-cause concern" in caught.value.problems["note"]
    flag = change_flag(
        engine, flag_id, FlagChange("resolved", "Ann", note="Recovery plan in place"), now=NOW
    )
    assert flag["status"] == "resolved" and flag["reasons"] is not None
    events = read_flag_events(engine, flag_id)
    assert events["note"].iloc[-1] == "Recovery plan in place"
