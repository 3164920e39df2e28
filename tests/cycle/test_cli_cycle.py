"""`pmf cycle` and `pmf returns`, run in-process against a real warehouse: each failure is one
line per problem on standard error with exit code 1 and nothing written; each success does
what the dashboard's forms would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner, Result

from cli import main
from tests.cycle.test_workbook import (
    COUNTY,
    FOSTER,
    HOUSEHOLD,
    SAFEGUARDING,
    add_people,
    fill,
    october,
    stored,
)
from warehouse.observations import current_observations, revision_history
from warehouse.returns import cycles, read_events

CONTACT = "contact-centre-first-contact"
CSV_HEADER = "period,metric_id,area_code,owner,approver,state,due,late"


def pmf(db_url: str, *args: str) -> Result:
    """Run `pmf --database-url URL ARGS` in this process."""
    return CliRunner().invoke(main, ["--database-url", db_url, *args])


def refused(db_url: str, engine: sa.Engine, *args: str) -> list[str]:
    """Run a command that must fail: its lines on standard error, once it is shown that it
    printed nothing else, ended with exit code 1 and changed nothing."""
    before = (stored(engine), len(read_events(engine)), len(cycles(engine)))
    result = pmf(db_url, *args)
    assert result.exit_code == 1, (args, result.output)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert (stored(engine), len(read_events(engine)), len(cycles(engine))) == before
    return result.stderr.splitlines()


def ok(db_url: str, *args: str) -> str:
    """Run a command that must succeed; what it printed."""
    result = pmf(db_url, *args)
    assert result.exit_code == 0, (args, result.stderr)
    assert result.stderr == ""
    return result.stdout


def opened(db_url: str, engine: sa.Engine) -> None:
    """The accounts, and October 2026's cycle opened by the officer, due 15 November."""
    add_people(engine)
    ok(db_url, "cycle", "open", "2026-10", "--due", "2026-11-15", "--by", "demo-officer")


def status_rows(db_url: str, *args: str) -> list[dict[str, str]]:
    out = ok(db_url, "cycle", "status", *args, "--format", "csv")
    return list(csv.DictReader(io.StringIO(out)))


def test_open_refuses_what_it_cannot_open_and_opens_once(db_url: str, engine: sa.Engine) -> None:
    # Before any account exists: every owner and approver is listed at its YAML line
    lines = refused(db_url, engine, "cycle", "open", "2026-10", "--due", "2026-11-15")
    assert lines[0] == "The cycle was not opened: some returns name people who cannot sign in."
    assert all("config/metrics/service-returns.yaml:" in line for line in lines[1:])
    assert any(
        ".yaml:" in line
        and f"{CONTACT}.returns.owner: 'demo-analyst': no such account; add it with "
        "'pmf users add' or name another account"
        in line
        for line in lines
    )
    add_people(engine)
    assert refused(db_url, engine, "cycle", "open", "2026-13", "--due", "2027-01-15") == [
        "'2026-13' names the years 2026 and 13, which do not follow on; the financial year "
        "from April 2026 is 2026-27"
    ]
    assert refused(db_url, engine, "cycle", "open", "October", "--due", "2026-11-15") == [
        "'October' is not a period PMF can read; write it as 2026-10 (a month), 2026-27-Q2 "
        "(a quarter), 2026-27 (a financial year), 2026 or 2026-W45"
    ]
    assert refused(db_url, engine, "cycle", "open", "2026-10", "--due", "2026-10-15") == [
        "The due date 15 Oct 2026 is before 2026-10 ends on 31 Oct 2026; a figure is due "
        "after its period."
    ]
    assert refused(db_url, engine, "cycle", "open", "2026-10", "--due", "15/11/2026") == [
        "--due '15/11/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-15."
    ]
    assert refused(db_url, engine, "cycle", "open", "2026", "--due", "2027-01-15") == [
        "No manual measure is reported by calendar year, so 2026 has no returns to ask for. "
        "A manual measure has 'source: manual' and 'returns:' in its YAML."
    ]
    assert refused(
        db_url, engine, "cycle", "open", "2026-10", "--due", "2026-11-15", "--by", "demo-manager"
    ) == [
        "'demo-manager' is a member account; only the performance team (an officer or admin "
        "account) can open a cycle."
    ]
    assert refused(
        db_url, engine, "cycle", "open", "2026-10", "--due", "2026-11-15", "--by", "nobody"
    ) == [
        "There is no enabled account 'nobody'; give the user name of the person doing this "
        "('pmf users list' shows them)."
    ]

    out = ok(db_url, "cycle", "open", "2026-10", "--due", "2026-11-15")
    assert out == (
        "Opened the cycle for 2026-10: 14 returns of 6 manual measures, due 15 Nov 2026. "
        "'pmf cycle status 2026-10' lists them.\n"
    )
    assert cycles(engine)["opened_by"].tolist() == ["pmf (command line)"]
    (line,) = refused(db_url, engine, "cycle", "open", "2026-10", "--due", "2026-11-30")
    assert line.startswith("The cycle for 2026-10 is already open (opened by pmf (command line)")


def test_status_csv_has_exactly_its_columns_and_judges_lateness(
    db_url: str, engine: sa.Engine
) -> None:
    opened(db_url, engine)
    ok(db_url, "returns", "submit", FOSTER, "2026-10", "--value", "5", "--by", "demo-manager")

    out = ok(db_url, "cycle", "status", "--format", "csv", "--as-of", "2026-11-20")
    assert out.splitlines()[0] == CSV_HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 14
    foster = next(r for r in rows if r["metric_id"] == FOSTER)
    assert foster == {
        "period": "2026-10",
        "metric_id": FOSTER,
        "area_code": COUNTY,
        "owner": "demo-manager",
        "approver": "demo-director",
        "state": "submitted",
        "due": "2026-11-15",
        "late": "false",
    }
    # Past the due date, a return not yet sent is late; before it, none is
    assert {r["late"] for r in rows if r["metric_id"] != FOSTER} == {"true"}
    assert {r["late"] for r in status_rows(db_url, "2026-10", "--as-of", "2026-11-15")} == {"false"}
    # Without a period: every open cycle, and a closed one drops out
    ok(db_url, "cycle", "close", "2026-10")
    assert ok(db_url, "cycle", "status", "--format", "csv") == CSV_HEADER + "\n"
    assert {r["state"] for r in status_rows(db_url, "2026-10")} == {"locked"}
    assert refused(db_url, engine, "cycle", "status", "2026-11") == [
        "No cycle was opened for 2026-11; 'pmf cycle open 2026-11 --due DATE'."
    ]


def test_status_table_reads_in_words_with_completeness_by_directorate(
    db_url: str, engine: sa.Engine
) -> None:
    assert ok(db_url, "cycle", "status") == (
        "No cycle is open; 'pmf cycle open PERIOD --due DATE' opens one.\n"
    )
    opened(db_url, engine)
    ok(db_url, "returns", "submit", CONTACT, "2026-10", "--value", "85", "--by", "demo-analyst")

    lines = ok(db_url, "cycle", "status", "--as-of", "2026-11-20").splitlines()

    assert lines[0] == (
        "Cycle 2026-10 (open, due 15 Nov 2026): 14 returns, 1 returned, 0 approved, 13 late"
    )
    contact = next(line for line in lines if "Calls resolved at first contact" in line)
    assert contact.split() == "Calls resolved at first contact Staffordshire".split() + [
        "demo-analyst",
        "demo-director",
        "Submitted",
    ]
    foster = next(line for line in lines if "New foster carer households approved" in line)
    assert foster.rstrip().endswith("Not started  Late")
    assert any("Tamworth" in line for line in lines)
    summary = lines[lines.index("Completeness by directorate") :]
    assert summary[1].split() == ["Directorate", "Returns", "Returned", "Approved", "Late"]
    assert summary[2].split() == ["Corporate", "Services", "1", "100%", "0%", "0%"]
    assert summary[-1].split() == ["All", "returns", "14", "7%", "0%", "93%"]


def test_sign_off_loads_the_figure_and_only_the_approver_may(
    db_url: str, engine: sa.Engine
) -> None:
    opened(db_url, engine)
    ok(db_url, "returns", "submit", CONTACT, "2026-10", "--value", "85", "--by", "demo-analyst")
    assert refused(
        db_url, engine, "returns", "approve", CONTACT, "2026-10", "--by", "demo-officer"
    ) == [
        "Only the return's approver, demo-director, can approve it; you are signed in as "
        "demo-officer."
    ]
    assert refused(
        db_url, engine, "returns", "approve", "no-such-measure", "2026-10", "--by", "demo-director"
    ) == ["There is no measure 'no-such-measure'; 'pmf metrics list' shows them."]

    out = ok(db_url, "returns", "approve", CONTACT, "2026-10", "--by", "demo-director")

    assert out.startswith(
        "Approved Calls resolved at first contact (Staffordshire) for Oct 2026: loaded as run "
    )
    loaded = current_observations(engine, [CONTACT])
    assert loaded["value"].tolist() == [85.0]
    assert "approved by demo-director" in loaded["source_ref"].iloc[0]
    assert refused(
        db_url, engine, "returns", "approve", CONTACT, "2026-10", "--by", "demo-director"
    ) == ["This return cannot be approved now: it was already approved by demo-director."]


def test_send_back_resubmit_and_publish_are_audited(db_url: str, engine: sa.Engine) -> None:
    opened(db_url, engine)
    submit = ["returns", "submit", CONTACT, "2026-10", "--by", "demo-analyst"]
    # Off target with no commentary: the option to give is named
    assert refused(db_url, engine, *submit, "--value", "70") == [
        "--commentary: The figure 70.0% is off target (target 80.0%): say why, and what is "
        "being done about it."
    ]
    assert refused(db_url, engine, *submit, "--value", "seventy") == [
        "--value: Value 'seventy' is not a number."
    ]
    draft = ok(db_url, *submit, "--value", "70", "--draft")
    assert draft.startswith("Saved as a draft: Calls resolved at first contact")
    ok(db_url, *submit, "--value", "70", "--commentary", "Two advisers off sick.")
    ok(
        db_url,
        "returns", "send-back", CONTACT, "2026-10", "--note", "Check the September calls.",
        "--by", "demo-director",
    )  # fmt: skip
    ok(db_url, *submit, "--value", "72", "--commentary", "Two advisers off sick; rechecked.")
    ok(db_url, "returns", "approve", CONTACT, "2026-10", "--by", "demo-director")
    assert refused(
        db_url, engine, "returns", "publish", CONTACT, "2026-10", "--by", "demo-analyst"
    ) == [
        "'demo-analyst' is a member account; only the performance team (an officer or admin "
        "account) can publish commentary."
    ]
    out = ok(db_url, "returns", "publish", CONTACT, "2026-10", "--by", "demo-officer")
    assert out.startswith("Published the commentary on Calls resolved at first contact")

    trail = ok(db_url, "returns", "audit", "--metric", CONTACT).splitlines()
    steps = [line.split("  ")[2].split(":")[0] for line in trail[:-1]]
    assert steps == [
        "Commentary published",
        "Approved",
        "Submitted",
        "Sent back",
        "Submitted",
        "Saved as draft",
        "Return asked for",
    ]
    assert trail[-1] == "7 events"
    sent_back = trail[steps.index("Sent back")]
    assert "demo-director" in sent_back and "Check the September calls." in sent_back
    mine = ok(db_url, "returns", "audit", "--by", "demo-analyst", "--format", "csv")
    assert mine.splitlines()[0] == "event_at,actor,what,measure,area,period,change,value,note"
    assert len(mine.splitlines()) == 1 + 3
    assert ok(db_url, "returns", "audit", "--since", "2099-01-01") == "0 events\n"
    assert refused(db_url, engine, "returns", "audit", "--since", "yesterday") == [
        "--since 'yesterday' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-15."
    ]


def test_a_closed_period_takes_only_an_officers_restatement(db_url: str, engine: sa.Engine) -> None:
    opened(db_url, engine)
    ok(db_url, "returns", "submit", FOSTER, "2026-10", "--value", "5", "--by", "demo-manager")
    ok(db_url, "returns", "approve", FOSTER, "2026-10", "--by", "demo-director")
    assert refused(db_url, engine, "cycle", "close", "2026-10", "--by", "demo-manager") == [
        "'demo-manager' is a member account; only the performance team (an officer or admin "
        "account) can close a cycle."
    ]

    out = ok(db_url, "cycle", "close", "2026-10", "--by", "demo-officer")

    assert out == (
        "Closed the cycle for 2026-10 by demo-officer: 14 returns locked, 13 of them without "
        "an approved figure. A change now is a restatement ('pmf returns restate').\n"
    )
    assert refused(
        db_url,
        engine,
        "returns",
        "submit",
        SAFEGUARDING,
        "2026-10",
        "--value",
        "97",
        "--by",
        "demo-manager",
    ) == [  # fmt: skip
        "2026-10 is closed, so its figures are locked. A change now is a restatement, made by "
        "the performance team with a reason ('pmf returns restate')."
    ]
    assert refused(db_url, engine, "cycle", "close", "2026-10")[0].startswith(
        "The cycle for 2026-10 was already closed by demo-officer on "
    )
    restate = ["returns", "restate", FOSTER, "2026-10", "--value", "6"]
    assert refused(db_url, engine, *restate, "--reason", "Late panel", "--by", "demo-manager") == [
        "'demo-manager' is a member account; only the performance team (an officer or admin "
        "account) can restate a figure."
    ]
    assert refused(db_url, engine, *restate, "--reason", " ", "--by", "demo-officer") == [
        "--reason: Give the reason for the restatement; it is kept in the revision history."
    ]

    out = ok(db_url, *restate, "--reason", "A late panel decision", "--by", "demo-officer")

    assert out.startswith("Restated New foster carer households approved (Staffordshire)")
    history = revision_history(engine, FOSTER, COUNTY)
    assert history["value"].tolist() == [6.0, 5.0]
    assert history["superseded_at"].isna().tolist() == [True, False]
    assert "restated by demo-officer: A late panel decision" in history["source_ref"].iloc[0]
    assert current_observations(engine, [FOSTER])["value"].tolist() == [6.0]


def test_template_and_upload_from_the_command_line(
    db_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    opened(db_url, engine)
    path = tmp_path / "october.xlsx"
    assert refused(
        db_url, engine, "returns", "template", "--owner", "demo-officer", "--out", str(path)
    )[0].startswith("demo-officer owns no return in an open cycle")
    assert not path.exists()

    out = ok(db_url, "returns", "template", "--owner", "demo-manager", "--out", str(path))

    assert out.startswith(f"Wrote 12 returns of demo-manager to {path}.")
    rows = fill(
        path,
        {
            october(FOSTER): {"Value": 5},
            october(HOUSEHOLD): {"Value": "lots"},
            october(SAFEGUARDING): {"Value": 97},
        },
    )
    upload = ["returns", "upload", str(path), "--by", "demo-manager"]
    assert refused(db_url, engine, *upload) == [
        f"Row {rows[october(HOUSEHOLD)]}, column M (Value): Value 'lots' is not a number.",
        "Nothing was saved: 1 problem. Correct it and upload the file again.",
    ]
    assert refused(db_url, engine, "returns", "upload", str(path), "--by", "demo-analyst")[
        0
    ].endswith("is demo-manager's return; you are demo-analyst.")
    assert refused(
        db_url, engine, "returns", "upload", str(tmp_path / "gone.xlsx"), "--by", "x"
    ) == [f"There is no file {tmp_path / 'gone.xlsx'}."]
    fill(path, {october(HOUSEHOLD): {"Value": None}})

    assert ok(db_url, *upload) == "2 returns submitted for sign-off; 10 rows left blank.\n"
    states = {(r["metric_id"], r["area_code"]): r["state"] for r in status_rows(db_url, "2026-10")}
    assert states[(FOSTER, COUNTY)] == states[(SAFEGUARDING, COUNTY)] == "submitted"
    assert states[(HOUSEHOLD, COUNTY)] == "not_started"


def test_a_figure_given_as_numerator_and_denominator_is_kept_and_counted_as_approved(
    db_url: str, engine: sa.Engine
) -> None:
    opened(db_url, engine)
    ok(
        db_url,
        "returns", "submit", SAFEGUARDING, "2026-10", "--numerator", "19", "--denominator", "20",
        "--by", "demo-manager",
    )  # fmt: skip
    ok(db_url, "returns", "approve", SAFEGUARDING, "2026-10", "--by", "demo-director")

    assert current_observations(engine, [SAFEGUARDING])["value"].tolist() == [95.0]
    first = ok(db_url, "cycle", "status", "2026-10", "--as-of", "2026-11-01").splitlines()[0]
    assert first.endswith(": 14 returns, 1 returned, 1 approved, 0 late")
