"""A return's whole life on a real warehouse: opened, drafted, submitted, sent back, approved
into observations, commentary published, period locked, figure restated; with the audit
trail, the public's view of commentary and the engine's evaluation at each step."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from access.identity import Viewer
from access.users import LocalPasswordProvider, add_user
from cycle.closing import close_cycle, publish_commentary, restate
from cycle.entry import Figures, ReturnKey, ReturnRefused, save_return
from cycle.opening import CycleProblem, open_cycle
from cycle.signoff import approve_return, send_back
from cycle.status import cycle_status
from metrics.registry.loader import Registry
from warehouse.commentary import comments_for
from warehouse.observations import current_observations, revision_history
from warehouse.returns import read_events
from warehouse.snapshot import read_snapshot

COUNTY = "E10000028"
PERIOD = "2024-10"
DUE = date(2024, 11, 15)
SAFEGUARDING = ReturnKey(PERIOD, "safeguarding-referrals-24h", COUNTY)
PEOPLE = {
    "demo-manager": "member",
    "demo-analyst": "member",
    "demo-director": "officer",
    "demo-officer": "officer",
    "a-councillor": "member",
}


@pytest.fixture
def people(engine: sa.Engine) -> dict[str, Viewer]:
    """The demo's data owners and approvers, and a councillor who is neither."""
    for username, role in PEOPLE.items():
        add_user(engine, username, "a-long-enough-password", role, actor="test")
    provider = LocalPasswordProvider(engine)
    found = {name: provider.load(name) for name in PEOPLE}
    return {name: viewer for name, viewer in found.items() if viewer is not None}


@pytest.fixture
def opened(registry: Registry, engine: sa.Engine, people: dict[str, Viewer]) -> None:
    """October 2024's cycle, opened by the performance team."""
    open_cycle(registry, engine, PERIOD, DUE, opened_by="demo-officer")


def test_a_return_goes_from_draft_to_a_restated_locked_figure_with_every_step_audited(
    registry: Registry, engine: sa.Engine, people: dict[str, Viewer], opened: None
) -> None:
    owner, approver, officer = (
        people["demo-manager"],
        people["demo-director"],
        people["demo-officer"],
    )
    save_return(registry, engine, SAFEGUARDING, Figures(value="82"), by=owner, submit=False)
    # Off target (95%) without a word of why: refused at the commentary, nothing changed
    with pytest.raises(ReturnRefused) as refused:
        save_return(registry, engine, SAFEGUARDING, Figures(value="82"), by=owner, submit=True)
    assert set(refused.value.fields) == {"commentary"}
    assert "off target (target 95.0%)" in refused.value.fields["commentary"]
    why = "Two screeners were off sick; cover is arranged from December."
    save_return(
        registry, engine, SAFEGUARDING, Figures("82", commentary=why), by=owner, submit=True
    )
    with pytest.raises(ReturnRefused, match="waiting for demo-director to sign it off"):
        save_return(
            registry, engine, SAFEGUARDING, Figures("83", commentary=why), by=owner, submit=True
        )
    with pytest.raises(ReturnRefused) as no_note:
        send_back(registry, engine, SAFEGUARDING, "  ", by=approver)
    assert set(no_note.value.fields) == {"note"}
    send_back(registry, engine, SAFEGUARDING, "Check against the case system.", by=approver)
    row = cycle_status(registry, engine, today=date(2024, 11, 20)).set_index("metric_id")
    assert row.loc["safeguarding-referrals-24h", "state"] == "returned"
    assert row.loc["safeguarding-referrals-24h", "note"] == "Check against the case system."
    assert bool(row.loc["safeguarding-referrals-24h", "late"]) is True  # back with its owner

    save_return(
        registry, engine, SAFEGUARDING, Figures("81.5", commentary=why), by=owner, submit=True
    )
    result = approve_return(registry, engine, SAFEGUARDING, by=approver)
    assert result.ok and result.rows_loaded == 1
    stored = current_observations(engine, ["safeguarding-referrals-24h"])
    assert stored["value"].tolist() == [81.5]
    assert (
        stored["source_ref"]
        .iloc[0]
        .startswith("data return 2024-10 safeguarding-referrals-24h E10000028 (return ")
    )
    # The engine evaluated again: the measure now has a status, off target
    snapshot = read_snapshot(engine).set_index(["metric_id", "area_code"])
    assert snapshot.loc[("safeguarding-referrals-24h", COUNTY), "rag"] == "red"

    # Commentary: approved is for signed-in readers; published, the public sees it too
    assert comments_for(engine, SAFEGUARDING.metric_id, public_only=True).empty
    assert comments_for(engine, SAFEGUARDING.metric_id)["body"].tolist() == [why]
    with pytest.raises(ReturnRefused, match="Sign in as one of the performance team"):
        publish_commentary(registry, engine, SAFEGUARDING, by=owner)
    publish_commentary(registry, engine, SAFEGUARDING, by=officer)
    assert comments_for(engine, SAFEGUARDING.metric_id, public_only=True)["body"].tolist() == [why]

    closed = close_cycle(engine, PERIOD, by=officer)
    assert closed.locked == 14 and closed.without_figure == 13
    with pytest.raises(ReturnRefused, match="is closed, so its figures are locked"):
        save_return(
            registry, engine, SAFEGUARDING, Figures("90", commentary=why), by=owner, submit=True
        )
    with pytest.raises(ReturnRefused, match="Sign in as one of the performance team"):
        restate(registry, engine, SAFEGUARDING, Figures("83"), "Audit", by=owner)
    with pytest.raises(ReturnRefused) as no_reason:
        restate(registry, engine, SAFEGUARDING, Figures("83"), " ", by=officer)
    assert set(no_reason.value.fields) == {"reason"}
    with pytest.raises(ReturnRefused) as out_of_range:
        restate(registry, engine, SAFEGUARDING, Figures("830"), "Audit", by=officer)
    assert "outside 0 to 100" in out_of_range.value.fields["value"]
    restate(registry, engine, SAFEGUARDING, Figures("83"), "Late screenings found", by=officer)
    history = revision_history(engine, SAFEGUARDING.metric_id)
    assert sorted(history["value"].tolist()) == [81.5, 83.0]
    current = history[history["superseded_at"].isna()]
    assert current["source_ref"].iloc[0].endswith("restated by demo-officer: Late screenings found")

    trail = read_events(engine, metric_id=SAFEGUARDING.metric_id)
    kinds = trail.sort_values("id")["kind"].tolist()
    assert kinds == [
        "opened",
        "draft",
        "submit",
        "send_back",
        "submit",
        "approve",
        "publish",
        "lock",
        "restate",
    ]
    assert set(read_events(engine, actor="demo-director")["kind"]) == {"send_back", "approve"}


def test_only_the_owner_enters_and_only_the_approver_signs_off(
    registry: Registry, engine: sa.Engine, people: dict[str, Viewer], opened: None
) -> None:
    key = ReturnKey(PERIOD, "contact-centre-first-contact", COUNTY)  # demo-analyst's
    with pytest.raises(ReturnRefused, match="Only the return's owner, demo-analyst"):
        save_return(registry, engine, key, Figures("85"), by=people["demo-manager"], submit=True)
    save_return(registry, engine, key, Figures("85"), by=people["demo-analyst"], submit=True)
    for who in ("demo-analyst", "a-councillor", "demo-officer"):
        with pytest.raises(ReturnRefused, match="Only the return's approver, demo-director"):
            approve_return(registry, engine, key, by=people[who])
    assert current_observations(engine, [key.metric_id]).empty
    with pytest.raises(ReturnRefused, match="There is no return for claimant-rate"):
        save_return(
            registry,
            engine,
            ReturnKey(PERIOD, "claimant-rate", COUNTY),
            Figures("3"),
            by=people["demo-manager"],
            submit=True,
        )


def test_a_bad_figure_is_refused_field_by_field_and_nothing_is_stored(
    registry: Registry, engine: sa.Engine, people: dict[str, Viewer], opened: None
) -> None:
    key = ReturnKey(PERIOD, "household-support-applications", "E07000192")
    owner = people["demo-manager"]
    cases = {
        "abc": "is not a number",
        "n/a": "Value 'n/a' is not a number; enter the figure in digits",
        "-4": "outside 0 to 100",
        "1e400": "too large",
    }
    for typed, says in cases.items():
        with pytest.raises(ReturnRefused) as refused:
            save_return(registry, engine, key, Figures(typed), by=owner, submit=True)
        assert says in refused.value.fields["value"], refused.value.fields
    with pytest.raises(ReturnRefused) as blank:
        save_return(registry, engine, key, Figures(""), by=owner, submit=True)
    assert "Enter the figure for Oct 2024" in blank.value.fields["value"]
    # A draft may be empty, but not wrong
    save_return(registry, engine, key, Figures(""), by=owner, submit=False)
    with pytest.raises(ReturnRefused):
        save_return(registry, engine, key, Figures("abc"), by=owner, submit=False)
    numbers = ReturnKey(PERIOD, "foster-carers-approved", COUNTY)
    with pytest.raises(ReturnRefused) as count:
        save_return(registry, engine, numbers, Figures("4", numerator="4"), by=owner, submit=True)
    assert "takes a value only" in count.value.fields["numerator"]
    stored = cycle_status(registry, engine)
    mine = stored[(stored["metric_id"] == key.metric_id) & (stored["area_code"] == key.area_code)]
    assert mine["state"].tolist() == ["draft"] and mine["value"].isna().all()


def test_opening_a_cycle_checks_the_period_the_date_and_the_people(
    registry: Registry, engine: sa.Engine
) -> None:
    with pytest.raises(CycleProblem) as nobody:
        open_cycle(registry, engine, PERIOD, DUE, opened_by="demo-officer")
    text = str(nobody.value)
    assert "service-returns.yaml:" in text
    assert "foster-carers-approved.returns.owner: 'demo-manager': no such account" in text
    with pytest.raises(CycleProblem, match="before 2024-10 ends on 31 Oct 2024"):
        open_cycle(registry, engine, PERIOD, date(2024, 10, 20), opened_by="demo-officer")
    with pytest.raises(CycleProblem, match="No manual measure is reported by calendar year"):
        open_cycle(registry, engine, "2024", date(2025, 1, 20), opened_by="demo-officer")
    with pytest.raises(CycleProblem, match="is not a period PMF can read"):
        open_cycle(registry, engine, "October", DUE, opened_by="demo-officer")
    for username, role in PEOPLE.items():
        add_user(engine, username, "a-long-enough-password", role, actor="test")
    opened = open_cycle(registry, engine, PERIOD, DUE, opened_by="demo-officer")
    # Six monthly manual measures: five for the county, one for the county and 8 districts
    assert (opened.measures, opened.returns) == (6, 14)
    with pytest.raises(CycleProblem, match="already open"):
        open_cycle(registry, engine, PERIOD, DUE, opened_by="demo-officer")
    quarter = open_cycle(
        registry, engine, "2024-25-Q2", DUE, opened_by="demo-officer", now=datetime(2024, 11, 1)
    )
    assert quarter.measures == 1
    status = cycle_status(registry, engine, today=DUE + timedelta(days=1))
    assert set(status["period"]) == {"2024-10", "2024-25-Q2"} and status["late"].all()
    assert not cycle_status(registry, engine, today=DUE)["late"].any()
