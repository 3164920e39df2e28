"""Savings delivery: this year's savings against plan, the MTFS with its stress tests, and every
proposal with its state, filtered by directorate, portfolio and state from the query string."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from layouts._components.forms import filter_form, labelled_select
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation, rows_chosen
from layouts._components.savings_view import (
    group_table,
    headline,
    mtfs_section,
    proposals_frame,
    proposals_table,
    section,
)
from layouts._runtime import runtime
from metrics.cells import safe_csv
from metrics.engine.savings import SAVING_STATUSES
from metrics.readmodel.finance import FinanceView, finance_view
from metrics.registry.loader import Registry
from metrics.words import saving_status_word

dash.register_page(__name__, path="/savings", title="Savings delivery", name="Savings")

FILTERS = {
    "directorate": "savings-directorate",
    "portfolio": "savings-portfolio",
    "status": "savings-status",
}
register_filter_navigation(FILTERS)


def filter_savings(
    savings: pd.DataFrame, directorate: str, portfolio: str, status: str
) -> pd.DataFrame:
    """Proposals matching every chosen filter (an empty filter matches all)."""
    chosen = {"directorate": directorate, "portfolio": portfolio, "status": status}
    return rows_chosen(savings, chosen)


def _mtfs(view: FinanceView, directorate: str, portfolio: str) -> pd.DataFrame:
    if not directorate and not portfolio:
        return view.mtfs
    return view.mtfs_for(directorate=directorate or None, portfolio=portfolio or None)


def savings_view(
    registry: Registry, view: FinanceView, directorate: str, portfolio: str, status: str
) -> list[Any]:
    """The page's body below the filters, for one view of the savings."""
    group = filter_savings(view.savings, directorate, portfolio, "")
    shown = filter_savings(group, "", "", status)
    internal = view.audience == "internal"
    group_name = " and ".join(
        registry.name_of(kind, ident)
        for kind, ident in (("directorates", directorate), ("portfolios", portfolio))
        if ident
    )
    children: list[Any] = [headline(group, view.by_year, view.year)]
    if internal:
        frame = _mtfs(view, directorate, portfolio)
        if not frame.empty:
            children.append(
                mtfs_section(
                    frame,
                    council=not directorate and not portfolio,
                    group_name=group_name,
                    year=view.year,
                )
            )
    else:
        children.append(
            html.P(
                "The MTFS and its stress tests are for councillors and officers: they are worked "
                "out from every proposal, and most proposals are not yet published.",
                id="savings-public-note",
                className="pmf-muted",
            )
        )
    what = f"{group_name}: " if group_name else ""
    state = f", {saving_status_word(status).lower()}" if status else ""
    children.append(
        section(
            "proposals-heading",
            "Proposals, most serious first",
            html.P(
                f"{len(shown)} of {len(view.savings)} proposals shown.",
                id="savings-shown",
                className="pmf-muted",
            ),
            proposals_table(
                shown, registry.name_of, f"{what}savings proposals in {view.year}{state}"
            )
            if not shown.empty
            else html.P("No proposal matches these filters.", id="savings-none"),
            html.Div(
                [
                    html.Button(
                        "Download these proposals (CSV)",
                        id="savings-download-button",
                        className="btn btn-secondary",
                        type="button",
                    ),
                    dcc.Download(id="savings-download"),
                    dcc.Store(
                        id="savings-download-filters",
                        data={"directorate": directorate, "portfolio": portfolio, "status": status},
                    ),
                ],
                className="pmf-download",
            )
            if not shown.empty
            else None,
        )
    )
    if not group.empty:
        tables = []
        for kind, items in (
            ("directorate", registry.plan.directorates),
            ("portfolio", registry.plan.portfolios),
        ):
            totals = view.by_group(kind)
            tables.append(
                group_table(
                    totals[totals[kind].isin(group[kind])],
                    kind,
                    {item.id: item.name for item in items},
                    f"Savings by {kind}, {view.year}",
                    f"savings-by-{kind}",
                )
            )
        children.append(
            section("groups-heading", f"By directorate and portfolio, {view.year}", *tables)
        )
    return children


@cached_page
def layout(directorate: str = "", portfolio: str = "", status: str = "", **_q: Any) -> html.Div:
    """Savings delivery this year, filtered from the query string."""
    rt = runtime()
    registry = rt.registry
    view = finance_view(registry, rt.engine, today=date.today(), audience=rt.audience)
    directorates = [(d.id, d.name) for d in registry.plan.directorates]
    portfolios = [(p.id, p.name) for p in registry.plan.portfolios]
    statuses = [(s, saving_status_word(s)) for s in SAVING_STATUSES]
    public = view.audience == "public"
    return html.Div(
        [
            html.H1("Savings delivery", id="savings-title"),
            html.P(
                "The savings in the council's costed plans against the Medium Term Financial "
                "Strategy (MTFS): what each proposal planned this year, the finance team's "
                "latest forecast, what has been delivered, and what earlier years left undone."
                + (" Only the proposals the council has published are shown." if public else ""),
                className="pmf-lead",
            ),
            filter_form(
                "Filter savings proposals",
                [
                    labelled_select(
                        "Directorate",
                        FILTERS["directorate"],
                        directorates,
                        directorate,
                        all_label="All",
                    ),
                    labelled_select(
                        "Portfolio", FILTERS["portfolio"], portfolios, portfolio, all_label="All"
                    ),
                    labelled_select("State", FILTERS["status"], statuses, status, all_label="All"),
                ],
            ),
            *savings_view(registry, view, directorate, portfolio, status),
        ]
    )


@callback(
    Output("savings-download", "data"),
    Input("savings-download-button", "n_clicks"),
    State("savings-download-filters", "data"),
    prevent_initial_call=True,
)
def download_proposals(_clicks: int | None, filters: dict[str, str] | None) -> dict[str, Any]:
    """The proposals the page shows, as CSV (text that a spreadsheet would run is made safe)."""
    rt = runtime()
    chosen = filters or {}
    view = finance_view(rt.registry, rt.engine, today=date.today(), audience=rt.audience)
    shown = filter_savings(
        view.savings,
        str(chosen.get("directorate") or ""),
        str(chosen.get("portfolio") or ""),
        str(chosen.get("status") or ""),
    )
    text = safe_csv(proposals_frame(shown, rt.registry.name_of))
    return dcc.send_string(text, f"savings-{view.year}.csv")
