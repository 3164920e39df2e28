"""Risk register builders: the 5x5 heat map with its table, the register table with each risk's
cause, consequence, controls and actions behind a disclosure.

Scores, ratings, the appetite and overdue reviews come from the read model; this only draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from layouts._components.a11y import aria
from layouts._components.tables import captioned_table
from metrics.words import plural, risk_rating_word

RATING_CSS = {"very_high": "red", "high": "amber", "medium": "none", "low": "green"}
LIKELIHOOD_ENDS = {1: "rare", 5: "almost certain"}
IMPACT_ENDS = {1: "minimal", 5: "critical"}
ABOVE = "Above appetite"
ABOVE_MARK = "▲"


def rating_badge(rating: str) -> html.Span:
    """A risk's rating in words, marked like every other status on the site."""
    return html.Span(
        risk_rating_word(rating), className=f"pmf-rag pmf-rag-{RATING_CSS.get(rating, 'none')}"
    )


def _scale(value: int, ends: dict[int, str]) -> str:
    return f"{value} ({ends[value]})" if value in ends else str(value)


def cell_counts(counts: pd.DataFrame) -> dict[tuple[int, int], tuple[int, bool]]:
    """(likelihood, impact) -> how many risks sit in that cell, and whether it is above appetite."""
    return {
        (int(li), int(im)): (int(n), bool(over))
        for li, im, n, over in zip(
            counts["likelihood"],
            counts["impact"],
            counts["risks"],
            counts["above_appetite"],
            strict=True,
        )
    }


def heat_map(counts: pd.DataFrame, appetite: int) -> html.Figure:
    """The 5x5 grid, likelihood up and impact across, each cell printing its count; cells whose
    score is above the appetite are hatched and marked, not told apart by colour alone."""
    by_cell = cell_counts(counts)
    above = sum(n for n, over in by_cell.values() if over)
    cells: list[Component] = []
    for likelihood in range(5, 0, -1):
        cells.append(html.Div(str(likelihood), className="pmf-heat-axis"))
        for impact in range(1, 6):
            count, over = by_cell[(likelihood, impact)]
            cells.append(
                html.Div(
                    [
                        html.Span(str(count), className="pmf-heat-count"),
                        html.Span(ABOVE_MARK, className="pmf-heat-mark") if over else None,
                    ],
                    className="pmf-heat-cell"
                    + (" pmf-heat-above" if over else "")
                    + (" pmf-heat-empty" if count == 0 else ""),
                )
            )
    cells.append(html.Div("", className="pmf-heat-axis"))
    cells += [html.Div(str(i), className="pmf-heat-axis") for i in range(1, 6)]
    total = sum(n for n, _ in by_cell.values())
    description = (
        f"Heat map of {plural(total, 'risk')} by likelihood (1 rare to 5 almost certain, up) "
        f"and impact (1 minimal to 5 critical, across); {above} of them sit in cells scoring "
        f"above the appetite of {appetite}. The table beside it gives every cell's count."
    )
    return html.Figure(
        [
            html.Div(
                [
                    html.Div("Likelihood", className="pmf-heat-ylabel", **aria(hidden="true")),
                    html.Div(cells, className="pmf-heat-grid", **aria(hidden="true")),
                    html.Div("Impact", className="pmf-heat-xlabel", **aria(hidden="true")),
                ],
                className="pmf-heat",
            ),
            html.Figcaption(
                [
                    html.Span(
                        [
                            html.Span(ABOVE_MARK, className="pmf-heat-key"),
                            f" hatched: {ABOVE.lower()}",
                        ],
                        className="pmf-heat-legend",
                    ),
                    " ",
                    description,
                ],
                className="pmf-muted",
            ),
        ],
        className="pmf-figure pmf-heat-figure",
        id="risk-heat-map",
        **aria(label=f"Chart: {description}"),
    )


def heat_table(counts: pd.DataFrame, appetite: int) -> html.Div:
    """The heat map's counts as a table: a row per likelihood, a column per impact."""
    by_cell = cell_counts(counts)
    head = html.Thead(
        html.Tr(
            [html.Th("Likelihood \\ impact", scope="col")]
            + [html.Th(_scale(i, IMPACT_ENDS), scope="col") for i in range(1, 6)]
        )
    )
    rows = []
    for likelihood in range(5, 0, -1):
        cells: list[Component] = [html.Th(_scale(likelihood, LIKELIHOOD_ENDS), scope="row")]
        for impact in range(1, 6):
            number, over = by_cell[(likelihood, impact)]
            count = str(number)
            cells.append(
                html.Td(
                    [
                        count,
                        html.Span(f" {ABOVE_MARK}", **aria(hidden="true")),
                        html.Span(f" ({ABOVE.lower()})", className="visually-hidden"),
                    ]
                    if over
                    else count,
                    className="pmf-num" + (" pmf-heat-above-cell" if over else ""),
                )
            )
        rows.append(html.Tr(cells))
    return html.Div(
        [
            captioned_table(
                f"Risks in each cell of the matrix ({ABOVE_MARK} marks a cell above the "
                f"appetite of {appetite})",
                head,
                html.Tbody(rows),
                table_id="risk-heat-table",
            )
        ]
    )


def _items(values: Any) -> Any:
    values = [v for v in (values or ()) if v]
    return html.Ul([html.Li(str(v)) for v in values]) if values else html.P("None recorded.")


def risk_details(
    risk: dict[str, Any], defined: Any, open_: bool, threatens: Any = None
) -> html.Details:
    """A risk's title, opening on its cause, consequence, controls, actions, target and what
    it threatens."""
    target = risk.get("target_score")
    target_text = (
        f"{int(target)} (likelihood {defined.target.likelihood} x impact {defined.target.impact})"
        if defined is not None
        and defined.target is not None
        and target is not None
        and pd.notna(target)
        else "None set"
    )
    return html.Details(
        [
            html.Summary(str(risk["title"])),
            html.Dl(
                [
                    html.Dt("Cause"),
                    html.Dd(defined.cause if defined is not None else ""),
                    html.Dt("Consequence"),
                    html.Dd(defined.consequence if defined is not None else ""),
                    html.Dt("Controls in place"),
                    html.Dd(_items(defined.controls if defined is not None else ())),
                    html.Dt("Further actions"),
                    html.Dd(_items(defined.actions if defined is not None else ())),
                    html.Dt("Target score"),
                    html.Dd(target_text),
                    *(
                        [html.Dt("What it threatens"), html.Dd(threatens)]
                        if threatens is not None
                        else []
                    ),
                ],
                className="pmf-risk-facts",
            ),
        ],
        open=open_,
        className="pmf-details pmf-risk-details",
        id=f"risk-{risk['risk_id']}",
    )


def _review(risk: dict[str, Any]) -> Any:
    day = pd.Timestamp(risk["review_date"])
    text = f"{day:%d %b %Y}"
    if bool(risk["review_overdue"]):
        return html.Span(
            [html.Strong("Overdue"), f" ({text}, {plural(int(risk['days_overdue']), 'day')} ago)"],
            className="pmf-overdue",
        )
    return text


def _threatens(
    risk: dict[str, Any],
    measure_name: Callable[[str], str | None],
    milestone_titles: dict[str, str],
) -> Any:
    parts: list[Component] = []
    measures = [(m, measure_name(m)) for m in risk["measures"]]
    shown = [(m, n) for m, n in measures if n is not None]
    if shown:
        parts.append(
            html.Li(["Measures: ", *_joined([dcc.Link(n, href=f"/metric/{m}") for m, n in shown])])
        )
    if risk["milestones"]:
        names = [milestone_titles.get(str(m), str(m)) for m in risk["milestones"]]
        parts.append(html.Li("Milestones: " + "; ".join(names)))
    if risk["savings"]:
        parts.append(
            html.Li(
                [
                    "Savings: ",
                    *_joined([dcc.Link(s, href=f"/savings/{s}") for s in risk["savings"]]),
                ]
            )
        )
    return html.Ul(parts, className="pmf-plain-list") if parts else "Nothing linked"


def _joined(items: list[Component]) -> list[Component | str]:
    out: list[Component | str] = []
    for i, item in enumerate(items):
        if i:
            out.append(", ")
        out.append(item)
    return out


# Few enough columns to read on a laptop without scrolling the table sideways; what a risk
# threatens opens with its cause and controls
REGISTER_HEADINGS = (
    "Id",
    "Risk",
    "Category",
    "Owner",
    "Score (likelihood x impact)",
    "Rating",
    "Against the appetite",
    "Next review",
)


def register_table(
    risks: pd.DataFrame,
    *,
    defined: Callable[[str], Any],
    measure_name: Callable[[str], str | None],
    milestone_titles: dict[str, str],
    caption: str,
    open_risk: str = "",
) -> html.Div:
    """The register, highest score first; each title opens on the risk's cause and controls."""
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in REGISTER_HEADINGS]))
    rows = []
    for record in risks.to_dict("records"):
        risk = {str(k): v for k, v in record.items()}
        ident = str(risk["risk_id"])
        above = bool(risk["above_appetite"])
        rows.append(
            html.Tr(
                [
                    html.Td(ident),
                    html.Th(
                        risk_details(
                            risk,
                            defined(ident),
                            open_=ident == open_risk,
                            threatens=_threatens(risk, measure_name, milestone_titles),
                        ),
                        scope="row",
                    ),
                    html.Td(str(risk["category"]).replace("-", " ").capitalize()),
                    html.Td(str(risk["owner"])),
                    html.Td(
                        f"{int(risk['score'])} ({int(risk['likelihood'])} x {int(risk['impact'])})",
                        className="pmf-num",
                    ),
                    html.Td(rating_badge(str(risk["rating"]))),
                    html.Td(
                        html.Strong(f"{ABOVE_MARK} Above ({int(risk['appetite'])})")
                        if above
                        else f"Within ({int(risk['appetite'])})",
                        className="pmf-heat-above-cell" if above else None,
                    ),
                    html.Td(_review(risk)),
                ]
            )
        )
    return captioned_table(caption, head, html.Tbody(rows), table_id="risk-register")
