"""The corrective-action register: filter flags, open one, and record each step of its lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from layouts._components.a11y import aria
from layouts._components.forms import labelled_field, labelled_select
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation
from layouts._components.signin import sign_in_notice
from layouts._components.tables import simple_table
from layouts._runtime import runtime
from metrics.flags.lifecycle import FlagChangeError, allowed_next
from metrics.flags.register import STATUS_WORDS, describe, owners, register
from warehouse.flags import read_flag, read_flag_events

dash.register_page(__name__, path="/actions", title="Corrective actions", name="Actions")

FILTERS = {
    "status": "actions-status",
    "portfolio": "actions-portfolio",
    "owner": "actions-owner",
    "overdue": "actions-overdue",
}
register_filter_navigation(FILTERS, lambda: {"status": "open"})

STEP_WORDS = {
    "acknowledged": "Acknowledge",
    "action_planned": "Record an action plan",
    "resolved": "Resolve",
    "closed": "Close with no action",
}


def register_table(frame: pd.DataFrame, query: dict[str, str]) -> Any:
    """The register as a table; each flag links to its own panel, keeping the filters."""
    if frame.empty:
        return html.P("No flags match these filters.", id="actions-empty")
    rows = frame.assign(
        due=[
            ("Overdue: " if late else "")
            + (pd.Timestamp(d).strftime("%d %b %Y") if pd.notna(d) else "")
            for d, late in zip(frame["due_date"], frame["action_overdue"], strict=True)
        ],
        raised=[pd.Timestamp(r).strftime("%d %b %Y") for r in frame["raised_at"]],
    )
    links = {
        int(i): dcc.Link(f"Flag {int(i)}", href="/actions?" + urlencode({**query, "flag": int(i)}))
        for i in rows["id"]
    }
    return simple_table(
        rows,
        {
            "id": "Flag",
            "rule_name": "Rule",
            "subject_name": "Subject",
            "area": "Area",
            "status_name": "Status",
            "owner": "Owner",
            "action": "Action",
            "due": "Due",
            "raised": "Raised",
        },
        caption=f"{len(rows)} flags",
        row_header="id",
        formatters={"id": lambda i: links[int(i)]},
        table_id="actions-table",
    )


def flag_panel(flag_id: int) -> Any:
    """One flag: what it is, its history, and a form for the next step."""
    rt = runtime()
    flag = read_flag(rt.engine, flag_id)
    if flag is None:
        return html.P(f"There is no flag {flag_id}.", id="flag-missing")
    described = describe(rt.registry, rt.engine, pd.DataFrame([flag])).iloc[0]
    events = read_flag_events(rt.engine, flag_id)
    steps = allowed_next(str(flag["status"]))
    history = html.Ol(
        [
            html.Li(
                f"{pd.Timestamp(e['event_at']):%d %b %Y %H:%M}: {e['actor']} — "
                f"{STATUS_WORDS.get(e['from_status'], 'raised') if e['from_status'] else 'Raised'}"
                f" → {STATUS_WORDS.get(e['to_status'], e['to_status'])}"
                + (f". {e['note']}" if e["note"] else "")
            )
            for _, e in events.iterrows()
        ],
        id="flag-history",
    )
    form: Any = html.P("This flag is finished: nothing more can be recorded.", id="flag-finished")
    if steps and not rt.may("update_flag"):
        form = html.P("Only the performance team can record the next step.", id="flag-read-only")
    elif steps:
        form = html.Div(
            [
                html.H3("Record the next step"),
                labelled_field(
                    "Recorded as",
                    dcc.Input(
                        id="flag-actor",
                        type="text",
                        className="form-control",
                        value=rt.viewer.display_name,
                        readOnly=True,
                    ),
                    "flag-actor",
                ),
                html.Div(
                    [
                        html.Label("Next step", htmlFor="flag-step"),
                        dbc.Select(
                            id="flag-step",
                            value=steps[0],
                            options=[{"label": STEP_WORDS.get(s, s), "value": s} for s in steps],
                        ),
                    ],
                    className="mb-2",
                ),
                labelled_field(
                    "Note (required to resolve or close)",
                    dcc.Textarea(id="flag-note", className="form-control", rows=2),
                    "flag-note",
                ),
                labelled_field(
                    "Action (for an action plan)",
                    dcc.Input(id="flag-action", type="text", className="form-control"),
                    "flag-action",
                ),
                labelled_field(
                    "Action owner",
                    dcc.Input(
                        id="flag-owner",
                        type="text",
                        className="form-control",
                        value=flag.get("owner") or "",
                    ),
                    "flag-owner",
                ),
                labelled_field(
                    "Due date",
                    date_input("flag-due"),
                    "flag-due",
                ),
                html.Button("Save this step", id="flag-save", className="btn btn-primary"),
            ],
            id="flag-form",
        )
    return html.Div(
        [
            html.H2(f"Flag {flag_id}: {described['rule_name']}", id="flag-heading"),
            html.Dl(
                [
                    part
                    for key, value in (
                        (
                            "Subject",
                            dcc.Link(described["subject_name"], href=described["href"])
                            if described["href"]
                            else described["subject_name"],
                        ),
                        ("Area", described["area"] or "—"),
                        ("Why", flag.get("detail") or "—"),
                        ("Status", described["status_name"]),
                        (
                            "Condition",
                            "Cleared on " + f"{pd.Timestamp(flag['condition_cleared_at']):%d %b %Y}"
                            if flag.get("condition_cleared_at")
                            else "Still holds",
                        ),
                        ("Owner", flag.get("owner") or "—"),
                        ("Action", flag.get("action") or "—"),
                        (
                            "Due",
                            f"{pd.Timestamp(flag['due_date']):%d %b %Y}"
                            if flag.get("due_date")
                            else "—",
                        ),
                    )
                    for part in (html.Dt(key), html.Dd(value))
                ],
                className="pmf-definition",
            ),
            html.H3("History"),
            history,
            form,
        ],
        className="pmf-panel",
    )


def date_input(component_id: str) -> Any:
    """A native date picker (keyboard-friendly and announced by screen readers)."""
    kind: Any = "date"  # the browser's own date control; the component passes the type through
    return dbc.Input(id=component_id, type=kind, className="form-control")


@cached_page
def layout(
    status: str = "open",
    portfolio: str = "",
    owner: str = "",
    overdue: str = "",
    flag: str = "",
    **_q: Any,
) -> html.Div:
    """The register, filtered from the query string; `flag` opens one flag's panel."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/actions")
    registry = rt.registry
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
            [flag_panel(int(flag)), html.P(id="flag-status", role="status", **aria(live="polite"))],
            id="flag-panel",
            **aria(labelledby="flag-heading"),
        )
    return html.Div(
        [
            html.H1("Corrective actions", id="actions-title"),
            html.P(
                "Flags are raised when a measure goes off target, shows special-cause concern or "
                "will not meet its target, when data is late, or when a milestone slips. Each is "
                "acknowledged, given an action plan with an owner and due date, and resolved, or "
                "closed with a reason. Every step is recorded.",
                className="pmf-lead",
            ),
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
        ]
    )


@callback(
    Output("flag-status", "children"),
    Output("flag-panel", "children"),
    Input("flag-save", "n_clicks"),
    State("actions-flag-id", "data"),
    State("flag-actor", "value"),
    State("flag-step", "value"),
    State("flag-note", "value"),
    State("flag-action", "value"),
    State("flag-owner", "value"),
    State("flag-due", "value"),
    prevent_initial_call=True,
)
def save_step(
    _clicks: int | None,
    flag_id: int,
    actor: str | None,
    step: str,
    note: str | None,
    action: str | None,
    owner: str | None,
    due: str | None,
) -> tuple[Any, Any]:
    """Record the chosen step through the app's single write path, then redraw the panel."""
    try:
        due_date = date.fromisoformat(due) if due else None
        runtime().writes.update_flag(
            int(flag_id),
            to_status=step,
            actor=actor or "",
            note=note,
            action=action,
            owner=owner,
            due_date=due_date,
        )
    except (FlagChangeError, ValueError) as exc:
        return f"Not saved: {exc}", dash.no_update
    saved = html.P(
        f"Saved: {STATUS_WORDS.get(step, step)}.",
        id="flag-status",
        role="status",
        **aria(live="polite"),
    )
    return dash.no_update, [flag_panel(int(flag_id)), saved]
