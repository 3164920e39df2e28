"""The portfolio holder's weekly view: what is off target, what changed, actions, milestones.

The week chooser moves the whole page: cards, changes and milestones are read from the read
model as at the end of the chosen week (today, for the week in progress).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.cards import Trend, measure_card
from layouts._components.finance_links import portfolio_savings_section, risks_section
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
from metrics.engine.weekly import (
    WeekInReview,
    recent_trend,
    recent_weeks,
    week_as_at,
    week_in_review,
    week_start,
)
from metrics.flags.register import counts, register
from metrics.readmodel.finance import finance_view
from metrics.readmodel.judged import ReadModel, read_model
from metrics.registry.model import Metric

dash.register_page(
    __name__, path_template="/portfolio/<portfolio_id>", title="Portfolio", name="Portfolio"
)

register_filter_navigation(
    {"week": "portfolio-week"}, lambda: {"week": week_start(date.today()).isoformat()}
)


def _section(heading_id: str, title: str, *children: Any) -> html.Section:
    return html.Section([html.H2(title, id=heading_id), *children], **aria(labelledby=heading_id))


SHOWN_CHANGES = 5  # the changes of status listed by name; the rest are counted


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _week_summary(review: WeekInReview) -> list[Any]:
    """The week in a few counts, then the few changes that matter (each measure's figures are
    on its card above, and the flags in the table below)."""
    changes = review.status_changes
    worse = review.worsened
    counts = [
        f"New figures arrived for {review.new_data['metric_id'].nunique()} of the "
        f"{_count(review.measures, 'measure', 'measures')}",
        _count(len(changes), "change of status", "changes of status")
        + (f" ({len(worse)} for the worse)" if len(changes) else ""),
        _count(len(review.new_flags), "new flag", "new flags"),
        _count(len(review.milestones_due), "milestone", "milestones")
        + " due in the next four weeks or overdue",
    ]
    items: list[Any] = [html.P("; ".join(counts) + ".", id="portfolio-week-counts")]
    if not changes.empty:
        # Worse first: that is what a holder is asked about
        ordered = pd.concat([worse, changes.drop(worse.index)])
        shown = ordered.head(SHOWN_CHANGES)
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
                    for _, r in shown.iterrows()
                ],
                id="portfolio-status-changes",
                **aria(label="Changes of status"),
            )
        )
        if len(ordered) > SHOWN_CHANGES:
            items.append(html.P(f"And {len(ordered) - SHOWN_CHANGES} more: see the cards above."))
    return items


def _milestones(review: WeekInReview) -> Any:
    due = review.milestones_due
    if due.empty:
        return html.P("No milestones are due in the next four weeks, and none is overdue.")
    return html.Ul(
        [html.Li([r["title"], " ", milestone_badge(r["status"])]) for _, r in due.iterrows()],
        id="portfolio-milestones",
    )


def _trend(model: ReadModel, metric: Metric) -> Trend:
    recent = recent_trend(model, metric)
    return Trend(
        values=tuple(recent["value"]),
        targets=tuple(None if pd.isna(t) else float(t) for t in recent["target"]),
        bands=tuple(
            None if pd.isna(low) else (float(low), float(high))
            for low, high in zip(recent["band_low"], recent["band_high"], strict=True)
        ),
    )


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
    as_at = week_as_at(chosen, date.today())
    # Cards, changes and milestones as they stood at the end of the chosen week
    model = read_model(
        registry,
        rt.engine,
        ids,
        as_at,
        "internal",
        milestone_filter=("portfolio", [portfolio.id]),
    )
    snapshot = model.snapshot[model.snapshot["area_code"] == county]
    by_metric = {row["metric_id"]: row for _, row in snapshot.iterrows()}
    flags = register(registry, rt.engine, portfolio=portfolio.id)
    review = week_in_review(model, chosen)
    summary = headline(
        registry,
        snapshot,
        open_flags=len(flags),
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
    # A flag needs attention; an action is what someone planned about it: counted apart
    actions = flags.assign(
        due=[
            ("Overdue: " if o else "")
            + (pd.Timestamp(d).strftime("%d %b %Y") if pd.notna(d) else "")
            for d, o in zip(flags["due_date"], flags["action_overdue"], strict=True)
        ]
    )
    subject_links = dict(zip(flags["subject_name"], flags["href"], strict=True))
    off = [m for m in ordered if m.id in by_metric and str(by_metric[m.id]["rag"]) == "red"]
    # Savings and risks are judged as they stand today, like the flags
    finance = finance_view(registry, rt.engine, today=date.today())
    savings = finance.savings[finance.savings["portfolio"] == portfolio.id]
    seen = "today" if as_at == date.today() else f"at the end of {as_at:%A %d %B %Y}"
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
                "cards-heading",
                "Measures, off target first",
                html.P(
                    f"As they stood {seen}: "
                    + (
                        f"{_count(len(off), 'measure is', 'measures are')} off target."
                        if off
                        else "no measure is off target."
                    ),
                    id="portfolio-as-at",
                    className="pmf-muted",
                ),
                html.Ul(
                    [measure_card(m, by_metric.get(m.id), _trend(model, m)) for m in ordered],
                    className="pmf-cards",
                    id="portfolio-cards",
                ),
            ),
            _section(
                "changes-heading",
                f"What changed in the week beginning {chosen:%d %B %Y}",
                *_week_summary(review),
            ),
            _section(
                "milestones-heading",
                "Milestones due in the next four weeks",
                _milestones(review),
            ),
            portfolio_savings_section(savings, portfolio.id, finance.year),
            risks_section(
                finance.risks_for(portfolio=portfolio.id),
                prefix="portfolio",
                what="in this portfolio, highest score first",
                none="No risk in the register sits in this portfolio.",
            ),
            _section(
                "actions-heading",
                "Flags and actions",
                html.P(
                    counts(flags).sentence()
                    # The register is today's: say so when an earlier week is shown above
                    + (
                        "" if as_at >= date.today() else " These are the flags as they stand today."
                    ),
                    id="portfolio-flag-counts",
                ),
                simple_table(
                    actions,
                    {
                        "subject_name": "Flagged",
                        "reason_words": "Reasons",
                        "status_name": "Status",
                        "action_words": "Action",
                        "due": "Due",
                    },
                    caption="Open flags in this portfolio, and the actions planned",
                    row_header="subject_name",
                    formatters={
                        "subject_name": lambda n: (
                            dcc.Link(n, href=subject_links[n]) if subject_links.get(n) else n
                        )
                    },
                    table_id="portfolio-actions",
                )
                if not actions.empty
                else None,
                html.P(
                    dcc.Link(
                        "Open the register of flags and actions",
                        href=f"/actions?portfolio={portfolio.id}",
                    )
                ),
            ),
            pack_download("portfolio", portfolio.id),
        ]
    )
