"""The overview: a plain summary, links to the portfolios and committees, the
priorities-by-enablers matrix, and what needs attention (value, target, why and owner)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.measures import status_rows
from layouts._components.page_cache import cached_page
from layouts._components.quick import quick
from layouts._components.status import rag_badge
from layouts._components.tables import captioned_table, simple_table
from layouts._runtime import Runtime, runtime
from metrics.engine.benchmark import latest_positions
from metrics.engine.milestones import slipping_count
from metrics.engine.overview import (
    NO_ENABLER,
    cell_metrics,
    county_rows,
    headline,
    matrix,
    needs_attention,
)
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.readmodel.judged import read_model
from metrics.readmodel.suppression import shown
from metrics.registry.loader import Registry
from metrics.words import plural, rag_word
from warehouse.at_once import at_once
from warehouse.flags import open_and_overdue_counts
from warehouse.snapshot import figures_loaded, snapshot_computed_at

dash.register_page(__name__, path="/", title="Performance overview", name="Overview")

# (status, words, chip class): every measure in a cell is counted under exactly one of these
RAG_CHIPS = (
    ("red", "off target", "off"),
    ("amber", "within tolerance", "within"),
    ("green", "on target", "on"),
    ("no_target", "without a target", "without"),
    ("no_data", "with no data yet", "nodata"),
    ("suppressed", "not published (small numbers)", "nodata"),
)


def _enabler_name(registry: Registry, enabler: str) -> str:
    return "No specific enabler" if enabler == NO_ENABLER else registry.name_of("enablers", enabler)


def _measures(count: int) -> str:
    return plural(count, "measure")


def _cell(registry: Registry, cell: Mapping[str, Any]) -> html.Td:
    if not cell["total"]:
        return quick(html.Td, "–", className="pmf-muted")
    chips = [
        quick(html.Span, f"{int(cell[rag])} {words}", className=f"pmf-chip pmf-chip-{css}")
        for rag, words, css in RAG_CHIPS
        if cell[rag]
    ]
    query = {"priority": cell["priority"] or "cross-cutting", "enabler": cell["enabler"]}
    return quick(
        html.Td,
        quick(
            dcc.Link,
            [quick(html.Span, _measures(int(cell["total"])), className="pmf-cell-total")] + chips,
            href=f"/?{urlencode(query)}#cell-measures",
        ),
    )


def matrix_table(registry: Registry, snapshot: pd.DataFrame) -> html.Div:
    """Priorities down, enablers across, with RAG counts in each cell; each cell is a link."""
    cells = matrix(registry, snapshot)
    enablers = list(dict.fromkeys(cell["enabler"] for cell in cells))
    head = html.Thead(
        html.Tr(
            [quick(html.Th, "Priority", scope="col")]
            + [quick(html.Th, _enabler_name(registry, e), scope="col") for e in enablers]
        )
    )
    # One row of the table per priority, in the order the cells come
    rows: dict[str | None, list[dict[str, Any]]] = {}
    for cell in cells:
        rows.setdefault(cell["priority"], []).append(cell)
    body = []
    for priority, group in rows.items():
        row_cells: list[html.Th | html.Td] = [
            quick(html.Th, registry.name_of("priorities", priority), scope="row")
        ]
        row_cells += [_cell(registry, cell) for cell in group]
        body.append(quick(html.Tr, row_cells))
    return captioned_table(
        "Measures by priority and enabler, with their status",
        head,
        html.Tbody(body),
        table_id="overview-matrix",
        css="pmf-matrix",
    )


def _cell_section(
    rt: Runtime, snapshot: pd.DataFrame, priority: str, enabler: str
) -> html.Section | None:
    registry = rt.registry
    if not priority or not enabler:
        return None
    priority_id = None if priority == "cross-cutting" else priority
    ids = cell_metrics(registry, priority_id, enabler)
    title = f"{registry.name_of('priorities', priority_id)} · {_enabler_name(registry, enabler)}"
    return html.Section(
        [
            html.H2(f"Measures: {title}", id="cell-measures"),
            status_rows(
                registry,
                county_rows(registry, snapshot),
                ids,
                caption=title,
                table_id="cell-table",
                # Ranked on published figures only: a rank would betray a hidden one
                positions=latest_positions(
                    registry,
                    read_model(registry, rt.engine, ids, date.today(), rt.audience).compared,
                ),
            )
            if ids
            else html.P("No measures in this cell."),
        ],
        **aria(labelledby="cell-measures"),
    )


def _no_data(internal: bool) -> html.Div:
    """What an empty warehouse means, and for those who can, how to fill it."""
    if not internal:
        return html.Div(
            html.P("No figures have been published yet. Please check again later."),
            className="alert alert-info",
            role="status",
            id="overview-no-data",
        )
    return html.Div(
        [
            html.P(
                "No data has been loaded yet, so no measure has a status and nothing can be "
                "judged to need attention.",
                className="mb-2",
            ),
            html.P(
                [
                    "To load it, run the pipelines from the ",
                    dcc.Link("Data page", href="/data"),
                    " (Run now) or with ",
                    html.Code("pmf pipelines run --all"),
                    ", then ",
                    html.Code("pmf evaluate"),
                    ". ",
                    html.Code("pmf demo"),
                    " loads demonstration figures instead.",
                ],
                className="mb-0",
            ),
        ],
        className="alert alert-warning",
        role="status",
        id="overview-no-data",
    )


def attention_rows(registry: Registry, snapshot: pd.DataFrame) -> list[dict[str, Any]]:
    """The measures that need attention with their latest value and period, target and owner,
    as words, one record each (the judgement of what needs attention is `needs_attention`'s)."""
    items = needs_attention(registry, snapshot)
    # Only the few rows listed, and the columns shown, are turned into records, read from
    # plain column lists: pandas' own selection costs more than the few hundred rows
    own = county_rows(registry, snapshot)
    listed = {item["metric_id"] for item in items}
    shown_columns = [
        c for c in ("metric_id", "value", "suppressed", "period_start", "target") if c in own
    ]
    county: dict[str, dict[str, Any]] = {
        str(metric_id): dict(zip(shown_columns, values, strict=True))
        for metric_id, values in zip(
            own["metric_id"].tolist(),
            zip(*(own[c].tolist() for c in shown_columns), strict=True),
            strict=True,
        )
        if metric_id in listed
    }
    rows = []
    for item in items:
        metric = registry.metric(str(item["metric_id"]))
        row = county.get(metric.id)
        known = row is not None and pd.notna(row["period_start"])
        latest = (
            shown(row["value"], metric, bool(row.get("suppressed", False)))
            + f" ({period_label(metric.frequency, pd.Timestamp(row['period_start']).date())})"
            if row is not None and known
            else rag_word("no_data")
        )
        target = (
            format_value(row["target"], metric)
            if row is not None and pd.notna(row["target"])
            else rag_word("no_target")
        )
        rows.append({**item, "latest": latest, "target": target, "owner": metric.owner})
    return rows


def _attention(registry: Registry, snapshot: pd.DataFrame, loaded: bool) -> html.Section:
    items = attention_rows(registry, snapshot)
    content: Any
    if not loaded:
        content = html.P("Nothing can be judged until data is loaded.", id="attention-empty")
    elif not items:
        content = html.P("Nothing needs attention: every measure is on target or within tolerance.")
    else:
        links = {item["name"]: item["metric_id"] for item in items}
        content = simple_table(
            items,
            {
                "name": "Measure",
                "latest": "Latest figure",
                "target": "Target",
                "rag": "Status",
                "reasons": "Why it needs attention",
                "owner": "Owner",
            },
            caption="Measures that need attention, most reasons first",
            row_header="name",
            formatters={
                "name": lambda name: quick(dcc.Link, name, href=f"/metric/{links[name]}"),
                "rag": rag_badge,
            },
            numeric=("latest", "target"),
            table_id="attention-list",
        )
    return html.Section(
        [html.H2("Needs attention", id="attention-heading"), content],
        **aria(labelledby="attention-heading"),
    )


def _directory(registry: Registry, portfolios: bool) -> html.Section:
    plan = registry.plan
    return html.Section(
        [
            html.H2("Portfolios and committees", id="directory-heading"),
            html.Div(
                [
                    html.Div(
                        [
                            html.H3("Cabinet portfolios"),
                            html.Ul(
                                [
                                    quick(
                                        html.Li, quick(dcc.Link, p.name, href=f"/portfolio/{p.id}")
                                    )
                                    for p in plan.portfolios
                                ]
                            ),
                        ]
                    )
                    if portfolios
                    else None,
                    html.Div(
                        [
                            html.H3("Select committees"),
                            html.Ul(
                                [
                                    quick(
                                        html.Li, quick(dcc.Link, c.name, href=f"/committee/{c.id}")
                                    )
                                    for c in plan.select_committees
                                ]
                            ),
                        ]
                    ),
                ],
                className="pmf-columns",
            ),
        ],
        **aria(labelledby="directory-heading"),
    )


@cached_page
def layout(priority: str = "", enabler: str = "", **_q: Any) -> html.Div:
    """The overview page; `priority` and `enabler` pick a cell of the matrix to list."""
    rt = runtime()
    registry = rt.registry
    today = date.today()
    internal = rt.may("read_internal")
    # The public sees no flags or milestones, so they are not even read for them; of flags,
    # only how many are open and how many of those have an overdue action are shown. Those
    # two small reads go ahead, each on a connection of its own, while the snapshot is read
    flag_counts = at_once(open_and_overdue_counts, rt.engine, today) if internal else None
    slipping = at_once(slipping_count, registry, rt.engine, today) if internal else None
    # Everything here is about the council's own area: its rows alone are read (a tenth
    # of the snapshot), judged for the public as the whole snapshot would be
    snapshot = rt.current_snapshot(area_codes=[registry.plan.county.code])
    open_flags, overdue_actions = flag_counts.result() if flag_counts is not None else (0, 0)
    summary = headline(
        registry,
        snapshot,
        open_flags=open_flags,
        overdue_actions=overdue_actions,
        slipping_milestones=slipping.result() if slipping is not None else 0,
    )
    loaded = figures_loaded(rt.engine)
    # One evaluation writes the whole snapshot at one moment: any row of it says when
    computed = (
        pd.Timestamp(snapshot["computed_at"].max()).to_pydatetime()
        if snapshot["computed_at"].notna().any()
        else snapshot_computed_at(rt.engine)
    )
    as_at = (
        f"Status as at {computed:%d %B %Y, %H:%M}."
        if computed
        else "Status has not been worked out yet: run pmf evaluate."
    )
    return html.Div(
        [
            html.H1("Performance overview", id="overview-title"),
            html.P(registry.plan.plan.name, className="pmf-lead"),
            html.P(
                summary.sentence(status_only=not internal),
                id="overview-summary",
                className="pmf-summary",
            )
            if loaded
            else _no_data(internal),
            html.P(
                [as_at, " ", dcc.Link("The plan and its measures", href="/plan")],
                className="pmf-muted",
            ),
            _directory(registry, portfolios=internal),
            html.Section(
                [
                    html.H2("Priorities and enablers", id="matrix-heading"),
                    matrix_table(registry, snapshot),
                ],
                **aria(labelledby="matrix-heading"),
            ),
            _cell_section(rt, snapshot, priority, enabler),
            _attention(registry, snapshot, loaded),
        ]
    )
