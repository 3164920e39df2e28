"""Savings builders: headline figures, the MTFS chart and its table, the proposals' tables.

Everything here formats what metrics.readmodel.finance returns; nothing is judged again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from layouts._components.a11y import aria
from layouts._components.tables import simple_table
from metrics.engine.mtfs import mtfs_horizon
from metrics.engine.savings import SAVING_STATUSES
from metrics.figures import BLUE, GREY, INK, ORANGE, PURPLE, Figure, base_layout, values_of
from metrics.format import format_money
from metrics.words import SAVING_STATUS, plural, saving_status_word

GREEN = "#00703c"
# How each state is drawn beside its symbol and word (metrics.words)
STATUS_CSS = {
    "delivered": "green",
    "on_track": "none",
    "at_risk": "amber",
    "will_not_deliver": "red",
}
# Most serious first: the order a table of proposals is read in
SEVERITY = {status: rank for rank, status in enumerate(SAVING_STATUSES)}
STRESS_TESTS = (
    (
        "Stress test 1: every saving at risk slips one year",
        "If each saving now at risk (or that will not deliver) keeps only what it has delivered "
        "so far this year, and every later year gets the saving planned for the year before, "
        "how much of the gap is left?",
    ),
    (
        "Stress test 2: only savings on track are delivered",
        "If, from this year on, only the savings on track or already delivered count, and the "
        "others keep only what they have delivered so far, how much of the gap is left?",
    ),
)
NO_FIGURE = "—"


def money(value: Any) -> str:
    """Pounds as £1.2m / £350k / £900, or a dash for no figure."""
    return format_money(value, NO_FIGURE)


def status_badge(status: str) -> html.Span:
    """A proposal's state as a symbol and a word."""
    symbol = SAVING_STATUS.get(status, ("?", ""))[0]
    return html.Span(
        [html.Span(symbol, **aria(hidden="true")), saving_status_word(status)],
        className=f"pmf-rag pmf-rag-{STATUS_CSS.get(status, 'none')}",
    )


def status_text(status: str) -> str:
    """A proposal's state as symbol and word in plain text (for downloads)."""
    return f"{SAVING_STATUS.get(status, ('?', ''))[0]} {saving_status_word(status)}"


def main_reason(reasons: Any) -> str:
    """The most serious reason bearing on a proposal (the read model lists them in order)."""
    return str(reasons[0].text) if reasons else ""


def this_year(by_year: pd.DataFrame, year: str, proposal_ids: Any) -> pd.DataFrame:
    """Rows of `by_year` for the current year and the given proposals."""
    return by_year[(by_year["year"] == year) & by_year["proposal_id"].isin(list(proposal_ids))]


def headline(savings: pd.DataFrame, by_year: pd.DataFrame, year: str) -> html.Section:
    """This year's planned, forecast, delivered and carried forward, and the count by state."""
    now = this_year(by_year, year, savings["proposal_id"])
    figures = [
        ("Planned", money(savings["planned"].sum()), "headline-planned"),
        (
            "Forecast (the plan where no return has come in yet)",
            money(now["forecast"].sum()),
            "headline-forecast",
        ),
        ("Delivered to date", money(savings["delivered"].sum()), "headline-delivered"),
        (
            "Carried forward from earlier years",
            money(savings["carried_forward"].sum()),
            "headline-carried",
        ),
    ]
    counts = savings["status"].value_counts()
    return section(
        "savings-headline-heading",
        f"This financial year, {year}",
        html.Dl(
            [
                part
                for label, value, ident in figures
                for part in (html.Dt(label), html.Dd(value, id=ident))
            ],
            className="pmf-readings",
            id="savings-headline",
        ),
        html.P(
            f"{plural(len(savings), 'proposal')}: ",
            className="pmf-summary",
            id="savings-counts-lead",
        ),
        html.Ul(
            [html.Li([status_badge(s), f" {int(counts.get(s, 0))}"]) for s in SAVING_STATUSES],
            className="pmf-status-counts",
            id="savings-counts",
            **aria(label="Proposals by state"),
        ),
    )


def delivery_bars(frame: pd.DataFrame, planned: str = "Planned") -> list[dict[str, Any]]:
    """The saving planned, forecast and delivered each year (`frame["year"]`) as bars told
    apart by their fill as well as colour: plain, striped and crossed."""
    years = [str(y) for y in frame["year"]]
    return [
        {
            "type": "bar",
            "x": years,
            "y": values_of(frame[column]),
            "name": name,
            "marker": {
                "color": colour,
                "line": {"color": INK, "width": 1},
                "pattern": {"shape": pattern, "fgcolor": "#ffffff", "solidity": 0.25},
            },
        }
        for column, name, colour, pattern in (
            ("planned", planned, GREY, ""),
            ("forecast", "Forecast", BLUE, "/"),
            ("delivered", "Delivered", GREEN, "x"),
        )
    ]


def marked_line(
    x: list[str], y: pd.Series, name: str, colour: str, dash: str, symbol: str, size: int = 9
) -> dict[str, Any]:
    """A line with a marker at each point, told apart by its dashes and marker shape as well
    as colour."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": x,
        "y": values_of(y),
        "name": name,
        "line": {"color": colour, "dash": dash, "width": 3},
        "marker": {"symbol": symbol, "size": size, "color": colour},
    }


def mtfs_figure(frame: pd.DataFrame, *, council: bool) -> Figure:
    """Savings planned, forecast and delivered by year as bars, the gap (for the council) and
    both stress tests as lines; each series differs by pattern or marker, not colour alone."""
    years = [str(y) for y in frame["year"]]

    def line(column: str, name: str, colour: str, dash: str, symbol: str) -> dict[str, Any]:
        return marked_line(years, frame[column], name, colour, dash, symbol)

    data = delivery_bars(frame)
    if council:
        data.append(line("gap", "MTFS gap", INK, "solid", "square"))
    data.append(line("slip_forecast", "Stress test 1: at-risk savings slip", ORANGE, "dash", "x"))
    data.append(
        line("on_track_forecast", "Stress test 2: only on-track savings", PURPLE, "dot", "diamond")
    )
    layout = base_layout("£ a year", 420)
    layout.update(
        barmode="group",
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 10, "t": 20, "b": 40},
    )
    layout["yaxis"]["tickprefix"] = "£"
    return {"data": data, "layout": layout}


MTFS_COLUMNS = {
    "year": "Year",
    "gap": "MTFS gap",
    "planned": "Planned",
    "forecast": "Forecast",
    "delivered": "Delivered",
    "carried_forward": "Carried forward",
    "remaining_gap": "Gap left after the forecast",
    "slip_forecast": "Stress test 1: savings",
    "slip_gap": "Stress test 1: gap left",
    "on_track_forecast": "Stress test 2: savings",
    "on_track_gap": "Stress test 2: gap left",
}
GROUP_MTFS_COLUMNS = (
    "year",
    "planned",
    "forecast",
    "delivered",
    "carried_forward",
    "slip_forecast",
    "on_track_forecast",
)


def mtfs_table(frame: pd.DataFrame, *, council: bool, caption: str) -> html.Div:
    """The MTFS chart's figures as a table (without the gap's columns for a group)."""
    columns = (
        MTFS_COLUMNS
        if council
        else {k: v for k, v in MTFS_COLUMNS.items() if k in GROUP_MTFS_COLUMNS}
    )
    return simple_table(
        frame,
        columns,
        caption=caption,
        row_header="year",
        formatters={k: money for k in columns if k != "year"},
        numeric=[k for k in columns if k != "year"],
        table_id="mtfs-table",
    )


def stress_test_notes() -> html.Dl:
    """What each stress test asks, in a sentence."""
    return html.Dl(
        [part for title, text in STRESS_TESTS for part in (html.Dt(title), html.Dd(text))],
        className="pmf-stress-tests",
        id="stress-tests",
    )


def horizon_words(frame: pd.DataFrame, year: str) -> html.P | None:
    """The gap and both stress tests added up from this year to the strategy's last year."""
    horizon = mtfs_horizon(frame, year)
    if horizon is None:
        return None
    return html.P(
        f"Added up from {horizon['first']} to {horizon['last']}, the gap is "
        f"{money(horizon['gap'])} and the savings forecast would leave "
        f"{money(horizon['remaining_gap'])} to find; under stress test 1, "
        f"{money(horizon['slip_gap'])}; under stress test 2, {money(horizon['on_track_gap'])}.",
        id="mtfs-horizon",
        className="pmf-summary",
    )


def mtfs_section(
    frame: pd.DataFrame, *, council: bool, group_name: str | None, year: str = ""
) -> html.Section:
    """The MTFS chart with its table beside it and the stress tests in words."""
    whose = "the council" if council else group_name or "this group"
    title = "The MTFS: the gap by year against savings" if council else f"Savings by year: {whose}"
    caption = (
        "Bars: savings planned (plain), forecast (striped) and delivered (crossed) each year. "
        + (
            "The solid line with squares is the MTFS gap the savings must close. "
            if council
            else ""
        )
        + "The dashed line with crosses is stress test 1 and the dotted line with diamonds "
        "stress test 2. The table beside the chart gives the same figures."
    )
    return section(
        "mtfs-heading",
        title,
        html.P(
            "Years before this one show what their final returns delivered; later years "
            "show the plan."
            + (
                ""
                if council
                else " The council's gap is not divided between groups, so it is not shown."
            ),
            className="pmf-muted",
        ),
        stress_test_notes(),
        horizon_words(frame, year) if council and year else None,
        html.Div(
            [
                html.Figure(
                    [
                        dcc.Graph(
                            id="mtfs-chart",
                            figure=mtfs_figure(frame, council=council),
                            config={"displaylogo": False, "responsive": True},
                        ),
                        html.Figcaption(caption, className="pmf-muted"),
                    ],
                    className="pmf-figure",
                    **aria(label=f"Chart: {title}"),
                ),
                mtfs_table(frame, council=council, caption=f"{title}, by financial year"),
            ],
            className="pmf-beside",
        ),
        id="mtfs-section",
    )


def ordered_proposals(savings: pd.DataFrame) -> pd.DataFrame:
    """Proposals most serious first, then the largest saving planned this year first."""
    return (
        savings.assign(_rank=savings["status"].map(SEVERITY).fillna(len(SEVERITY)))
        .sort_values(["_rank", "planned", "proposal_id"], ascending=[True, False, True])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def proposals_frame(savings: pd.DataFrame, names: Callable[[str, str], str]) -> pd.DataFrame:
    """The proposals table as plain words and pounds, for the CSV download."""
    ordered = ordered_proposals(savings)
    return pd.DataFrame(
        {
            "id": ordered["proposal_id"],
            "title": ordered["title"],
            "directorate": [names("directorates", d) for d in ordered["directorate"]],
            "portfolio": [names("portfolios", p) for p in ordered["portfolio"]],
            "planned": ordered["planned"].astype(float),
            "forecast": pd.to_numeric(ordered["forecast"], errors="coerce"),
            "delivered": ordered["delivered"].astype(float),
            "carried_forward": ordered["carried_forward"].astype(float),
            "status": [status_text(s) for s in ordered["status"]],
            "main_reason": [main_reason(r) for r in ordered["reasons"]],
        }
    )


def proposals_table(
    savings: pd.DataFrame, names: Callable[[str, str], str], caption: str
) -> html.Div:
    """Every proposal with this year's figures and state, most serious first."""
    ordered = ordered_proposals(savings).assign(
        main_reason=lambda f: [main_reason(r) for r in f["reasons"]],
        directorate_name=lambda f: [names("directorates", d) for d in f["directorate"]],
        portfolio_name=lambda f: [names("portfolios", p) for p in f["portfolio"]],
        link=lambda f: pd.Series(
            list(zip(f["proposal_id"], f["title"], strict=True)), index=f.index, dtype=object
        ),
    )
    amounts = ("planned", "forecast", "delivered", "carried_forward")
    return simple_table(
        ordered,
        {
            "proposal_id": "Id",
            "link": "Proposal",
            "directorate_name": "Directorate",
            "portfolio_name": "Portfolio",
            "planned": "Planned",
            "forecast": "Forecast",
            "delivered": "Delivered",
            "carried_forward": "Carried forward",
            "status": "State",
            "main_reason": "Main reason",
        },
        caption=caption,
        row_header="link",
        formatters={
            "link": lambda pair: dcc.Link(pair[1], href=f"/savings/{pair[0]}"),
            "status": status_badge,
            **{k: money for k in amounts},
        },
        numeric=amounts,
        table_id="savings-table",
    )


def group_frame(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    """`by_group` with its group column named alike for directorates and portfolios."""
    return frame.rename(columns={group: "group"})


def group_table(
    frame: pd.DataFrame, group: str, names: Mapping[str, str], caption: str, table_id: str
) -> html.Div:
    """This year's savings and the count in each state, one row per directorate or portfolio."""
    shown = group_frame(frame, group)
    shown = shown.assign(name=[names.get(g, g) for g in shown["group"]])
    amounts = ("planned", "forecast", "delivered", "carried_forward")
    columns = {
        "name": "Directorate" if group == "directorate" else "Portfolio",
        "proposals": "Proposals",
        **{
            a: t
            for a, t in zip(
                amounts, ("Planned", "Forecast", "Delivered", "Carried forward"), strict=True
            )
        },
        **{f"count_{s}": saving_status_word(s) for s in SAVING_STATUSES},
    }
    formatters: dict[str, Callable[[Any], Any]] = {a: money for a in amounts}
    formatters.update({c: _whole for c in columns if c.startswith("count_") or c == "proposals"})
    return simple_table(
        shown,
        columns,
        caption=caption,
        row_header="name",
        formatters=formatters,
        numeric=[c for c in columns if c != "name"],
        table_id=table_id,
    )


def _whole(value: Any) -> str:
    return "0" if value is None or pd.isna(value) else str(int(value))


def section(heading_id: str, title: str, *children: Component | None, **extra: Any) -> html.Section:
    """A section headed by an h2 that names it."""
    return html.Section(
        [html.H2(title, id=heading_id), *children], **aria(labelledby=heading_id), **extra
    )
