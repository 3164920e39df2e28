"""The flags and actions page: the register, a flag's panel and its form (GOV.UK errors, the
success banner, the register redrawn), the history of every flag, and who may do what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import dash
import sqlalchemy as sa

from layouts._components.milestone_view import milestone_summary
from metrics.engine.milestones import milestones_with_status
from metrics.engine.overview import Headline
from metrics.flags.register import register
from metrics.registry.loader import Registry
from tests.fixtures.warehouse import CASELOAD
from tests.layouts.conftest import engine_of, page, plain, text_of, viewing
from warehouse.flags import insert_flag, read_flag_events, read_flags

NO_DUE = (None, None, None)
FILTERS: tuple[str, str, str, list[str]] = ("open", "", "", [])


def off_target_flag(engine: sa.Engine) -> int:
    """The id of the caseload's flag, which the engine raised on the fixtures (off target)."""
    found = read_flags(engine, open_only=True)
    return int(found.loc[found["subject_id"] == CASELOAD, "id"].iloc[0])


def save(
    flag_id: int,
    step: str,
    *,
    note: str | None = None,
    action: str | None = None,
    owner: str | None = None,
    due: tuple[str | None, str | None, str | None] = NO_DUE,
) -> tuple[Any, Any, Any]:
    """Press Save on the flag's panel with what the form holds (inside a request)."""
    return plain(page("actions").save_step)(1, flag_id, step, note, action, owner, *due, *FILTERS)


def find(component: Any, component_id: str) -> Any:
    """The component with this id (itself, or inside it), or None."""
    if getattr(component, "id", None) == component_id:
        return component
    try:
        return component[component_id]
    except (KeyError, TypeError):
        return None


def test_a_councillor_may_read_the_register_but_not_move_a_flag(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    with viewing(writable_app, "member"):
        layout = page("actions").layout(flag=str(flag_id))
        assert "Children's social worker average caseload" in text_of(layout)
        assert find(layout, "flag-read-only") is not None and find(layout, "flag-save") is None
        status, panel, table = save(flag_id, "acknowledged")
    assert isinstance(status, str) and status.startswith("Not saved: Sign in as ")
    assert panel is dash.no_update and table is dash.no_update
    assert read_flags(engine).set_index("id").loc[flag_id, "status"] == "open"


def test_the_public_is_sent_to_sign_in(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("actions").layout()
    assert find(layout, "actions-table") is None
    assert "Sign in" in text_of(layout)


def test_the_register_words_flags_and_actions_apart(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("actions").layout()
    counts = text_of(find(layout, "actions-counts"))
    assert counts.endswith("need attention; none has an action planned yet.")
    table = text_of(find(layout, "actions-table"))
    assert "Off target" in table and "No action planned" in table


def test_opening_a_flag_shows_why_it_still_holds_and_the_panel_takes_focus(
    app: dash.Dash,
) -> None:
    flag_id = off_target_flag(engine_of(app))
    with viewing(app, "officer"):
        layout = page("actions").layout(flag=str(flag_id))
    panel = find(layout, "flag-panel")
    assert panel.tabIndex == -1 and panel.to_plotly_json()["props"]["aria-labelledby"] == (
        "flag-heading"
    )
    assert text_of(find(layout, "flag-heading")) == (
        f"Flag {flag_id}: Children's social worker average caseload"
    )
    reasons = text_of(find(layout, "flag-reasons"))
    # Every reason that holds, the most serious first, each with its sentence
    assert reasons.startswith("Off target")
    assert "Children's social worker average caseload has been red for" in reasons
    assert reasons.index("Off target") < reasons.index("Will not meet its target without change")
    # Resolving while the reasons hold needs a note saying what was done about them
    assert "The reasons above still hold" in text_of(find(layout, "flag-form"))


def test_an_officer_moves_a_flag_on_and_sees_a_banner_and_the_register_redrawn(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    with viewing(writable_app, "officer"):
        status, panel, table = save(flag_id, "acknowledged")
        banner = find(status, "flag-saved")
        assert text_of(banner).strip() == f"Success Flag {flag_id}: acknowledged."
        assert banner.tabIndex == -1  # focus moves to it, so it is read out
        assert "Acknowledged" in text_of(find(panel, "flag-history"))
        assert "Acknowledged" in text_of(find(table, "actions-table"))
        due = date.today() + timedelta(days=30)
        status, panel, table = save(
            flag_id,
            "action_planned",
            action="Move agency staff into the busiest teams",
            owner="Head of Children's Services",
            due=(str(due.day), str(due.month), str(due.year)),
        )
    assert text_of(find(status, "flag-saved")) == (
        f"Success Flag {flag_id}: action plan recorded. Move agency staff into the busiest "
        f"teams: owner Head of Children's Services, due {due:%d %b %Y}."
    )
    assert "1 has an action planned" in text_of(find(table, "actions-counts"))
    assert "Move agency staff into the busiest teams" in text_of(find(table, "actions-table"))
    events = read_flag_events(engine, flag_id)
    # The signed-in officer's name is recorded
    assert events.loc[events["kind"] == "transition", "actor"].tolist() == ["Jo Bloggs"] * 2


def test_a_refused_plan_lists_each_problem_and_shows_it_beside_its_field(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    with viewing(writable_app, "officer"):
        save(flag_id, "acknowledged")
        status, panel, table = save(flag_id, "action_planned", owner="Jo", due=("1", "1", "2020"))
        summary = find(panel, "flag-error-summary")
        links = [(li.children.href, text_of(li)) for li in summary.children[1].children]
        assert links == [
            ("#flag-action", "Enter the action that is planned"),
            ("#flag-due-day", "The due date must be today or in the future"),
        ]
        assert summary.role == "alert" and summary.tabIndex == -1
        form = " ".join(text_of(find(panel, "flag-form")).split())
        assert "Error: Enter the action that is planned" in form
        assert "Error: The due date must be today or in the future" in form
        # What was typed is kept, and nothing was saved or redrawn
        assert find(panel, "flag-due-year").value == "2020"
        assert find(panel, "flag-owner").value == "Jo"
        assert find(panel, "flag-action").invalid is True
        assert status == "" and table is dash.no_update
        _, panel, _ = save(flag_id, "action_planned", action="Fix", due=("31", "2", "2030"))
        assert "The due date must be a real date" in text_of(find(panel, "flag-error-summary"))
        _, panel, _ = save(flag_id, "action_planned", action="Fix", due=("31", "", "2030"))
        assert "The due date must include a month" in text_of(find(panel, "flag-error-summary"))
        _, panel, _ = save(flag_id, "action_planned")
        assert "Enter the date the action is due" in text_of(find(panel, "flag-error-summary"))
    assert read_flags(engine).set_index("id").loc[flag_id, "status"] == "acknowledged"


def test_resolving_while_reasons_hold_needs_a_note_naming_them(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    due = date.today() + timedelta(days=7)
    with viewing(writable_app, "officer"):
        save(flag_id, "acknowledged")
        parts = (str(due.day), str(due.month), str(due.year))
        save(flag_id, "action_planned", action="Fix", due=parts)
        _, panel, _ = save(flag_id, "resolved")
        summary = text_of(find(panel, "flag-error-summary"))
        assert "Enter a note saying what was done: the flag's condition still holds" in summary
        assert "(Off target; Will not meet its target without change)" in summary
        status, _, _ = save(flag_id, "resolved", note="Agency staff moved; caseloads falling")
    assert f"Flag {flag_id}: resolved." in text_of(status)
    assert read_flags(engine).set_index("id").loc[flag_id, "status"] == "resolved"


def test_the_history_lists_every_event_of_every_flag_and_filters(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    with viewing(writable_app, "officer"):
        save(flag_id, "acknowledged")
        layout = page("actions").layout(view="history")
        trail = text_of(find(layout, "trail-table"))
        raised = len(read_flags(engine))
        assert f"{raised + 1} events, newest first" in trail
        assert "Jo Bloggs" in trail and "Open → Acknowledged" in trail
        assert "Children's social worker average caseload" in trail
        people = text_of(find(page("actions").layout(view="history", what="people"), "trail-table"))
    assert people.startswith("1 event, newest first") and "Raised" not in people


def test_the_drilldown_shows_open_flags_to_councillors_and_officers_but_not_the_public(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    with engine.begin() as conn:
        flag_id = insert_flag(
            conn,
            subject_type="metric",
            subject_id="claimant-rate",
            area_code="E10000028",
            rule="spc_concern",
            detail="Claimant rate: the latest point is a special-cause concern.",
            reasons=[
                {
                    "rule": "spc_concern",
                    "detail": "Claimant rate: the latest point is a special-cause concern.",
                }
            ],
            owner="Head of Economy",
            actor="PMF engine",
            now=datetime(2024, 11, 25, 7),
        )
    for role in ("member", "officer"):
        with viewing(writable_app, role):
            layout = page("metric").layout(metric_id="claimant-rate")
        section = " ".join(text_of(find(layout, "metric-flags")).split())
        assert f"Flag {flag_id} in Staffordshire" in section, role
        assert "Special-cause concern : Claimant rate: the latest point" in section
        assert "Owner: Head of Economy" in section
        assert "No action has been planned yet." in section
    with viewing(writable_app, "public"):
        public = page("metric").layout(metric_id="claimant-rate")
    assert find(public, "metric-title") is not None  # the public measure is shown
    assert find(public, "metric-flags") is None
    assert "special-cause concern." not in text_of(public)


def test_the_portfolio_counts_flags_and_actions_apart(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    portfolio = "children-young-people"
    with viewing(writable_app, "member"):
        layout = page("portfolio").layout(portfolio_id=portfolio)
    before = text_of(find(layout, "portfolio-flag-counts"))
    assert "need attention; none has an action planned yet." in before
    table = text_of(find(layout, "portfolio-actions"))
    assert "Children's social worker average caseload" in table and "No action planned" in table
    assert "corrective actions" not in text_of(layout).lower()
    due = date.today() + timedelta(days=14)
    with viewing(writable_app, "officer"):
        save(flag_id, "acknowledged")
        save(flag_id, "action_planned", action="Weekly caseload review", due=_parts(due))
        layout = page("portfolio").layout(portfolio_id=portfolio)
    assert "1 has an action planned" in text_of(find(layout, "portfolio-flag-counts"))
    assert "Weekly caseload review" in text_of(find(layout, "portfolio-actions"))


def _parts(day: date) -> tuple[str, str, str]:
    return str(day.day), str(day.month), str(day.year)


def test_counts_of_one_are_singular_on_the_actions_and_milestones_pages(
    app: dash.Dash, registry: Registry
) -> None:
    engine = engine_of(app)
    one = register(registry, engine).head(1)
    with viewing(app, "member"):
        table = page("actions").register_table(one, {})
    text = text_of(table)
    assert text.startswith("1 flag needs attention;") and "1 flags" not in text
    assert text_of(find(table, "actions-table")).startswith("1 flag")
    milestones = milestones_with_status(registry, engine, date.today()).head(1)
    assert milestone_summary(milestones).startswith("1 milestone: ")
    counts = {"green": 0, "amber": 0, "red": 1, "overdue_actions": 1, "slipping_milestones": 1}
    summary = Headline(with_target=1, open_flags=1, **counts).sentence()
    assert summary == (
        "Of 1 measure with targets, 0 are on target, 0 within tolerance and 1 off target. "
        "1 flag needs attention; 1 planned action is overdue. 1 milestone is slipping."
    )
