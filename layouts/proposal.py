"""One savings proposal: what it is, its state with every reason, the costed plan by year, this
year's monthly returns, the milestones and risks it depends on, and its open flags."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import dcc, html

from layouts._components.not_found import thing_not_found
from layouts._components.page_cache import cached_page
from layouts._components.proposal_view import (
    facts,
    history_section,
    milestones_section,
    plan_section,
    risks_section,
    state_section,
)
from layouts._components.savings_view import money
from layouts._components.signin import sign_in_notice
from layouts._components.subject_flags import subject_flags_section
from layouts._runtime import runtime
from metrics.flags.register import describe
from metrics.readmodel.finance import finance_view, proposal_history
from metrics.registry.finance import SavingsProposal
from warehouse.flags import read_flags

dash.register_page(
    __name__,
    path_template="/savings/<proposal_id>",
    title="Savings proposal",
    name="Savings proposal",
)


def _defined(proposal_id: str) -> SavingsProposal | None:
    """The proposal as configured, whoever may see it."""
    try:
        return runtime().registry.finance.proposal(proposal_id)
    except KeyError:
        return None


@cached_page
def layout(proposal_id: str = "", **_q: Any) -> html.Div:
    """The page of one savings proposal; the site's not-found page for an id nobody may see."""
    rt = runtime()
    view = finance_view(rt.registry, rt.engine, today=date.today(), audience=rt.audience)
    judged = view.proposal(proposal_id)
    defined = _defined(proposal_id)
    if judged is None or defined is None:
        if defined is not None and not rt.viewer.signed_in:
            # Kept for councillors and officers: offer sign-in, naming nothing about it
            return sign_in_notice(f"/savings/{proposal_id}")
        return thing_not_found(
            "proposal-title",
            "savings proposal",
            proposal_id,
            first=("Every savings proposal", "/savings"),
        )
    registry = rt.registry
    internal = view.audience == "internal"
    plan = view.by_year[view.by_year["proposal_id"] == proposal_id].reset_index(drop=True)
    history = proposal_history(rt.engine, proposal_id)
    history = history[history["financial_year"] == view.year].reset_index(drop=True)
    risks = view.risks[[proposal_id in s for s in view.risks["savings"]]]
    aims = [
        registry.name_of("priorities", defined.priority) if defined.priority else None,
        registry.name_of("enablers", defined.enabler) if defined.enabler else None,
    ]
    title = str(judged["title"])
    children: list[Any] = [
        html.P(
            [dcc.Link("Savings delivery", href="/savings"), f" › {proposal_id}"],
            className="pmf-muted",
        ),
        html.H1(title, id="proposal-title"),
        html.P(defined.description, className="pmf-lead") if defined.description else None,
        facts(
            [
                ("Owner", defined.owner),
                ("Programme", defined.programme),
                ("Directorate", registry.name_of("directorates", defined.directorate)),
                ("Portfolio", registry.name_of("portfolios", defined.portfolio)),
                ("Priority and enabler", ", ".join(a for a in aims if a) or "None named"),
                ("First planned", defined.first_planned),
                ("Whole saving planned", money(defined.total)),
                (f"Planned in {view.year}", money(judged["planned"])),
                (f"Forecast for {view.year}", money(judged["forecast"])),
                ("Delivered to date", money(judged["delivered"])),
                ("Carried forward from earlier years", money(judged["carried_forward"])),
            ]
        ),
        state_section(judged),
        plan_section(plan, title),
        history_section(history, view.year, float(defined.plan.get(view.year, 0.0)), title),
        milestones_section(view.milestones, defined.milestones, link=internal),
        risks_section(risks),
    ]
    if internal:
        flags = read_flags(
            rt.engine, open_only=True, subject_type="saving", subject_ids=[proposal_id]
        )
        children.append(
            subject_flags_section(
                describe(registry, rt.engine, flags), what="proposal", prefix="proposal"
            )
        )
    return html.Div(children)
