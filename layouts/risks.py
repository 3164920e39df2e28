"""The risk register: the 5x5 heat map with its table, and every risk with its score against the
appetite, its review date and what it threatens, filtered from the query string."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from layouts._components.forms import filter_form, labelled_select
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation, rows_chosen
from layouts._components.risk_view import heat_map, heat_table, register_table
from layouts._components.savings_view import section
from layouts._runtime import runtime
from metrics.engine.risks import RATINGS, matrix_counts
from metrics.readmodel.finance import finance_view
from metrics.registry.finance import RISK_CATEGORIES, Appetite
from metrics.registry.loader import Registry
from metrics.words import plural, risk_rating_word

dash.register_page(__name__, path="/risks", title="Risk register", name="Risks")

FILTERS = {
    "directorate": "risks-directorate",
    "portfolio": "risks-portfolio",
    "category": "risks-category",
    "rating": "risks-rating",
    "above": "risks-above",
    "overdue": "risks-overdue",
}
register_filter_navigation(FILTERS)
YES = "yes"


def filter_risks(risks: pd.DataFrame, chosen: dict[str, str]) -> pd.DataFrame:
    """Risks matching every chosen filter, named as in FILTERS or `risk` for one risk's id (an
    empty or missing filter matches all)."""
    columns = ("directorate", "portfolio", "category", "rating")
    risks = rows_chosen(
        risks,
        {**{c: chosen.get(c, "") for c in columns}, "risk_id": chosen.get("risk", "")},
    )
    if chosen.get("above") == YES:
        risks = risks[risks["above_appetite"].astype(bool)]
    if chosen.get("overdue") == YES:
        risks = risks[risks["review_overdue"].astype(bool)]
    return risks.reset_index(drop=True)


def category_word(category: str) -> str:
    """A category of risk as a reader writes it ('service-delivery' is 'Service delivery')."""
    return category.replace("-", " ").capitalize()


def appetite_sentence(appetite: Appetite | None) -> str:
    """The council's appetite in a sentence: the default and each category's own."""
    if appetite is None:
        return "No risk appetite is set."
    own = "; ".join(
        f"{category_word(c).lower()} risks {int(v)}" for c, v in sorted(appetite.categories.items())
    )
    return (
        f"The council accepts risks scoring up to {int(appetite.default)} (likelihood x impact)"
        + (f", and less for some: {own}." if own else ".")
    )


def _appetite(appetite: Appetite | None, category: str) -> int:
    if appetite is None:
        return 25
    return appetite.for_category(category) if category else int(appetite.default)


def _measure_name(registry: Registry) -> Any:
    def name(metric_id: str) -> str | None:
        return registry.metric(metric_id).name if registry.has_metric(metric_id) else None

    return name


def _defined(registry: Registry) -> Any:
    def defined(risk_id: str) -> Any:
        try:
            return registry.finance.risk(risk_id)
        except KeyError:
            return None

    return defined


@cached_page
def layout(
    directorate: str = "",
    portfolio: str = "",
    category: str = "",
    rating: str = "",
    above: str = "",
    overdue: str = "",
    risk: str = "",
    **_q: Any,
) -> html.Div:
    """The risk register, filtered from the query string; `risk` shows one risk, opened."""
    rt = runtime()
    registry = rt.registry
    view = finance_view(registry, rt.engine, today=date.today(), audience=rt.audience)
    register = registry.finance.risk_register
    appetite = register.appetite if register is not None else None
    chosen = {
        "directorate": directorate,
        "portfolio": portfolio,
        "category": category,
        "rating": rating,
        "above": above,
        "overdue": overdue,
    }
    shown = filter_risks(view.risks, {**chosen, "risk": risk})
    cell_appetite = _appetite(appetite, category)
    milestones = view.milestones
    titles = dict(zip(milestones["id"].astype(str), milestones["title"].astype(str), strict=True))
    public = view.audience == "public"
    overdue_count = int(shown["review_overdue"].astype(bool).sum())
    above_count = int(shown["above_appetite"].astype(bool).sum())
    selects = (
        ("Directorate", "directorate", [(d.id, d.name) for d in registry.plan.directorates], "All"),
        ("Portfolio", "portfolio", [(p.id, p.name) for p in registry.plan.portfolios], "All"),
        ("Category", "category", [(c, category_word(c)) for c in RISK_CATEGORIES], "All"),
        ("Rating", "rating", [(r, risk_rating_word(r)) for r in RATINGS], "All"),
        ("Against the appetite", "above", [(YES, "Only risks above appetite")], "All risks"),
        ("Review", "overdue", [(YES, "Only reviews overdue")], "All risks"),
    )
    form = filter_form(
        "Filter the risk register",
        [
            labelled_select(label, FILTERS[name], options, chosen[name], all_label=all_label)
            for label, name, options, all_label in selects
        ],
    )
    summary = (
        f"{plural(len(shown), 'risk')} shown of {len(view.risks)}: {above_count} above the "
        f"appetite, {overdue_count} with the review overdue."
    )
    return html.Div(
        [
            html.H1("Risk register", id="risks-title"),
            html.P(
                "The risks to the council's plan and its savings, each scored likelihood x "
                "impact (1 to 25) with the controls in place, against the council's appetite."
                + (" Only the risks the council has published are shown." if public else ""),
                className="pmf-lead",
            ),
            html.P(appetite_sentence(appetite), id="risks-appetite"),
            form,
            html.P(summary, id="risks-summary", className="pmf-summary"),
            html.P(dcc.Link("Show every risk", href="/risks")) if risk else None,
            section(
                "heat-heading",
                "Where the risks sit",
                html.P(
                    f"Cells scoring above {cell_appetite}"
                    + (
                        f", the appetite for {category_word(category).lower()} risks"
                        if category
                        else ", the council's appetite"
                    )
                    + ", are hatched and marked ▲.",
                    className="pmf-muted",
                ),
                html.Div(
                    [
                        heat_map(matrix_counts(shown, cell_appetite), cell_appetite),
                        heat_table(matrix_counts(shown, cell_appetite), cell_appetite),
                    ],
                    className="pmf-beside",
                ),
            ),
            section(
                "register-heading",
                "The register, highest score first",
                register_table(
                    shown,
                    defined=_defined(registry),
                    measure_name=_measure_name(registry),
                    milestone_titles=titles,
                    caption="Risks, highest score first: open a risk's title for its cause, "
                    "consequence, controls and actions",
                    open_risk=risk,
                )
                if not shown.empty
                else html.P("No risk matches these filters.", id="risks-none"),
            ),
        ]
    )
