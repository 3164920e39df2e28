"""Flags and actions: the register of flags, one flag's panel with the form for its next
step, and the history of every flag on one page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, callback, dcc, html

from access.roles import denial
from layouts._components.a11y import aria
from layouts._components.forms import (
    date_parts_field,
    error_summary,
    form_field,
    labelled_select,
    parse_date_parts,
    radios_field,
    success_banner,
    text_area,
    text_input,
)
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation
from layouts._components.signin import sign_in_notice
from layouts._components.tables import simple_table
from layouts._runtime import runtime
from metrics.flags.lifecycle import FlagChange, FlagChangeError, allowed_next, check_change
from metrics.flags.register import (
    STATUS_WORDS,
    TRAIL_KINDS,
    actors,
    counts,
    describe,
    owners,
    register,
    trail,
)
from metrics.words import flag_event_word, plural, rule_word
from warehouse.flags import read_flag, read_flag_events

dash.register_page(__name__, path="/actions", title="Flags and actions", name="Actions")

FILTERS = {
    "status": "actions-status",
    "portfolio": "actions-portfolio",
    "owner": "actions-owner",
    "overdue": "actions-overdue",
}
register_filter_navigation(FILTERS, lambda: {"status": "open"})
TRAIL_FILTERS = {"portfolio": "trail-portfolio", "what": "trail-what", "by": "trail-by"}
register_filter_navigation(TRAIL_FILTERS)

STEP_WORDS = {
    "acknowledged": "Acknowledge",
    "action_planned": "Record an action plan",
    "resolved": "Resolve",
    "closed": "Close with no action",
}
# Each problem the lifecycle names is shown beside this field; the summary links to it
FIELDS = {
    "step": "flag-step",
    "note": "flag-note",
    "action": "flag-action",
    "owner": "flag-owner",
    "due": "flag-due-day",
}
DONE_WORDS = {
    "acknowledged": "acknowledged",
    "action_planned": "action plan recorded",
    "resolved": "resolved",
    "closed": "closed with no action",
}


def _day(value: Any) -> str:
    return f"{pd.Timestamp(value):%d %b %Y}" if value is not None and pd.notna(value) else ""


def register_table(frame: pd.DataFrame, query: dict[str, str]) -> Any:
    """The register as a table: each flag's reasons, and its action apart from it."""
    if frame.empty:
        return html.P("No flags match these filters.", id="actions-empty")
    rows = frame.assign(
        due=[
            ("Overdue: " if late else "") + _day(d)
            for d, late in zip(frame["due_date"], frame["action_overdue"], strict=True)
        ],
        raised=[_day(r) for r in frame["raised_at"]],
    )
    links = {
        int(i): dcc.Link(f"Flag {int(i)}", href="/actions?" + urlencode({**query, "flag": int(i)}))
        for i in rows["id"]
    }
    tally = counts(frame)
    return html.Div(
        [
            html.P(tally.sentence(), id="actions-counts"),
            simple_table(
                rows,
                {
                    "id": "Flag",
                    "subject_name": "Subject",
                    "area": "Area",
                    "reason_words": "Reasons",
                    "status_name": "Status",
                    "action_words": "Action",
                    "due": "Due",
                    "raised": "Raised",
                },
                caption=plural(len(rows), "flag"),
                row_header="id",
                formatters={"id": lambda i: links[int(i)]},
                table_id="actions-table",
            ),
        ]
    )


def _reasons_block(flag: dict[str, Any], described: Any) -> Any:
    """Why the flag stands: every reason that holds, or when its condition cleared."""
    held = described["reasons_held"]
    if held:
        return html.Div(
            [
                html.H3("Why it still holds", id="flag-reasons-heading"),
                html.Ul(
                    [html.Li([html.Strong(rule_word(r.rule)), ": ", r.detail]) for r in held],
                    id="flag-reasons",
                ),
            ]
        )
    cleared = _day(flag.get("condition_cleared_at"))
    return html.Div(
        [
            html.H3("Why it was raised", id="flag-reasons-heading"),
            html.P(
                f"No reason has held since {cleared}. The last was: {flag.get('detail') or '—'}",
                id="flag-reasons",
            ),
        ]
    )


def _history(flag_id: int) -> Any:
    events = read_flag_events(runtime().engine, flag_id)
    return html.Ol(
        [
            html.Li(
                f"{pd.Timestamp(e['event_at']):%d %b %Y %H:%M}: {e['actor']} — "
                f"{flag_event_word(str(e['kind']))}: "
                + (
                    f"{STATUS_WORDS.get(e['from_status'], e['from_status'])} → "
                    if e["from_status"] and e["from_status"] != e["to_status"]
                    else ""
                )
                + f"{STATUS_WORDS.get(e['to_status'], e['to_status'])}"
                + (f". {e['note']}" if e["note"] else "")
            )
            for _, e in events.iterrows()
        ],
        id="flag-history",
    )


def flag_form(
    flag: dict[str, Any],
    holds: bool,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
) -> Any:
    """The form for a flag's next step, with what was typed and each problem beside its field."""
    rt = runtime()
    steps = allowed_next(str(flag["status"]))
    if not steps:
        return html.P("This flag is finished: nothing more can be recorded.", id="flag-finished")
    if not rt.may("update_flag"):
        return html.P("Only the performance team can record the next step.", id="flag-read-only")
    values = values or {}
    problems = problems or {}
    step = values.get("step") if values.get("step") in steps else steps[0]
    order = ["step", "note", "action", "owner", "due"]
    summary = error_summary(
        [(FIELDS[f], problems[f]) for f in order if f in problems], "flag-error-summary"
    )
    note_hint = "Needed to resolve or close."
    if holds:
        note_hint += " The reasons above still hold: to resolve, say what was done about them."
    due = values.get("due") or (None, None, None)
    return html.Div(
        [
            summary,
            html.H3("Record the next step"),
            html.P(["Recorded as ", html.Strong(rt.viewer.display_name)], id="flag-actor"),
            radios_field(
                "Next step",
                "flag-step",
                [(s, STEP_WORDS.get(s, s)) for s in steps],
                step,
                error=problems.get("step"),
            ),
            form_field(
                "Note",
                text_area("flag-note", values.get("note"), error="note" in problems),
                "flag-note",
                hint=note_hint,
                error=problems.get("note"),
            ),
            html.H4("Action plan", className="pmf-subhead"),
            html.P("Needed when you record an action plan.", className="pmf-hint"),
            form_field(
                "Action",
                text_input("flag-action", values.get("action"), error="action" in problems),
                "flag-action",
                hint="What will be done to bring the measure back on track.",
                error=problems.get("action"),
            ),
            form_field(
                "Action owner",
                text_input(
                    "flag-owner",
                    values.get("owner", flag.get("owner") or ""),
                    error="owner" in problems,
                ),
                "flag-owner",
                error=problems.get("owner"),
            ),
            date_parts_field(
                "Due date",
                "flag-due",
                due,
                hint=f"Today or later, for example {date.today():%-d %-m %Y}.",
                error=problems.get("due"),
            ),
            html.Button("Save this step", id="flag-save", className="btn btn-primary"),
        ],
        id="flag-form",
        className="pmf-form",
    )


def flag_panel(
    flag_id: int,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
) -> Any:
    """One flag: why it holds, its action, its history, and the form for the next step."""
    rt = runtime()
    flag = read_flag(rt.engine, flag_id)
    if flag is None:
        return html.P(f"There is no flag {flag_id}.", id="flag-missing")
    described = describe(rt.registry, rt.engine, pd.DataFrame([flag])).iloc[0]
    subject = (
        dcc.Link(described["subject_name"], href=described["href"])
        if described["href"]
        else described["subject_name"]
    )
    facts = (
        ("Subject", subject),
        ("Area", described["area"] or "—"),
        ("Status", described["status_name"]),
        ("Owner", flag.get("owner") or "—"),
        ("Action", described["action_words"]),
        ("Due", _day(flag.get("due_date")) or "—"),
        ("Raised", _day(flag.get("raised_at"))),
    )
    return html.Div(
        [
            html.H2(f"Flag {flag_id}: {described['subject_name']}", id="flag-heading"),
            html.Dl(
                [part for key, value in facts for part in (html.Dt(key), html.Dd(value))],
                className="pmf-definition",
            ),
            _reasons_block(flag, described),
            html.H3("History"),
            _history(flag_id),
            flag_form(flag, bool(described["holds"]), values=values, problems=problems),
        ]
    )


def _view_links(view: str, query: dict[str, str]) -> Any:
    links = []
    for key, label in (("", "Register"), ("history", "History of every flag")):
        params = {k: v for k, v in {**query, "view": key}.items() if v and k != "flag"}
        href = "/actions" + ("?" + urlencode(params) if params else "")
        here = html.Strong(label, className="pmf-tab-current", **aria(current="page"))
        links.append(html.Li(here if key == view else dcc.Link(label, href=href)))
    return html.Nav(html.Ul(links, className="pmf-tabs"), **aria(label="Views of flags"))


def history_view(portfolio: str, what: str, by: str) -> Any:
    """Every event of every flag on one page, filterable by portfolio, kind and person."""
    rt = runtime()
    registry = rt.registry
    events = trail(registry, rt.engine, portfolio=portfolio or None, what=what, actor=by or None)
    portfolios = [("", "All portfolios")] + [(p.id, p.name) for p in registry.plan.portfolios]
    kinds = [(key, label) for key, (label, _) in TRAIL_KINDS.items()]
    people = [("", "Anyone")] + [(a, a) for a in actors(rt.engine)]
    if events.empty:
        table: Any = html.P("No events match these filters.", id="trail-empty")
    else:
        rows = events.assign(
            when=[f"{pd.Timestamp(t):%d %b %Y %H:%M}" for t in events["event_at"]],
            note=events["note"].fillna(""),
        )
        links = {
            int(i): dcc.Link(f"Flag {int(i)}", href=f"/actions?flag={int(i)}")
            for i in rows["flag_id"]
        }
        table = simple_table(
            rows,
            {
                "when": "When",
                "flag_id": "Flag",
                "subject_name": "Subject",
                "what": "What happened",
                "change": "Status",
                "actor": "By",
                "note": "Note",
            },
            caption=f"{plural(len(rows), 'event')}, newest first",
            row_header="when",
            formatters={"flag_id": lambda i: links[int(i)]},
            table_id="trail-table",
        )
    return html.Div(
        [
            html.Form(
                [
                    labelled_select("Portfolio", TRAIL_FILTERS["portfolio"], portfolios, portfolio),
                    labelled_select("What happened", TRAIL_FILTERS["what"], kinds, what),
                    labelled_select("By", TRAIL_FILTERS["by"], people, by),
                ],
                className="pmf-filters",
                role="search",
                **aria(label="Filter the history"),
            ),
            table,
        ]
    )


@cached_page
def layout(
    status: str = "open",
    portfolio: str = "",
    owner: str = "",
    overdue: str = "",
    flag: str = "",
    view: str = "",
    what: str = "",
    by: str = "",
    **_q: Any,
) -> html.Div:
    """The register (or, with view=history, the trail) filtered from the query string; `flag`
    opens one flag's panel."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/actions")
    registry = rt.registry
    intro = [
        html.H1("Flags and actions", id="actions-title"),
        html.P(
            "A flag is raised when a measure or milestone needs attention: off target, a "
            "special-cause concern, not able to meet its target, data late, or a milestone "
            "slipped or overdue. One flag lists every reason that holds. An action is what "
            "someone plans to do about a flag: an owner, the action and a due date. Every "
            "step is recorded.",
            className="pmf-lead",
        ),
    ]
    if view == "history":
        return html.Div(
            [
                *intro,
                _view_links("history", {"portfolio": portfolio}),
                history_view(portfolio, what, by),
            ]
        )
    frame = register(
        registry,
        rt.engine,
        status=status or "open",
        portfolio=portfolio or None,
        owner=owner or None,
        overdue=overdue == "1",
    )
    query = {
        k: v
        for k, v in {
            "status": status if status != "open" else "",
            "portfolio": portfolio,
            "owner": owner,
            "overdue": overdue,
        }.items()
        if v
    }
    status_options = [("open", "Open (any stage)"), ("all", "All")] + list(STATUS_WORDS.items())
    portfolios = [("", "All portfolios")] + [(p.id, p.name) for p in registry.plan.portfolios]
    owner_options = [("", "Anyone")] + [(o, o) for o in owners(rt.engine, registry)]
    panel: Any = None
    if flag.isdigit():
        panel = html.Section(
            [
                html.Div(id="flag-status", role="status", **aria(live="polite")),
                html.Div(flag_panel(int(flag)), id="flag-panel-body"),
            ],
            id="flag-panel",
            className="pmf-panel",
            tabIndex=-1,
            **aria(labelledby="flag-heading"),
        )
    return html.Div(
        [
            *intro,
            _view_links("", query),
            html.Form(
                [
                    labelled_select("Status", FILTERS["status"], status_options, status or "open"),
                    labelled_select("Portfolio", FILTERS["portfolio"], portfolios, portfolio),
                    labelled_select("Owner", FILTERS["owner"], owner_options, owner),
                    html.Div(
                        dbc.Checklist(
                            id=FILTERS["overdue"],
                            options=[{"label": "Only overdue actions", "value": "1"}],
                            value=["1"] if overdue == "1" else [],
                        )
                    ),
                ],
                className="pmf-filters",
                role="search",
                **aria(label="Filter the register"),
            ),
            panel,
            html.Div(register_table(frame, query), id="actions-register"),
            dcc.Store(id="actions-flag-id", data=int(flag) if flag.isdigit() else None),
            dcc.Store(id="flag-focus"),
        ]
    )


def save_flag_step(
    flag_id: int,
    step: str,
    note: str | None,
    action: str | None,
    owner: str | None,
    due_parts: tuple[str | None, str | None, str | None],
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Check and record one step; return the problems by field (none when saved) and the flag."""
    rt = runtime()
    due, due_error = parse_date_parts(*due_parts, name="The due date")
    change = FlagChange(step, rt.viewer.display_name, note, action, owner, due)
    flag = read_flag(rt.engine, flag_id)
    if flag is None:
        return {"step": f"There is no flag {flag_id}"}, None
    problems: dict[str, str] = {}
    try:
        check_change(flag, change, today=date.today())
    except FlagChangeError as exc:
        problems.update(exc.problems or {"step": str(exc)})
    if due_error and step == "action_planned":
        problems["due"] = due_error
    if problems:
        return problems, None
    try:
        saved = rt.writes.update_flag(
            flag_id,
            to_status=step,
            actor=rt.viewer.display_name,
            note=note,
            action=action,
            owner=owner,
            due_date=due,
        )
    except FlagChangeError as exc:  # changed by someone else since the check
        return exc.problems or {"step": str(exc)}, None
    return {}, saved


@callback(
    Output("flag-status", "children"),
    Output("flag-panel-body", "children"),
    Output("actions-register", "children"),
    Input("flag-save", "n_clicks"),
    State("actions-flag-id", "data"),
    State("flag-step", "value"),
    State("flag-note", "value"),
    State("flag-action", "value"),
    State("flag-owner", "value"),
    State("flag-due-day", "value"),
    State("flag-due-month", "value"),
    State("flag-due-year", "value"),
    State(FILTERS["status"], "value"),
    State(FILTERS["portfolio"], "value"),
    State(FILTERS["owner"], "value"),
    State(FILTERS["overdue"], "value"),
    prevent_initial_call=True,
)
def save_step(
    _clicks: int | None,
    flag_id: int,
    step: str,
    note: str | None,
    action: str | None,
    owner: str | None,
    due_day: str | None,
    due_month: str | None,
    due_year: str | None,
    status: str | None,
    portfolio: str | None,
    owner_filter: str | None,
    overdue: list[str] | None,
) -> tuple[Any, Any, Any]:
    """Record the chosen step; show the problems beside their fields, or a success banner, the
    redrawn panel and the register as it now stands, without reloading the page."""
    rt = runtime()
    if not rt.may("update_flag"):
        return f"Not saved: {denial('update_flag')}", dash.no_update, dash.no_update
    due_parts = (due_day, due_month, due_year)
    problems, saved = save_flag_step(int(flag_id), step, note, action, owner, due_parts)
    if saved is None:
        values = {"step": step, "note": note, "action": action, "owner": owner, "due": due_parts}
        return "", flag_panel(int(flag_id), values=values, problems=problems), dash.no_update
    detail = None
    if step == "action_planned":
        detail = f"{saved['action']}: owner {saved['owner']}, due {_day(saved['due_date'])}."
    banner = success_banner(
        f"Flag {int(flag_id)}: {DONE_WORDS.get(step, step)}.", detail, "flag-saved"
    )
    query = {
        k: v
        for k, v in {
            "status": status if status and status != "open" else "",
            "portfolio": portfolio or "",
            "owner": owner_filter or "",
            "overdue": "1" if overdue else "",
        }.items()
        if v
    }
    frame = register(
        rt.registry,
        rt.engine,
        status=status or "open",
        portfolio=portfolio or None,
        owner=owner_filter or None,
        overdue=bool(overdue),
    )
    return banner, flag_panel(int(flag_id)), register_table(frame, query)


# Focus follows the reader: to the panel when a flag is opened, to the error summary when a
# step was refused, to the success banner when it was saved (layouts/assets/pmf-forms.js)
dash.clientside_callback(
    ClientsideFunction(namespace="pmfForms", function_name="focusFlagPanel"),
    Output("flag-focus", "data"),
    Input("flag-panel-body", "children"),
)
