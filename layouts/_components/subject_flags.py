"""A measure's open flags on its drill-down: every reason that holds, and the action planned."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from metrics.flags.register import NO_ACTION
from metrics.words import rule_word


def _flag_item(flag: Any) -> html.Li:
    area = f" in {flag['area']}" if flag["area"] else ""
    reasons = flag["reasons_held"]
    why: Any = (
        html.Ul([html.Li([html.Strong(rule_word(r.rule)), ": ", r.detail]) for r in reasons])
        if reasons
        else html.P(str(flag["reason_words"]))
    )
    action = str(flag["action_words"])
    overdue = bool(flag["action_overdue"])
    return html.Li(
        [
            html.H3(
                dcc.Link(f"Flag {int(flag['id'])}{area}", href=f"/actions?flag={int(flag['id'])}")
            ),
            html.P(f"Status: {flag['status_name']}. Owner: {flag['owner'] or 'not named'}."),
            why,
            html.P(
                ("Overdue action: " if overdue else "Action: ") + action
                if action != NO_ACTION
                else "No action has been planned yet.",
                className="pmf-flag-action",
            ),
        ]
    )


def subject_flags_section(
    flags: pd.DataFrame, *, what: str = "measure", prefix: str = "metric"
) -> html.Section:
    """The open flags of one measure (any area), or of another subject (`what`, a savings
    proposal say, its element ids starting `prefix`), with their reasons and actions."""
    body: Any = (
        html.P(f"No flags are open for this {what}.", id=f"{prefix}-flags-none")
        if flags.empty
        else html.Ul(
            [_flag_item(flag) for _, flag in flags.iterrows()],
            className="pmf-flag-list",
            id=f"{prefix}-flags-list",
        )
    )
    return html.Section(
        [
            html.H2("Flags and actions", id=f"{prefix}-flags-heading"),
            body,
            html.P(dcc.Link("All flags and actions", href="/actions")),
        ],
        id=f"{prefix}-flags",
        **aria(labelledby=f"{prefix}-flags-heading"),
    )
