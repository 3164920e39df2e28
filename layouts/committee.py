"""A select committee's remit: its measures grouped by priority, with trend and status."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.charts import sparkline, trend_words
from layouts._components.status import direction_badge, rag_badge, variation_text
from layouts._runtime import runtime
from metrics.format import format_value
from metrics.registry import group_by
from warehouse.observations import current_observations
from warehouse.snapshot import read_snapshot

dash.register_page(
    __name__, path_template="/committee/<committee_id>", title="Select committee", name="Committee"
)

HEADINGS = ("Measure", "Latest", "Target", "Status", "Since last period", "SPC", "Trend")


def layout(committee_id: str = "", **_q: Any) -> html.Div:
    """The committee's measures, grouped by priority, each linking to its drill-down."""
    rt = runtime()
    registry = rt.registry
    committee = next((c for c in registry.plan.select_committees if c.id == committee_id), None)
    if committee is None:
        return html.Div(
            [
                html.H1("Committee not found", id="committee-title"),
                html.P(f"There is no select committee with the id “{committee_id}”."),
                html.P(dcc.Link("Back to the overview", href="/")),
            ]
        )
    metrics = registry.for_committee(committee.id)
    ids = [m.id for m in metrics]
    county = registry.plan.county.code
    snapshot = {r["metric_id"]: r for _, r in read_snapshot(rt.engine, ids, [county]).iterrows()}
    observations = current_observations(rt.engine, ids, [county])
    history = {m: g["value"].tolist()[-24:] for m, g in observations.groupby("metric_id")}
    sections = []
    for priority, group in group_by(metrics, "priority").items():
        heading_id = f"committee-priority-{priority or 'cross-cutting'}"
        rows = []
        for metric in group:
            row = snapshot.get(metric.id)
            values = history.get(metric.id, [])
            rows.append(
                html.Tr(
                    [
                        html.Th(dcc.Link(metric.name, href=f"/metric/{metric.id}"), scope="row"),
                        html.Td(
                            format_value(row["value"], metric) if row is not None else "no data",
                            className="pmf-num",
                        ),
                        html.Td(
                            format_value(row["target"], metric)
                            if row is not None
                            and row["target"] == row["target"]
                            and row["target"] is not None
                            else "–",
                            className="pmf-num",
                        ),
                        html.Td(rag_badge(row["rag"] if row is not None else None)),
                        html.Td(direction_badge(row["direction"] if row is not None else None)),
                        html.Td(variation_text(row["variation"] if row is not None else None)),
                        html.Td(
                            sparkline(values, description=f"{metric.name}: {trend_words(values)}")
                        ),
                    ]
                )
            )
        name = registry.name_of("priorities", priority)
        sections.append(
            html.Section(
                [
                    html.H2(name, id=heading_id),
                    html.Table(
                        [
                            html.Caption(f"{len(group)} measures for {name}"),
                            html.Thead(html.Tr([html.Th(h, scope="col") for h in HEADINGS])),
                            html.Tbody(rows),
                        ],
                        className="pmf-table pmf-committee-table",
                    ),
                ],
                **aria(labelledby=heading_id),
            )
        )
    return html.Div(
        [
            html.H1(committee.name, id="committee-title"),
            html.P(committee.remit, className="pmf-lead", id="committee-remit"),
            html.P(
                f"{len(metrics)} measures in this committee's remit, at county level. "
                "Choose a measure for its SPC chart, districts, comparisons and commentary."
            ),
            *sections,
        ]
    )
