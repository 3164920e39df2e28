"""The risks and savings that bear on a measure or a portfolio, as sections of those pages.

Pure builders from the finance read model's frames (metrics.readmodel.finance): the register
itself is on /risks (`?risk=<id>` opens one, at `#risk-<id>`) and the savings on /savings.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.savings_view import money, section
from layouts._components.tables import simple_table
from metrics.engine.savings import SAVING_STATUSES
from metrics.words import SAVING_STATUS, plural, risk_rating_word, saving_status_word


def risk_href(risk_id: str) -> str:
    """The address of one risk on the register page, opened and scrolled to."""
    return f"/risks?risk={risk_id}#risk-{risk_id}"


def _review(row: dict[str, Any]) -> str:
    when = f"{pd.Timestamp(row['review_date']):%d %b %Y}"
    if row["review_overdue"]:
        return f"Overdue by {plural(int(row['days_overdue']), 'day')} (due {when})"
    return f"Due {when}"


def risks_table(risks: pd.DataFrame, *, caption: str, table_id: str) -> html.Div:
    """One row per risk: its title linking to the register, score, rating, appetite, review."""
    records = [{str(k): v for k, v in r.items()} for r in risks.to_dict("records")]
    frame = pd.DataFrame(
        {
            "risk": [(str(r["risk_id"]), str(r["title"])) for r in records],
            "score": [int(r["score"]) for r in records],
            "rating": [risk_rating_word(str(r["rating"])) for r in records],
            "appetite": [
                f"Above ({r['appetite']})" if r["above_appetite"] else f"Within ({r['appetite']})"
                for r in records
            ],
            "review": [_review(r) for r in records],
        }
    )
    return simple_table(
        frame,
        {
            "risk": "Risk",
            "score": "Score",
            "rating": "Rating",
            "appetite": "Against appetite",
            "review": "Review",
        },
        caption=caption,
        row_header="risk",
        formatters={"risk": lambda pair: dcc.Link(pair[1], href=risk_href(pair[0]))},
        table_id=table_id,
        numeric=("score",),
    )


def risks_section(
    risks: pd.DataFrame, *, prefix: str, what: str, none: str | None
) -> html.Section | None:
    """A "Risks" section for a page: the risks in `what`, highest score first; `none` is said
    when there are none (None leaves the section out)."""
    if risks.empty and none is None:
        return None
    heading = f"{prefix}-risks-heading"
    above = int(risks["above_appetite"].astype(bool).sum()) if len(risks) else 0
    overdue = int(risks["review_overdue"].astype(bool).sum()) if len(risks) else 0
    body: list[Any] = (
        [html.P(none, id=f"{prefix}-risks-none")]
        if risks.empty
        else [
            html.P(
                f"{plural(len(risks), 'risk')} in the register: {above} above the council's "
                f"appetite, {overdue} overdue for review. A score is likelihood times impact, "
                "each from 1 to 5.",
                id=f"{prefix}-risks-counts",
            ),
            risks_table(risks, caption=f"Risks {what}", table_id=f"{prefix}-risks"),
        ]
    )
    return section(
        heading,
        "Risks",
        *body,
        html.P(dcc.Link("The whole risk register", href="/risks")),
        id=f"{prefix}-risks-section",
    )


def portfolio_savings_section(savings: pd.DataFrame, portfolio_id: str, year: str) -> html.Section:
    """This year's savings in one portfolio: how many in each status, planned against forecast,
    and a link to the list of them."""
    heading = "portfolio-savings-heading"
    link = dcc.Link(
        f"The portfolio's savings proposals for {year}", href=f"/savings?portfolio={portfolio_id}"
    )
    if savings.empty:
        body: list[Any] = [
            html.P(f"No savings proposal in this portfolio for {year}.", id="portfolio-savings")
        ]
    else:
        counts = savings["status"].value_counts()
        planned = float(pd.to_numeric(savings["planned"], errors="coerce").sum())
        forecast = float(pd.to_numeric(savings["forecast"], errors="coerce").sum())
        delivered = float(pd.to_numeric(savings["delivered"], errors="coerce").sum())
        unreturned = int(savings["forecast"].isna().sum())
        body = [
            html.P(
                f"{plural(len(savings), 'savings proposal')} in {year}: "
                f"{money(planned)} planned, {money(forecast)} forecast and "
                f"{money(delivered)} delivered so far"
                + (
                    f" ({plural(unreturned, 'proposal')} with no delivery return yet)."
                    if unreturned
                    else "."
                ),
                id="portfolio-savings",
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Span(
                                SAVING_STATUS[status][0],
                                className="pmf-symbol",
                                **aria(hidden="true"),
                            ),
                            f" {saving_status_word(status)}: {int(counts.get(status, 0))}",
                        ]
                    )
                    for status in SAVING_STATUSES
                ],
                id="portfolio-savings-statuses",
                **aria(label="Savings proposals by status"),
            ),
        ]
    return section(
        heading,
        f"Savings {year}",
        *body,
        html.P(link),
        id="portfolio-savings-section",
    )
