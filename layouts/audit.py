"""The reporting cycle's audit trail: every step of every data return (asked for, draft,
submit, approve, send back, lock, restatement, publication, email) with who and when, on one
page, filtered by measure, person and dates through the address (a plain GET form), so a
filtered view can be shared as a link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import html

from cycle.trail import MOST_EVENTS, TrailFilters, audit_trail, parse_day, trail_people
from layouts._components.a11y import aria
from layouts._components.cycle_tables import trail_table
from layouts._components.forms import form_field
from layouts._components.return_forms import problem_summary
from layouts._components.signin import sign_in_notice
from layouts._runtime import runtime

dash.register_page(__name__, path="/audit", title="Audit trail", name="Audit")

FIELDS = {"metric": "audit-metric", "by": "audit-by", "from": "audit-from", "to": "audit-to"}


def _select(name: str, everything: str, options: list[tuple[str, str]], value: str) -> Any:
    # The first, empty choice matches everything; the placeholder shows it while chosen
    return dbc.Select(
        id=FIELDS[name],
        name=name,
        options=[{"label": label, "value": key} for key, label in [("", everything), *options]],
        value=value,
        placeholder=everything,
    )


def _date_box(name: str, value: str, error: bool) -> Any:
    return dbc.Input(
        id=FIELDS[name], name=name, type="date", value=value, invalid=error, className="pmf-input"
    )


def filter_form(
    metrics: list[tuple[str, str]],
    people: list[str],
    chosen: dict[str, str],
    problems: dict[str, str],
) -> html.Form:
    """The filters as a GET form: submitting it loads /audit with them in the address."""
    return html.Form(
        [
            form_field(
                "Measure",
                _select("metric", "Every measure", metrics, chosen["metric"]),
                FIELDS["metric"],
            ),
            form_field(
                "Person",
                _select("by", "Anyone", [(p, p) for p in people], chosen["by"]),
                FIELDS["by"],
            ),
            form_field(
                "From",
                _date_box("from", chosen["from"], "from" in problems),
                FIELDS["from"],
                hint="On or after this day.",
                error=problems.get("from"),
            ),
            form_field(
                "To",
                _date_box("to", chosen["to"], "to" in problems),
                FIELDS["to"],
                hint="On or before this day.",
                error=problems.get("to"),
            ),
            html.Div(
                [
                    html.Button("Show the steps", type="submit", className="btn btn-primary"),
                    html.A("Clear the filters", href="/audit", className="pmf-clear"),
                ],
                className="pmf-button-group",
            ),
        ],
        method="get",
        action="/audit",
        id="audit-filters",
        className="pmf-filters pmf-audit-filters",
        role="search",
        **aria(label="Filter the audit trail"),
    )


def layout(metric: str = "", by: str = "", **query: Any) -> html.Div:
    """The trail filtered by `metric`, `by` (a user name), `from` and `to` (YYYY-MM-DD)."""
    rt = runtime()
    chosen = {
        "metric": metric,
        "by": by,
        "from": str(query.get("from") or ""),
        "to": str(query.get("to") or ""),
    }
    if not rt.may("read_audit"):
        if not rt.viewer.signed_in:
            kept = {k: v for k, v in chosen.items() if v}
            return sign_in_notice("/audit" + ("?" + urlencode(kept) if kept else ""))
        return html.Div(
            [
                html.H1("Audit trail", id="audit-title"),
                html.P(
                    "The audit trail is for the performance team. Your own returns, and "
                    "their history, are on My returns.",
                    id="audit-refused",
                ),
            ]
        )
    since, since_problem = parse_day(chosen["from"], "from")
    until, until_problem = parse_day(chosen["to"], "to")
    problems = {k: v for k, v in (("from", since_problem), ("to", until_problem)) if v}
    if since and until and since > until:
        problems["to"] = "The 'to' date must be the same as or after the 'from' date."
    manual = [(m.id, m.name) for m in rt.registry.metrics if m.is_manual]
    if metric and metric not in {key for key, _ in manual} and rt.registry.has_metric(metric):
        manual.append((metric, rt.registry.metric(metric).name))
    if problems:
        shown: Any = html.P("Correct the dates to see the steps.", id="audit-empty")
    else:
        trail = audit_trail(rt.registry, rt.engine, TrailFilters(metric, by, since, until))
        shown = trail_table(trail, MOST_EVENTS)
    summary = problem_summary(
        [(FIELDS[k], problems[k]) for k in ("from", "to") if k in problems], "audit-error-summary"
    )
    return html.Div(
        [
            summary,
            html.H1("Audit trail", id="audit-title"),
            html.P(
                "Every step of every data return, with who took it and when: asked for, saved "
                "as draft, submitted, approved, sent back, locked, restated, commentary "
                "published and emails sent.",
                className="pmf-lead",
            ),
            filter_form(manual, trail_people(rt.engine), chosen, problems),
            shown,
        ]
    )
