"""Builders for one data return: its facts, the owner's entry form, the approver's sign-off
form and the officer's publish button, in the GOV.UK form pattern (an error summary at the
top linked to each field, the message beside the field)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.forms import form_field, text_area
from layouts._components.status import rag_badge
from metrics.format import format_value
from metrics.registry.model import Metric
from metrics.words import COMMENTARY_STATE, LATE, RETURN_STATE, rag_word, return_state_word

# The owner's fields, in the order they appear (an error summary lists them so)
ENTRY_FIELDS = {
    "value": "return-value",
    "numerator": "return-numerator",
    "denominator": "return-denominator",
    "commentary": "return-commentary",
}
SIGNOFF_FIELDS = {"note": "signoff-note"}
RESTATE_FIELDS = {
    "value": "restate-value",
    "numerator": "restate-numerator",
    "denominator": "restate-denominator",
    "reason": "restate-reason",
}
VALUE_HINTS = {
    "percent": "A percentage, without the % sign: for example 92.5.",
    "count": "A number: for example 12.",
    "GBP": "Pounds, without the £ sign: for example 125000.",
    "days": "A number of days: for example 4.5.",
    "rate per 10k": "A rate per 10,000: for example 18.3.",
    "rate per 100k": "A rate per 100,000: for example 183.",
}


def day_words(value: Any) -> str:
    """A date as '30 Nov 2026' ('' for none)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return f"{pd.Timestamp(value):%-d %b %Y}"


def figure_words(value: Any, metric: Metric | None) -> str:
    """A figure in its measure's unit ('' for none)."""
    if value is None or pd.isna(value):
        return ""
    return format_value(float(value), metric) if metric is not None else f"{float(value):g}"


def state_words(row: dict[str, Any]) -> str:
    """Where a return stands, with Late when it is."""
    word = return_state_word(str(row["state"]))
    return f"{word} · {LATE}" if bool(row.get("late")) else word


def problem_summary(problems: list[tuple[str | None, str]], summary_id: str) -> html.Div | None:
    """'There is a problem', then each message: a link to its field, or plain text for a
    problem with the whole form; None when there is none."""
    if not problems:
        return None
    title_id = f"{summary_id}-title"
    return html.Div(
        [
            html.H2("There is a problem", id=title_id, className="pmf-error-summary-title"),
            html.Ul(
                [
                    html.Li(html.A(message, href=f"#{field}") if field else message)
                    for field, message in problems
                ]
            ),
        ],
        id=summary_id,
        className="pmf-error-summary",
        role="alert",
        tabIndex=-1,
        **aria(labelledby=title_id),
    )


def ordered_problems(
    problems: dict[str, str], fields: dict[str, str]
) -> list[tuple[str | None, str]]:
    """A refusal's messages in the order of the form's fields; the whole form's first."""
    listed: list[tuple[str | None, str]] = [(None, problems[""])] if problems.get("") else []
    listed += [(fields[name], problems[name]) for name in fields if problems.get(name)]
    listed += [(None, m) for k, m in problems.items() if k and k not in fields and m]
    return listed


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def return_facts(row: dict[str, Any], metric: Metric | None) -> html.Dl:
    """The return at a glance: area, period, due date, state, target and the last figure."""
    last = figure_words(row.get("last_value"), metric)
    facts = [
        ("Area", row.get("area_name") or row["area_code"]),
        ("Period", row.get("period_label") or row["period"]),
        ("Due", day_words(row.get("due"))),
        ("State", state_words(row)),
        ("What that means", _sentence_case(RETURN_STATE.get(str(row["state"]), ("", ""))[1])),
        ("Target", figure_words(row.get("target"), metric) or rag_word("no_target")),
        ("Last figure", f"{last} ({row['last_period']})" if last else "None held before"),
        ("Owner", row["owner"]),
        ("Approver", row["approver"]),
    ]
    return html.Dl(
        [part for key, value in facts if value for part in (html.Dt(key), html.Dd(value))],
        className="pmf-definition",
        id="return-facts",
    )


def sent_back_note(row: dict[str, Any]) -> html.Div | None:
    """The approver's note on a return sent back, for the owner to act on."""
    if str(row["state"]) != "returned" or not row.get("note"):
        return None
    return html.Div(
        [
            html.H3("Sent back by the approver", className="pmf-subhead"),
            html.P(
                f"{row.get('decided_by') or row['approver']} sent this back on "
                f"{day_words(row.get('decided_at'))}:"
            ),
            html.Blockquote(str(row["note"]), id="return-sent-back-note"),
        ],
        className="pmf-panel",
        id="return-sent-back",
    )


def _figure_input(field: str, value: Any, error: bool, ids: dict[str, str] | None = None) -> Any:
    # Text with a decimal keypad, as GOV.UK advises for numbers (type=number drops what it
    # cannot read, so the error could not quote it back)
    return dbc.Input(
        id=(ids or ENTRY_FIELDS)[field],
        type="text",
        inputMode="decimal",
        value="" if value is None else str(value),
        invalid=error,
        className="pmf-input pmf-figure-input",
        autoComplete="off",
    )


FIGURE_HINTS = {
    "numerator": "The count on top of the fraction: for example, the cases done on time.",
    "denominator": "The count it is out of: for example, all the cases.",
}


def figure_fields(
    row: dict[str, Any],
    metric: Metric | None,
    values: dict[str, Any],
    problems: dict[str, str],
    ids: dict[str, str],
    *,
    new: bool = False,
) -> list[Any]:
    """The value field, and numerator and denominator where the measure has them (hidden
    blanks otherwise, so one callback serves every measure); `new` labels them as new figures."""
    names = ["value", *(["numerator", "denominator"] if row.get("fraction") else [])]
    hints = {**FIGURE_HINTS, "value": VALUE_HINTS.get(metric.unit if metric else "", "A number.")}
    fields: list[Any] = [
        form_field(
            f"New {name}" if new else name.capitalize(),
            _figure_input(name, values.get(name), name in problems, ids),
            ids[name],
            hint=hints[name],
            error=problems.get(name),
        )
        for name in names
    ]
    return fields + [
        dcc.Input(id=ids[name], type="hidden", value="")
        for name in ("numerator", "denominator")
        if name not in names
    ]


def entry_form(
    row: dict[str, Any],
    metric: Metric | None,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
) -> html.Div:
    """The owner's form: value (numerator and denominator where the measure has them),
    commentary, "Save as draft" and "Submit for sign-off"; what was typed is kept, and each
    problem shown beside its field (the page heads them with `problem_summary`)."""
    problems = problems or {}
    if values is None:

        def stored(name: str) -> str:
            value = row.get(name)
            return "" if value is None or pd.isna(value) else f"{float(value):g}"

        values = {
            "value": stored("value"),
            "numerator": stored("numerator"),
            "denominator": stored("denominator"),
            "commentary": row.get("commentary") or "",
        }
    fields = figure_fields(row, metric, values, problems, ENTRY_FIELDS)
    fields.append(
        form_field(
            "Commentary",
            text_area(
                ENTRY_FIELDS["commentary"], values.get("commentary"), error="commentary" in problems
            ),
            ENTRY_FIELDS["commentary"],
            hint="Needed when the figure is off target: say why, and what is being done about "
            "it. Your approver reads it before signing the figure off.",
            error=problems.get("commentary"),
        )
    )
    return html.Div(
        [
            html.H2("Enter the figure", id="return-form-heading"),
            *fields,
            html.Div(
                [
                    html.Button(
                        "Submit for sign-off",
                        id="return-submit",
                        type="button",
                        className="btn btn-primary",
                    ),
                    html.Button(
                        "Save as draft",
                        id="return-save-draft",
                        type="button",
                        className="btn btn-secondary",
                    ),
                ],
                className="pmf-button-group",
            ),
        ],
        id="return-form",
        className="pmf-form",
    )


def figures_read_only(row: dict[str, Any], metric: Metric | None) -> html.Div:
    """The figure and commentary as sent, for a return that can no longer be changed here."""
    facts: list[tuple[str, Any]] = [
        ("Figure", figure_words(row.get("value"), metric) or "None entered"),
        ("Status", rag_badge(str(row.get("rag") or "no_data"))),
    ]
    if row.get("fraction"):
        facts += [
            ("Numerator", figure_words(row.get("numerator"), None)),
            ("Denominator", figure_words(row.get("denominator"), None)),
        ]
    facts += [
        ("Commentary", row.get("commentary") or "None"),
        (
            "Commentary is",
            COMMENTARY_STATE.get(str(row.get("commentary_state")), "")
            if row.get("commentary")
            else "",
        ),
    ]
    return html.Div(
        [
            html.H2("The figure sent", id="return-sent-heading"),
            html.Dl(
                [part for key, value in facts if value for part in (html.Dt(key), html.Dd(value))],
                className="pmf-definition",
            ),
        ],
        id="return-read-only",
    )


def signoff_form(
    row: dict[str, Any], *, note: str | None = None, problems: dict[str, str] | None = None
) -> html.Div:
    """The approver's form: approve, or send back with a note saying what should change."""
    problems = problems or {}
    return html.Div(
        [
            html.H2("Sign it off", id="signoff-heading"),
            html.P(
                f"Approving loads the figure into PMF and approves {row['owner']}'s commentary "
                "(for internal readers). Sending it back returns it to them to change."
            ),
            form_field(
                "Note for the owner",
                text_area(SIGNOFF_FIELDS["note"], note, error="note" in problems),
                SIGNOFF_FIELDS["note"],
                hint="Needed to send it back: say what should change.",
                error=problems.get("note"),
            ),
            html.Div(
                [
                    html.Button(
                        "Approve", id="signoff-approve", type="button", className="btn btn-primary"
                    ),
                    html.Button(
                        "Send back",
                        id="signoff-send-back",
                        type="button",
                        className="btn btn-secondary",
                    ),
                ],
                className="pmf-button-group",
            ),
        ],
        id="signoff-form",
        className="pmf-form",
    )


def restate_form(
    row: dict[str, Any],
    metric: Metric | None,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
) -> html.Div:
    """The officer's form to restate a locked figure: the new figures and the reason, which
    the revision history and the audit trail keep."""
    problems, values = problems or {}, values or {}
    fields = figure_fields(row, metric, values, problems, RESTATE_FIELDS, new=True)
    fields.append(
        form_field(
            "Reason for the restatement",
            text_area(RESTATE_FIELDS["reason"], values.get("reason"), error="reason" in problems),
            RESTATE_FIELDS["reason"],
            hint="Why the locked figure changes, e.g. late cases found in an audit. It is kept "
            "in the measure's revision history.",
            error=problems.get("reason"),
        )
    )
    return html.Div(
        [
            html.H2("Restate the figure", id="restate-heading"),
            html.P(
                "The period is closed. A corrected figure replaces the locked one on every page "
                "and pack; the one it replaces stays in the revision history."
            ),
            *fields,
            html.Button(
                "Restate the figure",
                id="restate-submit",
                type="button",
                className="btn btn-primary",
            ),
        ],
        id="restate-form",
        className="pmf-form",
    )


def publish_form() -> html.Div:
    """The officer's button to show approved commentary to the public."""
    return html.Div(
        [
            html.H2("Publish the commentary", id="publish-heading"),
            html.P(
                "The commentary is approved and seen by councillors and officers. Publishing "
                "shows it to the public beside the measure."
            ),
            html.Button(
                "Publish the commentary",
                id="publish-commentary",
                type="button",
                className="btn btn-primary",
            ),
        ],
        id="publish-form",
        className="pmf-form",
    )
