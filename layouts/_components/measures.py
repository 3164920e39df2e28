"""Builders for lists of measures and the plan's structure (pure: registry in, components out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.charts import sparkline, trend_words
from layouts._components.status import direction_badge, rag_badge, variation_text
from layouts._components.tables import captioned_table
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.readmodel.suppression import shown
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from metrics.words import plural, rag_word

POLARITY_WORDS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "Neither higher nor lower is better",
}


def target_text(metric: Metric) -> str:
    """The current target in words, or 'No target'."""
    target = metric.target_for(date.today())
    return rag_word("no_target") if target is None else format_value(target, metric)


def measures_table(registry: Registry, metrics: Sequence[Metric], caption: str) -> html.Div:
    """An accessible table of measures with their portfolio, frequency, direction and target."""
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Measure", "Portfolio", "Frequency", "Better is", "Target")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(dcc.Link(m.name, href=f"/metric/{m.id}"), scope="row"),
                    html.Td(registry.name_of("portfolios", m.portfolio)),
                    html.Td(m.frequency.capitalize()),
                    html.Td(POLARITY_WORDS[m.polarity]),
                    html.Td(target_text(m)),
                ]
            )
            for m in metrics
        ]
    )
    return captioned_table(caption, header, body)


def plan_sections(registry: Registry) -> list[html.Section]:
    """One section per priority and per enabler, each listing the measures mapped to it."""
    sections = []
    for priority in registry.plan.priorities:
        metrics = registry.for_priority(priority.id)
        sections.append(
            html.Section(
                [
                    html.H2(priority.name, id=f"priority-{priority.id}"),
                    html.P(priority.outcome, className="pmf-lead"),
                    measures_table(
                        registry, metrics, f"{plural(len(metrics), 'measure')} for this priority"
                    ),
                ],
                className="pmf-section",
                **aria(labelledby=f"priority-{priority.id}"),
            )
        )
    for enabler in registry.plan.enablers:
        metrics = registry.for_enabler(enabler.id)
        sections.append(
            html.Section(
                [
                    html.H2(f"Enabler: {enabler.name}", id=f"enabler-{enabler.id}"),
                    html.P(enabler.description, className="pmf-lead"),
                    measures_table(
                        registry, metrics, f"{plural(len(metrics), 'measure')} for this enabler"
                    ),
                ],
                className="pmf-section",
                **aria(labelledby=f"enabler-{enabler.id}"),
            )
        )
    return sections


def status_rows(
    registry: Registry,
    snapshot: pd.DataFrame,
    metric_ids: Sequence[str],
    *,
    caption: str,
    table_id: str,
    positions: dict[str, str] | None = None,
    history: dict[str, list[float]] | None = None,
    positions_heading: str = "Among similar councils",
) -> html.Div:
    """Measures with latest value, target, status, direction and SPC reading.

    `positions` adds the rank among a group of councils (headed `positions_heading`);
    `history` adds a sparkline per measure.
    """
    by_metric = {row["metric_id"]: row for _, row in snapshot.iterrows()}
    headings = ["Measure", "Period", "Latest", "Target", "Status", "Since last period", "SPC"]
    if positions is not None:
        headings.append(positions_heading)
    if history is not None:
        headings.append("Trend")
    rows = []
    for metric_id in metric_ids:
        metric = registry.metric(metric_id)
        row = by_metric.get(metric_id)
        known = row is not None and pd.notna(row["period_start"])
        cells = [
            html.Th(dcc.Link(metric.name, href=f"/metric/{metric.id}"), scope="row"),
            html.Td(
                period_label(metric.frequency, pd.Timestamp(row["period_start"]).date())
                if row is not None and known
                else ""
            ),
            html.Td(
                shown(row["value"], metric, bool(row.get("suppressed", False)))
                if row is not None and known
                else "no data",
                className="pmf-num",
            ),
            html.Td(
                format_value(row["target"], metric)
                if row is not None and pd.notna(row["target"])
                else "–",
                className="pmf-num",
            ),
            html.Td(rag_badge(row["rag"] if row is not None else None)),
            html.Td(
                direction_badge(row["direction"] if row is not None else None, metric.polarity)
            ),
            html.Td(variation_text(row["variation"] if row is not None else None)),
        ]
        if positions is not None:
            cells.append(html.Td(positions.get(metric_id, "–")))
        if history is not None:
            values = history.get(metric_id, [])
            cells.append(
                html.Td(sparkline(values, description=f"{metric.name}: {trend_words(values)}"))
            )
        rows.append(html.Tr(cells))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headings]))
    return captioned_table(caption, head, html.Tbody(rows), table_id=table_id)


def not_found(heading_id: str, what: str, ident: str, *, back: tuple[str, str]) -> html.Div:
    """A page for an id that does not exist: says what was asked for and where to go instead."""
    label, href = back
    return html.Div(
        [
            html.H1(f"{what.capitalize()} not found", id=heading_id),
            html.P(f"There is no {what} with the id “{ident}”."),
            html.P(dcc.Link(label, href=href)),
        ]
    )
