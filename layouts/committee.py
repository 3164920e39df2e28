"""A select committee's remit: its measures grouped by priority, with trend and status."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from layouts._components.a11y import aria
from layouts._components.measures import not_found, status_rows
from layouts._components.pack_download import pack_download, register_pack_download
from layouts._components.page_cache import cached_page
from layouts._runtime import runtime
from metrics.engine.benchmark import latest_positions
from metrics.registry.loader import group_by
from warehouse.observations import current_observations

dash.register_page(
    __name__, path_template="/committee/<committee_id>", title="Select committee", name="Committee"
)
register_pack_download()  # serves the portfolio page's pack control too


@cached_page
def layout(committee_id: str = "", **_q: Any) -> html.Div:
    """The committee's measures, grouped by priority, each linking to its drill-down."""
    rt = runtime()
    registry = rt.registry
    committee = next((c for c in registry.plan.select_committees if c.id == committee_id), None)
    if committee is None:
        return not_found(
            "committee-title", "select committee", committee_id, back=("Back to the overview", "/")
        )
    metrics = registry.for_committee(committee.id)
    ids = [m.id for m in metrics]
    county = registry.plan.county.code
    snapshot = rt.current_snapshot(ids, [county])
    # Published as a whole (every area of a period decides what is hidden), then narrowed
    published = rt.observations(current_observations(rt.engine, ids, include_benchmark=True))
    own = published[published["area_code"] == county]
    # Suppressed points are left out of the public's sparklines
    history = {str(m): g["value"].dropna().tolist()[-24:] for m, g in own.groupby("metric_id")}
    # Ranked among similar councils on published figures only: a rank would betray a hidden one
    positions = latest_positions(registry, published)
    sections = []
    for priority, group in group_by(metrics, "priority").items():
        heading_id = f"committee-priority-{priority or 'cross-cutting'}"
        name = registry.name_of("priorities", priority)
        sections.append(
            html.Section(
                [
                    html.H2(name, id=heading_id),
                    status_rows(
                        registry,
                        snapshot,
                        [m.id for m in group],
                        caption=f"{len(group)} measures for {name}",
                        table_id=f"committee-table-{priority or 'cross-cutting'}",
                        positions=positions,
                        history=history,
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
            pack_download("committee", committee.id),
        ]
    )
