"""Builders for lists of measures and the plan's structure (pure: registry in, components out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dash import html

from layouts._components.a11y import aria
from metrics.format import format_value
from metrics.model import Metric
from metrics.registry import Registry

POLARITY_WORDS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "Neither higher nor lower is better",
}


def target_text(metric: Metric) -> str:
    """The current target in words, or 'No target'."""
    target = metric.target_for(date.today())
    return "No target" if target is None else format_value(target, metric)


def measures_table(registry: Registry, metrics: Sequence[Metric], caption: str) -> html.Table:
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
                    html.Th(m.name, scope="row"),
                    html.Td(registry.name_of("portfolios", m.portfolio)),
                    html.Td(m.frequency.capitalize()),
                    html.Td(POLARITY_WORDS[m.polarity]),
                    html.Td(target_text(m)),
                ]
            )
            for m in metrics
        ]
    )
    return html.Table([html.Caption(caption), header, body], className="pmf-table")


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
                    measures_table(registry, metrics, f"{len(metrics)} measures for this priority"),
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
                    measures_table(registry, metrics, f"{len(metrics)} measures for this enabler"),
                ],
                className="pmf-section",
                **aria(labelledby=f"enabler-{enabler.id}"),
            )
        )
    return sections
