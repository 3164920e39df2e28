"""Milestones: baseline against forecast, by priority and programme, with status words."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from layouts._components.charts import GRAPH_CONFIG, chart_figure
from layouts._components.forms import filter_form, labelled_select
from layouts._components.milestone_view import (
    MILESTONE_STATUS,
    milestone_badge,
    milestone_summary,
    timeline_figure,
)
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation, rows_chosen
from layouts._components.signin import sign_in_notice
from layouts._components.tables import simple_table
from layouts._runtime import runtime
from metrics.engine.milestones import milestones_with_status

dash.register_page(__name__, path="/milestones", title="Milestones", name="Milestones")

FILTERS = {
    "priority": "milestones-priority",
    "programme": "milestones-programme",
    "status": "milestones-status",
}
register_filter_navigation(FILTERS)


def filter_milestones(
    frame: pd.DataFrame, priority: str, programme: str, status: str
) -> pd.DataFrame:
    """Milestones matching every chosen filter (an empty filter matches all)."""
    return rows_chosen(frame, {"priority": priority, "programme": programme, "status": status})


@cached_page
def layout(priority: str = "", programme: str = "", status: str = "", **_q: Any) -> html.Div:
    """The milestones timeline and table, filtered from the query string."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/milestones")
    today = date.today()
    everything = milestones_with_status(rt.registry, rt.engine, today)
    shown = filter_milestones(everything, priority, programme, status)
    priorities = [(p.id, p.name) for p in rt.registry.plan.priorities]
    programmes = [(p, p) for p in sorted(everything["programme"].dropna().unique())]
    statuses = [(k, v[1]) for k, v in MILESTONE_STATUS.items()]
    children: list[Any] = [
        html.H1("Milestones", id="milestones-title"),
        html.P(
            "Key milestones of the plan's programmes: the date promised (baseline) against "
            "the date now forecast, or the date completed.",
            className="pmf-lead",
        ),
        filter_form(
            "Filter milestones",
            [
                labelled_select(
                    "Priority", FILTERS["priority"], priorities, priority, all_label="All"
                ),
                labelled_select(
                    "Programme", FILTERS["programme"], programmes, programme, all_label="All"
                ),
                labelled_select("Status", FILTERS["status"], statuses, status, all_label="All"),
            ],
        ),
        html.P(milestone_summary(shown), id="milestones-summary", className="pmf-summary"),
    ]
    if not shown.empty:
        children.append(
            chart_figure(
                dcc.Graph(
                    id="milestones-chart", figure=timeline_figure(shown, today), config=GRAPH_CONFIG
                ),
                "Timeline: each open circle is a baseline date, joined to the forecast or "
                "completion date, whose marker shape shows the status. The table below gives "
                "the same information.",
            )
        )
        table = shown.sort_values(["programme", "baseline_date"]).assign(
            priority_name=lambda f: [
                rt.registry.name_of("priorities", p) if p else "" for p in f["priority"]
            ]
        )
        children.append(
            simple_table(
                table,
                {
                    "title": "Milestone",
                    "programme": "Programme",
                    "owner": "Owner",
                    "baseline_date": "Baseline",
                    "forecast_date": "Forecast",
                    "completed_date": "Completed",
                    "status": "Status",
                    "status_note": "Note",
                },
                caption="Milestones, by programme and baseline date",
                row_header="title",
                formatters={"status": milestone_badge},
                table_id="milestones-table",
            )
        )
    return html.Div(children)
