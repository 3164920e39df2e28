"""`pmf evaluate` and `pmf flags`, run in-process: plain sentences, never a traceback."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from warehouse.flags import insert_flag, read_flag_events, read_flags


def run(db_url: str, *args: str) -> tuple[int, str]:
    """Run pmf against a database; return the exit code and everything printed."""
    result = CliRunner().invoke(main, ["--database-url", db_url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def raise_flag(engine: sa.Engine) -> int:
    """One open flag on staff sickness, as the engine raises it."""
    with engine.begin() as conn:
        return insert_flag(
            conn,
            subject_type="metric",
            subject_id="staff-sickness-days",
            area_code="E10000028",
            rule="spc_concern",
            detail="Special-cause concern.",
            owner="Director of Corporate Services (HR)",
            actor="PMF engine",
            now=datetime(2024, 11, 25, 9),
        )


def test_evaluate_on_an_empty_warehouse_says_what_it_found(db_url: str, engine: sa.Engine) -> None:
    code, out = run(db_url, "evaluate", "--as-of", "2024-11-25")
    assert code == 0, out
    assert out.startswith("Evaluated 61 metrics")
    # No data is 'missing', which raises nothing by itself; the risk register needs no data
    measures = read_flags(engine, subject_type="metric")
    milestones = read_flags(engine, subject_type="milestone")
    assert measures.empty and milestones.empty
    risks = read_flags(engine, subject_type="risk")
    assert f"Flags: {len(risks)} raised" in out and len(risks) > 0


def test_flags_update_walks_the_lifecycle(db_url: str, engine: sa.Engine) -> None:
    flag_id = str(raise_flag(engine))
    due = date.today() + timedelta(days=30)
    code, out = run(db_url, "flags", "update", flag_id, "--status", "acknowledged", "--by", "Ann")
    assert (code, out.strip()) == (
        0,
        f"Flag {flag_id} is now acknowledged (recorded as changed by Ann).",
    )
    code, out = run(
        db_url,
        "flags", "update", flag_id, "--status", "action_planned", "--by", "Ann",
        "--action", "Occupational health referrals within a week", "--owner", "HR Business Partner",
        "--due", due.isoformat(),
    )  # fmt: skip
    assert code == 0, out
    late = (due + timedelta(days=1)).isoformat()
    code, out = run(db_url, "flags", "list", "--open", "--overdue", "--as-of", late, "--why")
    assert code == 0
    line, why, total = out.strip().splitlines()
    # One line per flag: its status, subject, reasons and action
    assert line.split()[:3] == [flag_id, "action_planned", "OVERDUE"]
    assert "staff-sickness-days (Staffordshire): Special-cause concern | Action: " in line
    assert "Occupational health referrals within a week (owner HR Business Partner" in line
    assert why.strip() == "Special-cause concern: Special-cause concern."
    assert total == "1 flag(s)"
    events = read_flag_events(engine, int(flag_id))
    assert events["actor"].tolist() == ["PMF engine", "Ann", "Ann"]


def test_refused_changes_are_plain_sentences(db_url: str, engine: sa.Engine) -> None:
    flag_id = str(raise_flag(engine))
    code, out = run(db_url, "flags", "update", flag_id, "--status", "resolved", "--by", "Ann")
    assert code == 1
    assert f"Flag not changed: flag {flag_id} is 'open' and cannot move to 'resolved'" in out
    assert "Traceback" not in out
    code, out = run(
        db_url, "flags", "update", "42", "--status", "closed", "--by", "A", "--note", "x"
    )
    assert code == 1 and "there is no flag with id 42" in out
    run(db_url, "flags", "update", flag_id, "--status", "acknowledged", "--by", "Ann")
    code, out = run(
        db_url,
        "flags", "update", flag_id, "--status", "action_planned", "--by", "Ann",
        "--action", "Chase", "--due", "2020-01-01",
    )  # fmt: skip
    assert code == 1 and "the due date 01 January 2020 has passed" in out
    code, out = run(db_url, "flags", "update", flag_id, "--status", "done", "--by", "Ann")
    assert code == 2 and "'done' is not one of" in out
    code, out = run(db_url, "flags", "list", "--portfolio", "finanse")
    assert code == 1 and "There is no portfolio 'finanse'; use one of leader" in out


def test_an_out_of_date_warehouse_gets_a_sentence_not_a_traceback(
    db_url: str, engine: sa.Engine
) -> None:
    flag_id = str(raise_flag(engine))
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE flag_events DROP COLUMN kind")  # as an older PMF made it
    code, out = run(db_url, "flags", "update", flag_id, "--status", "acknowledged", "--by", "Ann")
    assert code == 1
    reason = "Binder Error" if db_url.startswith("duckdb") else 'column "kind" of relation'
    assert f"The warehouse at {db_url} could not be used: {reason}" in out
    assert "pmf db upgrade" in out and "Traceback" not in out
