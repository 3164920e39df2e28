"""The reporting cycle's pages without a browser: My returns (the owner's form with GOV.UK
errors, the approver's sign-off, the officer's publish), the cycle status page with its CSV,
and the audit trail with its filters; on the fixtures warehouse with a cycle opened for last
month and the four people the shipped manual measures name."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import dash
import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from access.users import LocalPasswordProvider, add_user
from access.web import begin_session
from cycle.closing import close_cycle
from cycle.opening import open_cycle
from cycle.status import as_csv_rows, cycle_status
from metrics.engine.period_codes import period_code
from metrics.engine.periods import period_bounds, previous_period
from tests.access.conftest import dash_post
from tests.fixtures.warehouse import COUNTY
from tests.layouts.conftest import engine_of, page, plain, text_of, triggered
from warehouse.observations import current_observations
from warehouse.returns import read_events, read_returns

PASSWORD = "returns-pages-password"
PEOPLE = {
    "demo-manager": ("Dee Manager", "member"),
    "demo-analyst": ("Ash Analyst", "member"),
    "demo-director": ("Dana Director", "officer"),
    "demo-officer": ("Demo Officer", "officer"),
}
FOSTER = "foster-carers-approved"  # demo-manager's, signed off by demo-director; target 4
SCAMS = "trading-standards-scams-prevented"  # demo-manager's, signed off by demo-officer
CALLS = "contact-centre-first-contact"  # demo-analyst's
SAFEGUARDING = "safeguarding-referrals-24h"  # a percentage: numerator and denominator too
MONTH_START = previous_period("monthly", period_bounds("monthly", date.today())[0])
MONTH = period_code("monthly", MONTH_START)


@pytest.fixture
def cycle_app(writable_app: dash.Dash) -> dash.Dash:
    """The app on its own fixtures warehouse, with the people and last month's cycle open."""
    engine = engine_of(writable_app)
    for username, (name, role) in PEOPLE.items():
        add_user(engine, username, PASSWORD, role, actor="test", display_name=name)
    open_cycle(
        writable_app.server.config["PMF_RUNTIME"].registry,
        engine,
        MONTH,
        date.today() + timedelta(days=14),
        opened_by="demo-officer",
    )
    return writable_app


@contextmanager
def signed_in(app: dash.Dash, username: str | None) -> Iterator[None]:
    """A request to `app` from `username`, signed in with their password (None: the public)."""
    with app.server.test_request_context("/"):
        if username is not None:
            engine = engine_of(app)
            viewer = LocalPasswordProvider(engine).authenticate(username, PASSWORD)
            assert viewer is not None, f"{username} could not sign in"
            begin_session(engine, viewer)
        yield


def return_id(app: dash.Dash, metric_id: str, area: str = COUNTY) -> int:
    """The id of this cycle's return for a measure and area."""
    frame = read_returns(engine_of(app), periods=[MONTH])
    found = frame[(frame["metric_id"] == metric_id) & (frame["area_code"] == area)]
    return int(found["id"].iloc[0])


def state_of(app: dash.Dash, ident: int) -> str:
    """Where a return stands now."""
    frame = read_returns(engine_of(app), periods=[MONTH])
    return str(frame.set_index("id").loc[ident, "state"])


def find(component: Any, component_id: str) -> Any:
    """The component with this id (itself, or inside it), or None."""
    if component is None or isinstance(component, str | int | float | bool):
        return None
    if getattr(component, "id", None) == component_id:
        return component
    if isinstance(component, list | tuple):
        for child in component:
            hit = find(child, component_id)
            if hit is not None:
                return hit
        return None
    return find(getattr(component, "children", None), component_id)


def summary_links(panel: Any, summary_id: str) -> list[tuple[str | None, str]]:
    """Each (link target, message) of an error summary; the target is None for plain text."""
    summary = find(panel, summary_id)
    assert summary is not None, f"no {summary_id}: {text_of(panel)}"
    items = summary.children[-1].children
    found = []
    for item in items:
        child = item.children
        if hasattr(child, "href"):
            found.append((child.href, text_of(child)))
        else:
            found.append((None, text_of(child)))
    return found


def submit(
    ident: int, value: str, commentary: str = "", *, draft: bool = False, **fraction: str
) -> tuple[Any, Any]:
    """Press Submit (or Save as draft) on a return's form with what it holds."""
    button = "return-save-draft" if draft else "return-submit"
    return triggered(
        page("returns").save_figures,
        button,
        "n_clicks",
        1,
        1,
        ident,
        value,
        fraction.get("numerator", ""),
        fraction.get("denominator", ""),
        commentary,
    )


def sign_off(ident: int, *, approve: bool, note: str = "") -> tuple[Any, Any]:
    """Press Approve or Send back on a return's sign-off form."""
    button = "signoff-approve" if approve else "signoff-send-back"
    return triggered(page("returns").sign_off, button, "n_clicks", 1, 1, ident, note)


def test_the_owner_sees_their_own_returns_and_no_one_elses(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-manager"):
        text = text_of(page("returns").layout())
    assert "New foster carer households approved" in text
    assert "Residents protected from scams by Trading Standards" in text
    assert "Calls resolved at first contact" not in text  # demo-analyst's
    assert "Target" in text and "Last figure" in text
    with signed_in(cycle_app, "demo-analyst"):
        text = text_of(page("returns").layout())
    assert "Calls resolved at first contact" in text
    assert "New foster carer households approved" not in text


def test_the_form_asks_for_numerator_and_denominator_only_where_the_measure_has_them(
    cycle_app: dash.Dash,
) -> None:
    with signed_in(cycle_app, "demo-manager"):
        count = page("returns").layout(**{"return": str(return_id(cycle_app, FOSTER))})
        share = page("returns").layout(**{"return": str(return_id(cycle_app, SAFEGUARDING))})
    assert find(count, "return-numerator").type == "hidden"
    assert "Numerator" not in text_of(find(count, "return-form"))
    assert find(share, "return-numerator").type == "text"
    assert "Denominator" in text_of(find(share, "return-form"))
    for view in (count, share):
        assert find(view, "return-submit") is not None
        assert find(view, "return-save-draft") is not None


def test_a_figure_that_is_not_a_number_is_linked_from_the_summary_and_shown_beside_the_field(
    cycle_app: dash.Dash,
) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        status, panel = submit(ident, "twelve")
    assert status == ""
    links = summary_links(panel, "return-error-summary")
    assert [target for target, _ in links] == ["#return-value"]
    assert "twelve" in links[0][1] or "number" in links[0][1].lower()
    field = " ".join(text_of(find(panel, "return-form")).split())
    assert "Error: " + links[0][1] in field
    assert find(panel, "return-value").value == "twelve"  # what was typed is kept
    assert state_of(cycle_app, ident) == "not_started"


def test_a_figure_off_target_needs_commentary(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        _status, panel = submit(ident, "1")
    links = summary_links(panel, "return-error-summary")
    assert links[0][0] == "#return-commentary"
    assert "off target" in links[0][1]
    assert state_of(cycle_app, ident) == "not_started"


def test_a_draft_then_a_submission_move_the_return_on(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        status, panel = submit(ident, "3", draft=True)
        assert "Saved as a draft." in text_of(status)
        assert find(panel, "return-value").value == "3"
        assert state_of(cycle_app, ident) == "draft"
        status, panel = submit(ident, "5", "Two households approved at the late panel.")
    assert "Submitted for sign-off." in text_of(status)
    assert state_of(cycle_app, ident) == "submitted"
    assert find(panel, "return-form") is None  # submitted: read only
    assert "Two households approved" in text_of(find(panel, "return-read-only"))
    kinds = read_events(engine_of(cycle_app), metric_id=FOSTER)["kind"].tolist()
    assert kinds[:2] == ["submit", "draft"]


def test_someone_who_is_not_the_owner_is_refused_in_words(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-analyst"):
        assert "return-not-yours" in str(page("returns").layout(**{"return": str(ident)}))
        _status, panel = submit(ident, "5")
    links = summary_links(panel, "return-error-summary")
    assert links == [
        (
            None,
            "Only the return's owner, demo-manager, can enter its figure; you are signed in "
            "as demo-analyst.",
        )
    ]
    assert state_of(cycle_app, ident) == "not_started"


def test_the_approver_approves_and_the_figure_is_loaded(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        submit(ident, "5")
    with signed_in(cycle_app, "demo-director"):
        waiting = page("returns").layout()
        cards = text_of(find(waiting, "returns-waiting"))
        assert "New foster carer households approved" in cards and "5" in cards
        view = page("returns").layout(**{"return": str(ident)})
        assert find(view, "signoff-form") is not None
        status, panel = sign_off(ident, approve=True)
    assert "Approved." in text_of(status)
    assert state_of(cycle_app, ident) == "approved"
    assert find(panel, "signoff-form") is None
    loaded = current_observations(engine_of(cycle_app), [FOSTER], [COUNTY])
    mine = loaded[loaded["period_start"] == pd.Timestamp(MONTH_START)]
    assert mine["value"].tolist() == [5.0]


def test_sending_back_needs_a_note_and_the_owner_then_sees_it(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        submit(ident, "5")
    with signed_in(cycle_app, "demo-director"):
        _status, panel = sign_off(ident, approve=False, note="  ")
        links = summary_links(panel, "signoff-error-summary")
        assert links == [
            ("#signoff-note", "Say what the owner should change before sending it back.")
        ]
        assert "Error: Say what the owner" in " ".join(text_of(find(panel, "signoff-form")).split())
        assert state_of(cycle_app, ident) == "submitted"
        status, _panel = sign_off(ident, approve=False, note="Check the panel dates.")
    assert "Sent back to demo-manager." in text_of(status)
    with signed_in(cycle_app, "demo-manager"):
        view = page("returns").layout(**{"return": str(ident)})
    assert text_of(find(view, "return-sent-back-note")) == "Check the panel dates."
    assert find(view, "return-form") is not None  # theirs to change again


def test_a_figure_for_a_locked_period_is_refused_and_nothing_is_lost(
    cycle_app: dash.Dash,
) -> None:
    ident = return_id(cycle_app, FOSTER)
    officer = LocalPasswordProvider(engine_of(cycle_app)).load("demo-officer")
    assert officer is not None
    close_cycle(engine_of(cycle_app), MONTH, by=officer)
    with signed_in(cycle_app, "demo-manager"):
        _status, panel = submit(ident, "5")
    (target, message), *_ = summary_links(panel, "return-error-summary")
    assert target is None and "is closed, so its figures are locked" in message
    assert find(panel, "return-locked") is not None
    assert state_of(cycle_app, ident) == "locked"


def test_an_officer_publishes_approved_commentary(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        submit(ident, "5", "Two households approved at the late panel.")
    with signed_in(cycle_app, "demo-director"):
        sign_off(ident, approve=True)
    with signed_in(cycle_app, "demo-officer"):
        listed = text_of(find(page("returns").layout(), "returns-publish"))
        assert "New foster carer households approved" in listed
        status, panel = triggered(
            page("returns").publish, "publish-commentary", "n_clicks", 1, ident
        )
    assert "Commentary published." in text_of(status)
    assert find(panel, "publish-form") is None
    kinds = read_events(engine_of(cycle_app), metric_id=FOSTER)["kind"].tolist()
    assert kinds[0] == "publish"


def test_the_cycle_page_shows_completeness_and_every_return(cycle_app: dash.Dash) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        submit(ident, "5")
        view = page("cycle").layout()
    by_directorate = text_of(find(view, "cycle-by-directorate"))
    assert "Families and Communities" in by_directorate or "families" in by_directorate.lower()
    assert "All returns" in by_directorate and "%" in by_directorate
    assert "All returns" in text_of(find(view, "cycle-by-portfolio"))
    every = text_of(find(view, "cycle-returns-table"))
    assert "Calls resolved at first contact" in every and "demo-analyst" in every
    assert "Submitted" in every


def test_the_cycle_csv_is_the_command_lines(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-analyst"):
        sent = plain(page("cycle").download_status)(1, MONTH)
    registry = cycle_app.server.config["PMF_RUNTIME"].registry
    expected = as_csv_rows(cycle_status(registry, engine_of(cycle_app), [MONTH])).to_csv(
        index=False
    )
    assert sent["filename"] == f"cycle-status-{MONTH}.csv"
    assert sent["content"] == expected
    assert pd.read_csv(io.StringIO(sent["content"])).columns.tolist() == [
        "period",
        "metric_id",
        "area_code",
        "owner",
        "approver",
        "state",
        "due",
        "late",
    ]


def test_a_cycle_asked_for_that_was_never_opened_says_which_were(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-analyst"):
        view = page("cycle").layout(period="2019-04")
    assert text_of(find(view, "cycle-problem")) == (
        f"No cycle was opened for 2019-04. Cycles opened: {MONTH}."
    )


def test_the_audit_trail_filters_by_measure_person_and_date(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-manager"):
        submit(return_id(cycle_app, FOSTER), "5")
        submit(return_id(cycle_app, SCAMS), "150", draft=True)
    with signed_in(cycle_app, "demo-officer"):
        everything = text_of(find(page("audit").layout(), "audit-table"))
        foster = text_of(
            find(page("audit").layout(metric=FOSTER, by="demo-manager"), "audit-table")
        )
        today = date.today().isoformat()
        dated = page("audit").layout(**{"from": today, "to": today, "by": "demo-manager"})
        before = page("audit").layout(**{"to": "2020-01-01"})
        bad = page("audit").layout(**{"from": "31/12/2026"})
    assert "Return asked for" in everything and "demo-officer" in everything
    assert "Submitted" in foster and "Not started → Submitted" in foster
    assert "Residents protected from scams" not in foster
    assert "Return asked for" not in foster  # opened by demo-officer
    assert "Saved as draft" in text_of(find(dated, "audit-table"))
    assert find(before, "audit-empty") is not None
    assert summary_links(bad, "audit-error-summary") == [
        ("#audit-from", "The from date '31/12/2026' is not a date: use a date such as 2026-11-30.")
    ]


def test_members_and_the_public_do_not_see_the_audit_trail(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-manager"):
        member = page("audit").layout()
    assert find(member, "audit-refused") is not None and find(member, "audit-table") is None
    with signed_in(cycle_app, None):
        for name in ("audit", "returns", "cycle"):
            assert "Sign in to see this page" in text_of(page(name).layout())


def _client(app: dash.Dash, username: str | None) -> Any:
    from tests.access.conftest import sign_in

    client = app.server.test_client()
    client.get("/")
    if username is not None:
        assert sign_in(client, username, PASSWORD).status_code == 302
    return client


def _outputs(app: dash.Dash, first: str) -> list[tuple[str, str]]:
    """The outputs of the callback whose first output is `first`, as Dash's renderer names
    them (a shared output carries its '@' suffix)."""
    key = next(k for k in app.callback_map if k.startswith(f"..{first}..."))
    return [
        (part.rsplit(".", 1)[0], part.rsplit(".", 1)[1]) for part in key.strip(".").split("...")
    ]


def test_the_guard_turns_away_those_who_may_not_use_the_pages_or_their_callbacks(
    cycle_app: dash.Dash,
) -> None:
    ident = return_id(cycle_app, FOSTER)
    public, member = _client(cycle_app, None), _client(cycle_app, "demo-manager")
    for path in ("/returns", "/cycle", "/audit"):
        assert public.get(path).status_code == 302
    assert member.get("/returns").status_code == 200
    assert member.get("/audit").status_code == 302  # the performance team's page
    body = (
        _outputs(cycle_app, "return-save-status.children"),
        # Dash's renderer sends both buttons; the first, Save as draft, is the one pressed
        [("return-save-draft", "n_clicks", 1), ("return-submit", "n_clicks", None)],
        [
            ("return-id", "data", ident),
            ("return-value", "value", "5"),
            ("return-numerator", "value", ""),
            ("return-denominator", "value", ""),
            ("return-commentary", "value", ""),
        ],
    )
    assert dash_post(public, *body).status_code == 403
    answered = dash_post(member, *body)
    assert answered.status_code == 200, answered.get_data(as_text=True)[:500]
    assert state_of(cycle_app, ident) == "draft"
    publish = dash_post(
        member,
        _outputs(cycle_app, "publish-status.children"),
        [("publish-commentary", "n_clicks", 1)],
        [("return-id", "data", ident)],
    )
    assert publish.status_code == 403


def test_every_new_writing_callback_is_declared(cycle_app: dash.Dash) -> None:
    from access.policy import callback_permission

    for output, permission in (
        ("return-save-status.children", "read_internal"),
        ("signoff-status.children", "read_internal"),
        ("publish-status.children", "manage_cycle"),
        ("returns-upload-status.children", "read_internal"),
        ("returns-template-download.data", "read_internal"),
        ("cycle-csv-download.data", "read_internal"),
    ):
        assert callback_permission(f"..{output}...return-panel-body.children@1..") == permission


def test_the_navigation_offers_each_page_to_those_who_may_use_it(cycle_app: dash.Dash) -> None:
    from access.users import LocalPasswordProvider as People
    from layouts._components.shell import shell

    engine: sa.Engine = engine_of(cycle_app)
    member, officer = People(engine).load("demo-manager"), People(engine).load("demo-officer")
    assert member is not None and officer is not None
    with cycle_app.server.test_request_context("/"):
        member_nav = str(shell("Council", "Plan", member))
        officer_nav = str(shell("Council", "Plan", officer))
    assert "/returns" in member_nav and "/cycle" in member_nav and "/audit" not in member_nav
    assert "/audit" in officer_nav


def _filled(workbook: bytes, figures: dict[str, tuple[str, str]]) -> str:
    """The workbook with (value, commentary) typed for each measure's county row, as the data
    URL dcc.Upload hands the page."""

    book = load_workbook(io.BytesIO(workbook))
    sheet = book["Returns"]
    headings = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headings, row, strict=True))
        if cells["Measure id"].value in figures and cells["Area code"].value == COUNTY:
            value, commentary = figures[cells["Measure id"].value]
            cells["Value"].value = value
            cells["Commentary"].value = commentary
    out = io.BytesIO()
    book.save(out)
    return "data:application/octet-stream;base64," + base64.b64encode(out.getvalue()).decode()


def test_the_workbook_downloads_and_a_bad_row_saves_nothing_until_corrected(
    cycle_app: dash.Dash,
) -> None:
    returns = page("returns")
    foster, scams = return_id(cycle_app, FOSTER), return_id(cycle_app, SCAMS)
    with signed_in(cycle_app, "demo-manager"):
        assert find(returns.layout(), "returns-upload") is not None
        sent, said = plain(returns.download_template)(1)
        assert sent["filename"] == "returns-demo-manager.xlsx"
        assert "12 returns to fill in" in said
        workbook = base64.b64decode(sent["content"])
        bad = _filled(workbook, {FOSTER: ("twelve", ""), SCAMS: ("150", "")})
        outcome, table = plain(returns.upload_workbook)(bad, "october.xlsx")
        assert table is dash.no_update
        listed = summary_links(outcome, "returns-upload-errors")
        assert len(listed) == 1 and listed[0][0] is None
        assert "Value" in listed[0][1] and "twelve" in listed[0][1]
        assert text_of(find(outcome, "returns-upload-intro")).startswith(
            "october.xlsx: Nothing was saved"
        )
        assert (state_of(cycle_app, foster), state_of(cycle_app, scams)) == (
            "not_started",
            "not_started",
        )
        good = _filled(workbook, {FOSTER: ("5", ""), SCAMS: ("150", "Two big cases closed.")})
        outcome, table = plain(returns.upload_workbook)(good, "october.xlsx")
    assert "2 returns submitted for sign-off" in text_of(outcome)
    assert (state_of(cycle_app, foster), state_of(cycle_app, scams)) == ("submitted", "submitted")
    assert "Submitted" in text_of(table)


def test_an_upload_that_is_not_a_workbook_is_refused_in_words(cycle_app: dash.Dash) -> None:
    with signed_in(cycle_app, "demo-manager"):
        outcome, table = plain(page("returns").upload_workbook)(
            "data:text/plain;base64,bm90IGEgd29ya2Jvb2s=", "notes.txt"
        )
        nothing, said = plain(page("returns").download_template)(1)
    assert table is dash.no_update
    assert "Nothing was saved" in text_of(outcome)
    assert nothing is not dash.no_update  # demo-manager has returns to enter
    with signed_in(cycle_app, "demo-officer"):
        none, said = plain(page("returns").download_template)(1)
    assert none is dash.no_update
    assert said.startswith("demo-officer owns no return in an open cycle")


def restate_on_page(ident: int, value: str, reason: str) -> tuple[Any, Any]:
    """Press "Restate the figure" on a locked return's view."""
    return triggered(
        page("returns").restate_figure,
        "restate-submit",
        "n_clicks",
        1,
        ident,
        value,
        "",
        "",
        reason,
    )


def test_an_officer_restates_a_locked_figure_with_a_reason_and_others_cannot(
    cycle_app: dash.Dash,
) -> None:
    ident = return_id(cycle_app, FOSTER)
    with signed_in(cycle_app, "demo-manager"):
        submit(ident, "5", "Two households approved at the late panel.")
    with signed_in(cycle_app, "demo-director"):
        sign_off(ident, approve=True)
    officer = LocalPasswordProvider(engine_of(cycle_app)).load("demo-officer")
    assert officer is not None
    close_cycle(engine_of(cycle_app), MONTH, by=officer)

    with signed_in(cycle_app, "demo-manager"):
        panel = page("returns").return_panel(ident)
        assert find(panel, "restate-form") is None  # the owner sees the figure locked
    with signed_in(cycle_app, "demo-officer"):
        assert find(page("returns").return_panel(ident), "restate-form") is not None
        _status, panel = restate_on_page(ident, "six", "")
        problems = summary_links(panel, "restate-error-summary")
        assert ("#restate-value", "Value 'six' is not a number.") in problems
        assert any(target == "#restate-reason" for target, _ in problems)
        assert find(panel, "restate-value").value == "six"  # what was typed is kept
        status, panel = restate_on_page(ident, "6", "A sixth household approved at panel")
    assert "Figure restated." in text_of(status)
    engine = engine_of(cycle_app)
    assert current_observations(engine, [FOSTER])["value"].tolist()[-1] == 6.0
    trail = read_events(engine, metric_id=FOSTER)
    assert trail["kind"].iloc[0] == "restate"
    assert trail["note"].iloc[0] == "A sixth household approved at panel"
    with signed_in(cycle_app, "demo-manager"):
        _status, panel = restate_on_page(ident, "7", "Not mine to restate")
    (_target, message), *_ = summary_links(panel, "restate-error-summary")
    assert "Sign in as one of the performance team" in message
    assert current_observations(engine, [FOSTER])["value"].tolist()[-1] == 6.0
