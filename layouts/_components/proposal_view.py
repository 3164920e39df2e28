"""One savings proposal's builders: its facts, every reason for its state, the costed plan by
year and the monthly trend this year (each chart with its table), milestones and risks."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.charts import GRAPH_CONFIG
from layouts._components.finance_links import risk_href
from layouts._components.milestone_view import milestone_badge
from layouts._components.savings_view import (
    GREEN,
    delivery_bars,
    marked_line,
    money,
    section,
    status_badge,
)
from layouts._components.tables import simple_table
from metrics.figures import BLUE, INK, ORANGE, Figure, base_layout
from metrics.words import risk_rating_word

PLAN_COLUMNS = {
    "year": "Year",
    "planned": "Planned saving",
    "costs": "One-off costs",
    "forecast": "Forecast",
    "delivered": "Delivered",
    "unrealised": "Not realised",
}


def chart_beside_table(graph: dcc.Graph, title: str, caption: str, table: Any) -> html.Div:
    """A named chart with the table of its figures beside it (below it on a narrow screen)."""
    return html.Div(
        [
            html.Figure(
                [graph, html.Figcaption(caption, className="pmf-muted")],
                className="pmf-figure",
                **aria(label=f"Chart: {title}"),
            ),
            table,
        ],
        className="pmf-beside",
    )


def facts(rows: list[tuple[str, Any]]) -> html.Dl:
    """A proposal's facts as a definition list (label, value)."""
    return html.Dl(
        [part for label, value in rows for part in (html.Dt(label), html.Dd(value))],
        className="pmf-definition",
        id="proposal-facts",
    )


def state_section(proposal: dict[str, Any]) -> html.Section:
    """The state this year and every reason bearing on it, in words."""
    reasons = proposal["reasons"] or ()
    commentary = proposal.get("commentary")
    as_at = proposal.get("as_at")
    return section(
        "proposal-state-heading",
        f"State in {proposal['year']}",
        html.P(status_badge(str(proposal["status"])), id="proposal-status"),
        html.Ul([html.Li(r.text) for r in reasons], id="proposal-reasons")
        if reasons
        else html.P("Nothing stands in its way.", id="proposal-reasons"),
        html.P(
            [
                html.Strong(
                    "Finance commentary"
                    + (
                        f" ({pd.Timestamp(as_at):%B %Y})"
                        if as_at is not None and pd.notna(as_at)
                        else ""
                    )
                    + ": "
                ),
                str(commentary),
            ],
            id="proposal-commentary",
        )
        if isinstance(commentary, str) and commentary
        else None,
    )


def plan_figure(plan: pd.DataFrame) -> Figure:
    """The saving planned, forecast and delivered each year as bars, one-off costs as a line."""
    years = [str(y) for y in plan["year"]]
    data = [
        *delivery_bars(plan, "Planned saving"),
        marked_line(years, plan["costs"], "One-off costs", ORANGE, "dash", "triangle-up", 10),
    ]
    layout = base_layout("£", 360)
    layout.update(barmode="group", legend={"orientation": "h", "y": -0.25})
    layout["yaxis"]["tickprefix"] = "£"
    return {"data": data, "layout": layout}


def plan_section(plan: pd.DataFrame, title: str) -> html.Section:
    """The costed plan by year as a chart and a table."""
    numbers = [c for c in PLAN_COLUMNS if c != "year"]
    table = simple_table(
        plan,
        PLAN_COLUMNS,
        caption=f"Costed plan of {title}, by financial year",
        row_header="year",
        formatters={c: money for c in numbers},
        numeric=numbers,
        table_id="proposal-plan-table",
    )
    return section(
        "proposal-plan-heading",
        "Costed plan by year",
        html.P(
            "Years before this one show what their final return delivered and what was not "
            "realised (carried forward); this year the latest forecast; later years the plan.",
            className="pmf-muted",
        ),
        chart_beside_table(
            dcc.Graph(id="proposal-plan-chart", figure=plan_figure(plan), config=GRAPH_CONFIG),
            "Costed plan by year",
            "Bars: the saving planned (plain), forecast (striped) and delivered (crossed) "
            "each year; the dashed line with triangles is one-off costs. The table beside "
            "it gives the same figures.",
            table,
        ),
    )


def history_figure(history: pd.DataFrame, planned: float) -> Figure:
    """This year's forecast and delivered to date, month by month, against the plan."""
    months = [f"{pd.Timestamp(d):%b %Y}" for d in history["as_at"]]
    data = [
        marked_line(months, history["forecast"], "Forecast for the year", BLUE, "solid", "circle"),
        marked_line(months, history["delivered"], "Delivered to date", GREEN, "dash", "square"),
        {
            "type": "scatter",
            "mode": "lines",
            "x": months,
            "y": [planned] * len(months),
            "name": "Planned for the year",
            "line": {"color": INK, "width": 2, "dash": "dot"},
        },
    ]
    layout = base_layout("£", 340)
    layout["yaxis"]["tickprefix"] = "£"
    layout["xaxis"]["type"] = "category"
    return {"data": data, "layout": layout}


def history_section(history: pd.DataFrame, year: str, planned: float, title: str) -> html.Section:
    """Each month's return this year as a chart and a table, or a sentence if none came in."""
    heading = f"Month by month in {year}"
    if history.empty:
        body: list[Any] = [
            html.P(f"No delivery return has come in for {year} yet.", id="proposal-history-none")
        ]
    else:
        shown = history.assign(
            month=[f"{pd.Timestamp(d):%B %Y}" for d in history["as_at"]],
            commentary=history["commentary"].fillna(""),
        )
        table = simple_table(
            shown.iloc[::-1],
            {
                "month": "Month",
                "forecast": "Forecast for the year",
                "delivered": "Delivered to date",
                "commentary": "Commentary",
            },
            caption=f"{title}: monthly returns in {year}, newest first",
            row_header="month",
            formatters={"forecast": money, "delivered": money},
            numeric=("forecast", "delivered"),
            table_id="proposal-history-table",
        )
        body = [
            chart_beside_table(
                dcc.Graph(
                    id="proposal-history-chart",
                    figure=history_figure(history, planned),
                    config=GRAPH_CONFIG,
                ),
                heading,
                f"The forecast for the year (solid line, circles) and the saving delivered to "
                f"date (dashed line, squares) at each month's return, against the "
                f"{money(planned)} planned (dotted line). The table beside it gives the figures.",
                table,
            )
        ]
    return section(
        "proposal-history-heading",
        heading,
        *body,
    )


def milestones_section(
    milestones: pd.DataFrame, wanted: tuple[str, ...], link: bool
) -> html.Section:
    """The milestones the saving depends on, with their states."""
    known = milestones[milestones["id"].astype(str).isin(wanted)]
    missing = [m for m in wanted if m not in set(known["id"].astype(str))]
    items: list[Any] = [
        html.Li(
            [
                dcc.Link(str(row["title"]), href=f"/milestones?programme={row['programme']}")
                if link
                else str(row["title"]),
                " ",
                milestone_badge(str(row["status"])),
                html.Span(
                    f" forecast {pd.Timestamp(row['forecast_date']):%d %b %Y}"
                    if pd.notna(row["forecast_date"])
                    else "",
                    className="pmf-muted",
                ),
            ]
        )
        for _, row in known.iterrows()
    ]
    items += [html.Li(f"{m}: not in the programme tracker") for m in missing]
    return section(
        "proposal-milestones-heading",
        "Milestones it depends on",
        _list_or(items, "proposal-milestones", "It depends on no milestone in the tracker."),
    )


def risks_section(risks: pd.DataFrame) -> html.Section:
    """The risks that threaten the saving, with their scores, linking to the register."""
    items = [
        html.Li(
            [
                dcc.Link(f"{row['risk_id']}: {row['title']}", href=risk_href(str(row["risk_id"]))),
                f" scores {int(row['score'])} ({risk_rating_word(str(row['rating'])).lower()}), "
                + (
                    f"above the appetite of {int(row['appetite'])}"
                    if bool(row["above_appetite"])
                    else f"within the appetite of {int(row['appetite'])}"
                ),
            ]
        )
        for _, row in risks.iterrows()
    ]
    return section(
        "proposal-risks-heading",
        "Risks that threaten it",
        _list_or(items, "proposal-risks", "No risk in the register names it."),
    )


def _list_or(items: list[Any], ident: str, none: str) -> html.Ul | html.P:
    # One id either way: whatever reads the section finds the list or the sentence in its place
    return html.Ul(items, id=ident) if items else html.P(none, id=ident)
