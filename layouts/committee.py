"""A select committee's remit: its measures grouped by priority, with trend and status, and
where the council stands in the group of councils the reader chooses."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import html

from layouts._components.a11y import aria
from layouts._components.forms import labelled_select
from layouts._components.measures import status_rows
from layouts._components.not_found import thing_not_found
from layouts._components.pack_download import pack_download, register_pack_download
from layouts._components.page_cache import cached_page
from layouts._components.query import drawn_store, register_filter_navigation
from layouts._runtime import runtime
from metrics.readmodel.judged import standings
from metrics.registry.comparators import ComparatorGroup
from metrics.registry.loader import group_by
from metrics.words import plural

dash.register_page(
    __name__, path_template="/committee/<committee_id>", title="Select committee", name="Committee"
)
register_pack_download()  # serves the portfolio page's pack control too
# The group the page was drawn for (layouts._components.query.register_filter_navigation)
GROUP_DRAWN = "committee-group-drawn"
register_filter_navigation({"group": "committee-group"}, drawn=GROUP_DRAWN)


def offered_groups(
    metric_ids: list[str], by_measure: dict[str, list[ComparatorGroup]]
) -> list[ComparatorGroup]:
    """Every group at least one of these measures can be compared with, in the order offered."""
    groups: dict[str, ComparatorGroup] = {}
    for metric_id in metric_ids:
        for group in by_measure.get(metric_id, ()):
            groups.setdefault(group.id, group)
    return list(groups.values())


@cached_page
def layout(committee_id: str = "", group: str = "", **_q: Any) -> html.Div:
    """The committee's measures, grouped by priority, each linking to its drill-down; `group`
    names the councils the measures are ranked among."""
    rt = runtime()
    registry = rt.registry
    committee = next((c for c in registry.plan.select_committees if c.id == committee_id), None)
    if committee is None:
        return thing_not_found(
            "committee-title", "select committee", committee_id, first=("The overview", "/")
        )
    metrics = registry.for_committee(committee.id)
    ids = [m.id for m in metrics]
    county = registry.plan.county.code
    snapshot = rt.current_snapshot(ids, [county])
    # Ranked among councils on published figures only, as on each drill-down (a rank would
    # betray a hidden one), reading a few measures at a time: at national scale each brings
    # every English council's history with it
    standing = standings(registry, rt.engine, ids, date.today(), rt.audience)
    own = standing.own
    # Suppressed points are left out of the public's sparklines
    history = {
        str(m): g["value"].dropna().tolist()[-24:]
        for m, g in own.sort_values("period_start", kind="stable").groupby("metric_id", sort=False)
    }
    groups = offered_groups(ids, standing.groups)
    chosen = next((g for g in groups if g.id == group), groups[0] if groups else None)
    positions = standing.places.get(chosen.id, {}) if chosen else {}
    heading = f"Rank among {chosen.in_a_sentence}" if chosen else ""
    sections = []
    for priority, members in group_by(metrics, "priority").items():
        heading_id = f"committee-priority-{priority or 'cross-cutting'}"
        name = registry.name_of("priorities", priority)
        sections.append(
            html.Section(
                [
                    html.H2(name, id=heading_id),
                    status_rows(
                        registry,
                        snapshot,
                        [m.id for m in members],
                        caption=f"{plural(len(members), 'measure')} for {name}",
                        table_id=f"committee-table-{priority or 'cross-cutting'}",
                        positions=positions if chosen is not None else None,
                        history=history,
                        positions_heading=heading,
                    ),
                ],
                **aria(labelledby=heading_id),
            )
        )
    chooser = (
        html.Form(
            [
                labelled_select(
                    "Compare with",
                    "committee-group",
                    [(g.id, g.name) for g in groups],
                    chosen.id if chosen is not None else "",
                ),
                drawn_store(GROUP_DRAWN, {"group": chosen.id if chosen is not None else ""}),
                html.P(
                    "Ranks are among the councils with a figure for the latest period; "
                    "1 is best. A measure without figures for a group says so.",
                    className="pmf-muted",
                ),
            ],
            className="pmf-filters",
            role="search",
            **aria(label="Choose the councils to compare with"),
        )
        if len(groups) > 1
        else None
    )
    return html.Div(
        [
            html.H1(committee.name, id="committee-title"),
            html.P(committee.remit, className="pmf-lead", id="committee-remit"),
            html.P(
                f"{plural(len(metrics), 'measure')} in this committee's remit, at county level. "
                "Choose a measure for its SPC chart, districts, comparisons and commentary."
            ),
            chooser,
            *sections,
            pack_download("committee", committee.id),
        ]
    )
