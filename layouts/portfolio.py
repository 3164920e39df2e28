"""The portfolio holder's weekly view: what changed, what is off track, actions, milestones."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.cards import measure_card
from layouts._components.forms import labelled_select
from layouts._components.measures import not_found
from layouts._components.milestone_view import milestone_badge
from layouts._components.pack_download import pack_download
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation
from layouts._components.signin import sign_in_notice
from layouts._components.status import rag_badge, rag_word
from layouts._components.tables import simple_table
from layouts._runtime import runtime
from metrics.engine.overview import headline
from metrics.engine.weekly import recent_weeks, week_in_review, week_start
from metrics.flags.lifecycle import list_flags
from metrics.format import format_value
from metrics.words import rule_word
from warehouse.observations import current_observations
from warehouse.snapshot import read_snapshot

dash.register_page(
    __name__, path_template="/portfolio/<portfolio_id>", title="Portfolio", name="Portfolio"
)

register_filter_navigation(
    {"week": "portfolio-week"}, lambda: {"week": week_start(date.today()).isoformat()}
)


def _section(heading_id: str, title: str, *children: Any) -> html.Section:
    return html.Section([html.H2(title, id=heading_id), *children], **aria(labelledby=heading_id))


def _changes(review: Any, registry: Any) -> list[Any]:
    items: list[Any] = []
    if review.new_data.empty:
        items.append(html.P("No new data arrived this week."))
    else:
        items.append(html.H3("New data"))
        items.append(
            html.Ul(
                [
                    html.Li(
                        [
                            dcc.Link(r["name"], href=f"/metric/{r['metric_id']}"),
                            f": {r['period']}, "
                            + format_value(r["value"], registry.metric(r["metric_id"])),
                        ]
                    )
                    for _, r in review.new_data.iterrows()
                ],
                id="portfolio-new-data",
            )
        )
    if not review.status_changes.empty:
        items.append(html.H3("Changes of status"))
        items.append(
            html.Ul(
                [
                    html.Li(
                        [
                            dcc.Link(r["name"], href=f"/metric/{r['metric_id']}"),
                            f": {rag_word(r['from_rag']).lower()} to ",
                            rag_badge(r["to_rag"]),
                            f" in {r['period']}",
                        ]
                    )
                    for _, r in review.status_changes.iterrows()
                ],
                id="portfolio-status-changes",
            )
        )
    flags = review.new_flags
    items.append(html.H3("New flags"))
    if flags.empty:
        items.append(html.P("No new flags this week."))
    else:
        items.append(
            html.Ul(
                [
                    html.Li(f"{rule_word(r['rule'])}: {r['detail'] or r['subject_id']}")
                    for _, r in flags.iterrows()
                ],
                id="portfolio-new-flags",
            )
        )
    items.append(html.H3("Milestones due in the next four weeks"))
    due = review.milestones_due
    if due.empty:
        items.append(html.P("No milestones are due."))
    else:
        items.append(
            html.Ul(
                [
                    html.Li([r["title"], " ", milestone_badge(r["status"])])
                    for _, r in due.iterrows()
                ],
                id="portfolio-milestones",
            )
        )
    return items


@cached_page
def layout(portfolio_id: str = "", week: str = "", **_q: Any) -> html.Div:
    """The weekly view of one portfolio; `week` is the Monday of the week to review."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice(f"/portfolio/{portfolio_id}")
    registry = rt.registry
    portfolio = next((p for p in registry.plan.portfolios if p.id == portfolio_id), None)
    if portfolio is None:
        return not_found(
            "portfolio-title", "portfolio", portfolio_id, back=("Back to the overview", "/")
        )
    weeks = recent_weeks(date.today())
    try:
        chosen = week_start(date.fromisoformat(week)) if week else weeks[0]
    except ValueError:
        chosen = weeks[0]
    if chosen not in weeks:
        weeks = sorted({chosen, *weeks}, reverse=True)
    metrics = registry.for_portfolio(portfolio.id)
    ids = [m.id for m in metrics]
    county = registry.plan.county.code
    snapshot = read_snapshot(rt.engine, ids, [county])
    by_metric = {row["metric_id"]: row for _, row in snapshot.iterrows()}
    observations = current_observations(rt.engine, ids, [county])
    history = {m: g["value"].tolist()[-24:] for m, g in observations.groupby("metric_id")}
    flags = list_flags(registry, rt.engine, open_only=True, portfolio=portfolio.id)
    review = week_in_review(registry, rt.engine, portfolio.id, chosen)
    summary = headline(
        registry,
        snapshot,
        open_actions=len(flags),
        overdue_actions=int(flags["action_overdue"].sum()) if not flags.empty else 0,
        slipping_milestones=review.milestones_slipping,
        metric_ids=ids,
    )
    ordered = sorted(
        metrics,
        key=lambda m: (
            {"red": 0, "amber": 1}.get(str(by_metric[m.id]["rag"]) if m.id in by_metric else "", 2),
            m.name,
        ),
    )
    actions = (
        flags.assign(
            what=[rule_word(r) for r in flags["rule"]],
            due=[
                ("Overdue: " if o else "")
                + (pd.Timestamp(d).strftime("%d %b %Y") if pd.notna(d) else "")
                for d, o in zip(flags["due_date"], flags["action_overdue"], strict=True)
            ],
        )
        if not flags.empty
        else flags
    )
    return html.Div(
        [
            html.P(portfolio.holder_title, className="pmf-muted"),
            html.H1(f"{portfolio.name}: weekly view", id="portfolio-title"),
            html.P(summary.sentence(), id="portfolio-summary", className="pmf-summary"),
            html.Form(
                labelled_select(
                    "Week beginning",
                    "portfolio-week",
                    [(w.isoformat(), f"{w:%d %B %Y}") for w in weeks],
                    chosen.isoformat(),
                ),
                className="pmf-filters",
                role="search",
                **aria(label="Choose the week"),
            ),
            _section(
                "changes-heading",
                f"What changed in the week beginning {chosen:%d %B %Y}",
                *_changes(review, registry),
            ),
            _section(
                "cards-heading",
                "Measures",
                html.Ul(
                    [measure_card(m, by_metric.get(m.id), history.get(m.id, [])) for m in ordered],
                    className="pmf-cards",
                    id="portfolio-cards",
                ),
            ),
            _section(
                "actions-heading",
                "Open corrective actions",
                simple_table(
                    actions,
                    {
                        "what": "Flag",
                        "detail": "Detail",
                        "status": "Status",
                        "owner": "Owner",
                        "due": "Due",
                    },
                    caption="Open flags and actions in this portfolio",
                    row_header="what",
                    table_id="portfolio-actions",
                )
                if not actions.empty
                else html.P("No open corrective actions."),
                html.P(
                    dcc.Link(
                        "Open the corrective-action register",
                        href=f"/actions?portfolio={portfolio.id}",
                    )
                ),
            ),
            pack_download("portfolio", portfolio.id),
        ]
    )
