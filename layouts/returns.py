"""My returns: the signed-in person's data returns in open cycles, each with its own form
(`/returns?return=<id>`), the returns waiting for their sign-off, the spreadsheet to fill in
instead, and (for the performance team) approved commentary to publish."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, callback, ctx, dcc, html

from cycle.closing import publish_commentary, restate
from cycle.entry import Figures, ReturnKey, ReturnRefused, save_return
from cycle.opening import CycleProblem
from cycle.signoff import approve_return, send_back
from cycle.states import EDITABLE, SUBMITTED
from cycle.workbook import read_upload, write_template
from cycle.worklist import commentary_to_publish, find_return, owner_returns, waiting_for_signoff
from layouts._components.a11y import aria
from layouts._components.cycle_tables import my_returns_table, waiting_list
from layouts._components.forms import success_banner
from layouts._components.return_forms import (
    ENTRY_FIELDS,
    RESTATE_FIELDS,
    SIGNOFF_FIELDS,
    entry_form,
    figures_read_only,
    ordered_problems,
    problem_summary,
    publish_form,
    restate_form,
    return_facts,
    sent_back_note,
    signoff_form,
)
from layouts._components.returns_upload import spreadsheet_section, upload_outcome
from layouts._components.signin import sign_in_notice
from layouts._runtime import Runtime, runtime
from metrics.words import plural

dash.register_page(__name__, path="/returns", title="My returns", name="My returns")

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes: a returns workbook is a few kilobytes


def _key(row: dict[str, Any]) -> ReturnKey:
    return ReturnKey(str(row["period"]), str(row["metric_id"]), str(row["area_code"]))


def return_panel(
    return_id: int,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    note: str | None = None,
    signoff_problems: dict[str, str] | None = None,
    publish_problems: dict[str, str] | None = None,
    restate_values: dict[str, Any] | None = None,
    restate_problems: dict[str, str] | None = None,
) -> Any:
    """One return as the viewer may act on it: its facts, then the owner's form (or the figure
    as sent), the approver's sign-off form, the officer's publish button."""
    rt = runtime()
    row = find_return(rt.registry, rt.engine, return_id)
    if row is None:
        return html.P(
            f"There is no return {return_id}. Your returns are listed on My returns.",
            id="return-missing",
        )
    me = rt.viewer.username
    owner, approver, officer = me == row["owner"], me == row["approver"], rt.may("manage_cycle")
    closed = not pd.isna(row.get("cycle_closed_at"))
    entering = owner and not closed and row["state"] in EDITABLE
    signing = approver and not closed and row["state"] == SUBMITTED
    publishing = officer and row.get("commentary_state") == "approved"
    # Every refusal heads the panel, linked to its fields, whether or not its form is still
    # shown (the return may have moved on, or the viewer may not use that form)
    refused = [
        problem_summary(ordered_problems(problems or {}, ENTRY_FIELDS), "return-error-summary"),
        problem_summary(
            ordered_problems(signoff_problems or {}, SIGNOFF_FIELDS), "signoff-error-summary"
        ),
        problem_summary(ordered_problems(publish_problems or {}, {}), "publish-error-summary"),
        problem_summary(
            ordered_problems(restate_problems or {}, RESTATE_FIELDS), "restate-error-summary"
        ),
    ]
    if not (owner or approver or officer):
        return html.Div(
            [
                *refused,
                html.P(
                    f"This return is {row['owner']}'s to enter and {row['approver']}'s to sign "
                    "off; only they and the performance team can open it.",
                    id="return-not-yours",
                ),
            ]
        )
    metric = (
        rt.registry.metric(row["metric_id"]) if rt.registry.has_metric(row["metric_id"]) else None
    )
    parts: list[Any] = [*refused, return_facts(row, metric), sent_back_note(row)]
    if entering:
        parts.append(entry_form(row, metric, values=values, problems=problems))
    else:
        parts.append(figures_read_only(row, metric))
        if closed:
            parts.append(
                html.P(
                    f"{row['period']} is closed, so this figure is locked. A change now is a "
                    "restatement, made by the performance team with a reason.",
                    id="return-locked",
                )
            )
            if officer:
                parts.append(
                    restate_form(row, metric, values=restate_values, problems=restate_problems)
                )
    if signing:
        parts.append(signoff_form(row, note=note, problems=signoff_problems))
    if publishing:
        parts.append(publish_form())
    return html.Div(parts)


def _single(return_id: str) -> list[Any]:
    rt = runtime()
    found = find_return(rt.registry, rt.engine, int(return_id)) if return_id.isdigit() else None
    title = (
        f"{found['metric_name']}: {found['area_name']}, {found['period_label']}"
        if found is not None
        else "A return"
    )
    return [
        html.P(dcc.Link("Back to My returns", href="/returns"), className="pmf-back"),
        html.H1(title, id="return-heading"),
        html.Section(
            [
                html.Div(id="return-save-status", role="status", **aria(live="polite")),
                html.Div(id="signoff-status", role="status", **aria(live="polite")),
                html.Div(id="publish-status", role="status", **aria(live="polite")),
                html.Div(id="restate-status", role="status", **aria(live="polite")),
                html.Div(
                    return_panel(int(return_id))
                    if return_id.isdigit()
                    else html.P(
                        f"'{return_id}' is not a return number. Your returns are listed on "
                        "My returns.",
                        id="return-missing",
                    ),
                    id="return-panel-body",
                ),
            ],
            id="return-panel",
            tabIndex=-1,
            **aria(labelledby="return-heading"),
        ),
        dcc.Store(id="return-id", data=int(return_id) if return_id.isdigit() else None),
        dcc.Store(id="return-focus"),
    ]


def _overview() -> list[Any]:
    rt = runtime()
    me = str(rt.viewer.username)
    mine = owner_returns(rt.registry, rt.engine, me)
    waiting = waiting_for_signoff(rt.registry, rt.engine, me)
    sections: list[Any] = [
        html.H1("My returns", id="returns-title"),
        html.P(
            "The figures you send each period for measures no feed holds. Open a return to "
            "enter its figure and commentary: save a draft as you go, then submit it to your "
            "approver, who approves it or sends it back with a note.",
            className="pmf-lead",
        ),
        html.Section(
            [
                html.H2("Your returns", id="returns-mine-heading"),
                html.Div(my_returns_table(rt.registry, mine), id="returns-mine"),
            ],
            **aria(labelledby="returns-mine-heading"),
        ),
    ]
    if not mine.empty:
        sections.append(spreadsheet_section())
    sections.append(
        html.Section(
            [
                html.H2("Waiting for your sign-off", id="returns-waiting-heading"),
                waiting_list(rt.registry, waiting, "returns-waiting", "Approve or send back")
                or html.P("Nothing is waiting for your sign-off.", id="returns-waiting-none"),
            ],
            **aria(labelledby="returns-waiting-heading"),
        )
    )
    if rt.may("manage_cycle"):
        to_publish = commentary_to_publish(rt.registry, rt.engine)
        sections.append(
            html.Section(
                [
                    html.H2("Approved commentary to publish", id="returns-publish-heading"),
                    waiting_list(rt.registry, to_publish, "returns-publish", "Review and publish")
                    or html.P("No approved commentary is waiting.", id="returns-publish-none"),
                ],
                **aria(labelledby="returns-publish-heading"),
            )
        )
    return sections


def layout(**query: Any) -> html.Div:
    """My returns, or (with `return=<id>`) one return's own view and forms."""
    rt = runtime()
    chosen = str(query.get("return") or "").strip()
    if not rt.may("read_internal"):
        return sign_in_notice("/returns" + ("?" + urlencode({"return": chosen}) if chosen else ""))
    return html.Div(_single(chosen) if chosen else _overview())


@callback(
    Output("return-save-status", "children"),
    Output("return-panel-body", "children", allow_duplicate=True),
    Input("return-save-draft", "n_clicks"),
    Input("return-submit", "n_clicks"),
    State("return-id", "data"),
    State("return-value", "value"),
    State("return-numerator", "value"),
    State("return-denominator", "value"),
    State("return-commentary", "value"),
    prevent_initial_call=True,
)
def save_figures(
    _draft: int | None,
    _submit: int | None,
    return_id: int,
    value: str | None,
    numerator: str | None,
    denominator: str | None,
    commentary: str | None,
) -> tuple[Any, Any]:
    """Save the owner's figures as a draft or submit them; a refusal redraws the form with
    each problem beside its field and what was typed kept."""
    submit = ctx.triggered_id == "return-submit"
    typed = {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "commentary": commentary or "",
    }

    def save(rt: Runtime, row: dict[str, Any]) -> Any:
        save_return(
            rt.registry,
            rt.engine,
            _key(row),
            Figures(value, numerator, denominator, commentary or ""),
            by=rt.viewer,
            submit=submit,
        )
        if submit:
            return success_banner(
                "Submitted for sign-off.",
                f"{row['approver']} will approve it or send it back with a note.",
                "return-saved",
            )
        return success_banner(
            "Saved as a draft.", "Submit it for sign-off when it is ready.", "return-saved"
        )

    return _act_on_return(
        int(return_id),
        save,
        lambda problems: return_panel(int(return_id), values=typed, problems=problems),
    )


@callback(
    Output("signoff-status", "children"),
    Output("return-panel-body", "children", allow_duplicate=True),
    Input("signoff-approve", "n_clicks"),
    Input("signoff-send-back", "n_clicks"),
    State("return-id", "data"),
    State("signoff-note", "value"),
    prevent_initial_call=True,
)
def sign_off(
    _approve: int | None, _send_back: int | None, return_id: int, note: str | None
) -> tuple[Any, Any]:
    """Approve the return (its figure is loaded) or send it back with the note."""
    approving = ctx.triggered_id == "signoff-approve"

    def decide(rt: Runtime, row: dict[str, Any]) -> Any:
        if approving:
            approve_return(rt.registry, rt.engine, _key(row), by=rt.viewer)
            return success_banner(
                "Approved.",
                "The figure is loaded into PMF and the measure has been judged again.",
                "signoff-done",
            )
        send_back(rt.registry, rt.engine, _key(row), note or "", by=rt.viewer)
        return success_banner(
            f"Sent back to {row['owner']}.",
            "They see your note beside the form and can submit it again.",
            "signoff-done",
        )

    return _act_on_return(
        int(return_id),
        decide,
        lambda problems: return_panel(int(return_id), note=note, signoff_problems=problems),
    )


@callback(
    Output("restate-status", "children"),
    Output("return-panel-body", "children", allow_duplicate=True),
    Input("restate-submit", "n_clicks"),
    State("return-id", "data"),
    State("restate-value", "value"),
    State("restate-numerator", "value"),
    State("restate-denominator", "value"),
    State("restate-reason", "value"),
    prevent_initial_call=True,
)
def restate_figure(
    _clicks: int | None,
    return_id: int,
    value: str | None,
    numerator: str | None,
    denominator: str | None,
    reason: str | None,
) -> tuple[Any, Any]:
    """Restate a locked figure with a reason (the performance team); it is loaded at once."""
    typed = {"value": value, "numerator": numerator, "denominator": denominator, "reason": reason}

    def change(rt: Runtime, row: dict[str, Any]) -> Any:
        restate(
            rt.registry,
            rt.engine,
            _key(row),
            Figures(value, numerator, denominator),
            reason or "",
            by=rt.viewer,
        )
        return success_banner(
            "Figure restated.",
            "It replaces the locked figure on every page; the one before is in the revision "
            "history.",
            "restate-done",
        )

    return _act_on_return(
        int(return_id),
        change,
        lambda problems: return_panel(
            int(return_id), restate_values=typed, restate_problems=problems
        ),
    )


@callback(
    Output("publish-status", "children"),
    Output("return-panel-body", "children", allow_duplicate=True),
    Input("publish-commentary", "n_clicks"),
    State("return-id", "data"),
    prevent_initial_call=True,
)
def publish(_clicks: int | None, return_id: int) -> tuple[Any, Any]:
    """Show the return's approved commentary to the public (the performance team)."""

    def show(rt: Runtime, row: dict[str, Any]) -> Any:
        publish_commentary(rt.registry, rt.engine, _key(row), by=rt.viewer)
        return success_banner(
            "Commentary published.", "The public now sees it beside the measure.", "publish-done"
        )

    return _act_on_return(
        int(return_id),
        show,
        lambda problems: return_panel(int(return_id), publish_problems=problems),
    )


def _act_on_return(
    return_id: int,
    act: Callable[[Runtime, dict[str, Any]], Any],
    refused: Callable[[dict[str, str]], Any],
) -> tuple[Any, Any]:
    """Do one step on a return and redraw its panel: with the step's banner, or with the
    refusal's messages beside their fields."""
    rt = runtime()
    row = find_return(rt.registry, rt.engine, return_id)
    if row is None:
        return "", return_panel(return_id)
    try:
        banner = act(rt, row)
    except ReturnRefused as problem:
        return "", refused(problem.fields)
    return banner, return_panel(return_id)


@callback(
    Output("returns-template-download", "data"),
    Output("returns-template-status", "children"),
    Input("returns-template-button", "n_clicks"),
    prevent_initial_call=True,
)
def download_template(_clicks: int | None) -> tuple[Any, Any]:
    """The signed-in owner's returns still to enter, as a workbook to fill in; or why there is
    nothing to put in one."""
    rt = runtime()
    owner = str(rt.viewer.username)
    out = io.BytesIO()
    try:
        rows = write_template(rt.registry, rt.engine, owner, out)
    except CycleProblem as problem:
        return dash.no_update, str(problem)
    return dcc.send_bytes(out.getvalue(), f"returns-{owner}.xlsx"), (
        f"Downloaded: {plural(rows, 'return')} to fill in."
    )


def read_upload_contents(contents: str | None) -> bytes | None:
    """The bytes of a file dcc.Upload sent (a data: URL), or None if it is not one."""
    if not contents or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


@callback(
    Output("returns-upload-status", "children"),
    Output("returns-mine", "children"),
    Input("returns-upload", "contents"),
    State("returns-upload", "filename"),
    prevent_initial_call=True,
)
def upload_workbook(contents: str | None, filename: str | None) -> tuple[Any, Any]:
    """Read a filled-in workbook back: every row checked, nothing saved unless all pass."""
    rt = runtime()
    data = read_upload_contents(contents)
    name = filename or "The file"
    if data is None or len(data) > UPLOAD_LIMIT:
        why = (
            f"{name} could not be read: choose the workbook downloaded from this page."
            if data is None
            else f"{name} is {len(data) // 1024:,} KB; a returns workbook is far smaller "
            f"(at most {UPLOAD_LIMIT // 1024 // 1024} MB). Choose the workbook downloaded "
            "from this page."
        )
        return upload_outcome(name, "Nothing was saved.", [why]), dash.no_update
    try:
        result = read_upload(rt.registry, rt.engine, data, by=rt.viewer, submit=True)
    except ReturnRefused as refused:  # a return changed meanwhile: the rows before were saved
        mine = owner_returns(rt.registry, rt.engine, str(rt.viewer.username))
        problems = list(refused.fields.values())
        return upload_outcome(name, "Not every row was saved.", problems), my_returns_table(
            rt.registry, mine
        )
    problems = [str(problem) for problem in result.problems]
    outcome = upload_outcome(name, result.summary(), problems, result.saved)
    if problems:
        return outcome, dash.no_update
    mine = owner_returns(rt.registry, rt.engine, str(rt.viewer.username))
    return outcome, my_returns_table(rt.registry, mine)


# Focus follows the reader, as GOV.UK forms do: to the error summary when something was
# refused, to the success banner when it was saved (layouts/assets/pmf-returns.js)
dash.clientside_callback(
    ClientsideFunction(namespace="pmfReturns", function_name="focusOutcome"),
    Output("return-focus", "data"),
    Input("return-panel-body", "children"),
    State("return-panel", "id"),
    prevent_initial_call=True,
)
dash.clientside_callback(
    ClientsideFunction(namespace="pmfReturns", function_name="focusOutcome"),
    Output("returns-upload-focus", "data"),
    Input("returns-upload-status", "children"),
    State("returns-upload-status", "id"),
    prevent_initial_call=True,
)
