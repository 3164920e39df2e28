"""The reporting cycle's status: how complete a cycle is by directorate and by portfolio (the
share returned, approved and late), then every return; the same as `pmf cycle status`, with
its CSV to download."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from cycle.status import as_csv_rows, completeness, cycle_status
from cycle.worklist import cycle_periods
from layouts._components.a11y import aria
from layouts._components.cycle_tables import completeness_table, cycle_returns_table
from layouts._components.forms import labelled_select
from layouts._components.query import register_filter_navigation
from layouts._components.signin import sign_in_notice
from layouts._runtime import runtime
from metrics.engine.period_codes import parse_period_code
from metrics.registry.loader import Registry
from metrics.words import plural

dash.register_page(__name__, path="/cycle", title="Reporting cycle", name="Cycle")

FILTERS = {"period": "cycle-period"}
register_filter_navigation(FILTERS)


def chosen_status(period: str, today: date | None = None) -> tuple[pd.DataFrame, str | None]:
    """The returns of the chosen cycle (every open cycle when none is chosen), and a message
    when the period asked for is not a cycle."""
    rt = runtime()
    if not period:
        return cycle_status(rt.registry, rt.engine, today=today), None
    known = [p for p, _ in cycle_periods(rt.engine)]
    try:
        code = parse_period_code(period).code
    except ValueError as exc:
        return cycle_status(rt.registry, rt.engine, [], today=today), str(exc)
    if code not in known:
        listed = ", ".join(known) if known else "none yet"
        return (
            cycle_status(rt.registry, rt.engine, [], today=today),
            f"No cycle was opened for {code}. Cycles opened: {listed}.",
        )
    return cycle_status(rt.registry, rt.engine, [code], today=today), None


def csv_name(period: str) -> str:
    """The download's file name: the cycle's period, or 'open' for every open cycle."""
    return f"cycle-status-{period or 'open'}.csv"


def _chooser(period: str) -> html.Form:
    rt = runtime()
    options = [(p, p if is_open else f"{p} (closed)") for p, is_open in cycle_periods(rt.engine)]
    return html.Form(
        [
            labelled_select(
                "Cycle", FILTERS["period"], options, period, all_label="Every open cycle"
            )
        ],
        className="pmf-filters",
        role="search",
        **aria(label="Choose the cycle"),
    )


def layout(period: str = "", **_q: Any) -> html.Div:
    """The status of the chosen cycle (`period=2026-10`), or of every open cycle."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/cycle" + (f"?period={period}" if period else ""))
    frame, problem = chosen_status(period)
    me = rt.viewer.username
    officer = rt.may("manage_cycle")

    def may_open(row: pd.Series) -> bool:
        return officer or me in (row["owner"], row["approver"])

    which = f"the {period} cycle" if period and problem is None else "every open cycle"
    if frame.empty and problem is None:
        body: list[Any] = [
            html.P(
                "No cycle is open. The performance team opens one with 'pmf cycle open'."
                if not period
                else f"The {period} cycle has no returns.",
                id="cycle-none",
            )
        ]
    elif problem is not None:
        body = [html.P(problem, id="cycle-problem", className="pmf-field-error")]
    else:
        returned = int(frame["returned"].sum())
        late = int(frame["late"].astype(bool).sum())
        body = [
            html.P(
                f"{plural(len(frame), 'return')} in {which}: {returned} returned, "
                f"{int(frame['approved'].sum())} approved, {late} late.",
                id="cycle-summary",
            ),
            _completeness_section(rt.registry, frame, "directorate"),
            _completeness_section(rt.registry, frame, "portfolio"),
            html.Section(
                [
                    html.H2("Every return", id="cycle-returns-heading"),
                    html.Div(
                        [
                            html.Button(
                                "Download the status (CSV)",
                                id="cycle-csv-button",
                                type="button",
                                className="btn btn-secondary",
                            ),
                            dcc.Download(id="cycle-csv-download"),
                        ],
                        className="pmf-download",
                    ),
                    cycle_returns_table(frame, may_open),
                ],
                **aria(labelledby="cycle-returns-heading"),
            ),
        ]
    return html.Div(
        [
            html.H1("Reporting cycle", id="cycle-title"),
            html.P(
                "Where each data return stands: returned means its owner has submitted it, "
                "approved means it is signed off and loaded, late means its due date has "
                "passed and it has not been submitted.",
                className="pmf-lead",
            ),
            _chooser(period if problem is None else ""),
            *body,
            dcc.Store(id="cycle-chosen", data=period if problem is None else ""),
        ]
    )


@callback(
    Output("cycle-csv-download", "data"),
    Input("cycle-csv-button", "n_clicks"),
    State("cycle-chosen", "data"),
    prevent_initial_call=True,
)
def download_status(_clicks: int | None, period: str | None) -> Any:
    """The chosen cycle's status as `pmf cycle status --format csv` writes it."""
    frame, _problem = chosen_status(period or "")
    return dcc.send_data_frame(as_csv_rows(frame).to_csv, csv_name(period or ""), index=False)


def _completeness_section(registry: Registry, frame: pd.DataFrame, by: str) -> html.Section:
    """How complete the cycle is by directorate or by portfolio, under its own heading."""
    heading = f"cycle-{by}-heading"
    return html.Section(
        [
            html.H2(f"By {by}", id=heading),
            completeness_table(
                completeness(registry, frame, by),
                by,
                f"Share of returns returned, approved and late, by {by}",
            ),
        ],
        **aria(labelledby=heading),
    )
