"""The strategic plan: its priorities and enablers, and the measures mapped to each."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from layouts._components.measures import plan_sections
from layouts._components.page_cache import cached_page
from layouts._runtime import runtime
from metrics.words import plural

dash.register_page(__name__, path="/plan", title="The plan and its measures", name="Plan")


@cached_page
def layout(**_query: Any) -> html.Div:
    """The plan page, read from the registry."""
    registry = runtime().registry
    plan = registry.plan
    return html.Div(
        [
            html.H1(plan.plan.name, id="plan-title"),
            html.P(plan.plan.vision, className="pmf-lead"),
            html.P(
                f"{plural(len(registry), 'measure')} across "
                f"{plural(len(plan.priorities), 'priority outcome')} "
                f"and {plural(len(plan.enablers), 'enabler')}. Choose a measure for its "
                "figures, trend and definition.",
                id="plan-summary",
            ),
            *plan_sections(registry),
        ]
    )
