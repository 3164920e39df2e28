"""Sections of the metric drill-down, each a pure builder from data to components."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from layouts._components.a11y import aria
from layouts._components.charts import GRAPH_CONFIG, chart_figure
from layouts._components.measures import POLARITY_WORDS, target_text
from layouts._components.status import assurance_text, variation_text
from layouts._components.tables import details, simple_table
from metrics.engine.benchmark import Comparison
from metrics.engine.periods import period_label
from metrics.engine.series import SeriesView
from metrics.figures import UNIT_TITLES, comparison_figure, line_figure, ranking_figure, spc_figure
from metrics.format import format_value
from metrics.readmodel.suppression import shown
from metrics.registry.loader import Registry
from metrics.registry.model import Metric


def spc_summary(view: SeriesView) -> str:
    """One or two plain sentences about the latest value and the SPC reading."""
    metric, frame = view.metric, view.frame
    if frame.empty:
        return "There is no data for this measure and area yet."
    latest = frame.iloc[-1]
    parts = [
        f"The latest value, for {latest['period']}, is {format_value(latest['value'], metric)}."
    ]
    if latest["target"] is not None and not pd.isna(latest["target"]):
        parts.append(f"The target is {format_value(latest['target'], metric)}.")
    if view.spc is not None:
        parts.append(
            f"SPC variation: {variation_text(view.spc.variation)}. "
            f"Assurance: {assurance_text(view.spc.assurance)}."
        )
        parts.extend(view.spc.warnings)
    return " ".join(parts)


def spc_section(registry: Registry, view: SeriesView) -> html.Section:
    """The SPC chart with its readings in words, the data table and a CSV download."""
    metric, frame = view.metric, view.frame
    area = registry.area_name(view.area_code)
    children: list = [html.H2(f"Trend and variation: {area}", id="spc-heading")]
    children.append(html.P(spc_summary(view), id="spc-summary", className="pmf-summary"))
    if view.spc is not None:
        children.append(
            html.Dl(
                [
                    html.Dt("Variation"),
                    html.Dd(variation_text(view.spc.variation), id="spc-variation"),
                    html.Dt("Assurance"),
                    html.Dd(assurance_text(view.spc.assurance), id="spc-assurance"),
                ],
                className="pmf-readings",
            )
        )
        figure = spc_figure(
            frame,
            frame["period_start"].tolist(),
            unit_title=UNIT_TITLES[metric.unit],
            target=frame["target"].tolist(),
        )
        children.append(
            chart_figure(
                dcc.Graph(id="spc-chart", figure=figure, config=GRAPH_CONFIG),
                f"SPC chart of {metric.name}, {area}: values with their mean, process limits and "
                "target. Special-cause points are marked by shape and colour. The table below "
                "gives the same data.",
            )
        )
    if not frame.empty:
        table = simple_table(
            frame.iloc[::-1],
            {
                "period": "Period",
                "value": "Value",
                "target": "Target",
                "mean": "Mean",
                "lpl": "Lower limit",
                "upl": "Upper limit",
                "point_type": "SPC reading",
            },
            caption=f"{metric.name}, {area}, newest first",
            row_header="period",
            formatters={
                "value": lambda v: format_value(v, metric),
                "target": lambda v: "" if v is None or pd.isna(v) else format_value(v, metric),
                "mean": lambda v: format_value(v, metric),
                "lpl": lambda v: format_value(v, metric),
                "upl": lambda v: format_value(v, metric),
                "point_type": lambda v: variation_text(v),
            },
            table_id="spc-table",
        )
        children.append(details("Show the data as a table", table))
        children.append(
            html.Button(
                "Download every period (CSV)",
                id="metric-download-button",
                className="btn btn-primary",
            )
        )
        children.append(dcc.Download(id="metric-download"))
    return html.Section(children, **aria(labelledby="spc-heading"))


def districts_section(
    registry: Registry, metric: Metric, observations: pd.DataFrame, view: SeriesView
) -> html.Section | None:
    """Each district's trend and latest value, where the measure is reported by district."""
    districts = [a for a in registry.areas_for(metric) if a.type == "district"]
    if not districts or observations.empty:
        return None
    own = observations[observations["area_code"].isin([a.code for a in registry.areas_for(metric)])]
    pivot = own.pivot_table(
        index="period_start", columns="area_code", values="value", aggfunc="first"
    ).sort_index()
    if not view.frame.empty:
        first, last = view.frame["period_start"].iloc[0], view.frame["period_start"].iloc[-1]
        pivot = pivot[(pivot.index >= pd.Timestamp(first)) & (pivot.index <= pd.Timestamp(last))]
    labels = [period_label(metric.frequency, pd.Timestamp(s).date()) for s in pivot.index]
    county = registry.plan.county
    series = {registry.area_name(code): pivot[code] for code in pivot.columns}
    figure = line_figure(
        series, list(pivot.index), unit_title=UNIT_TITLES[metric.unit], highlight=county.name
    )
    latest = pivot.iloc[-1] if len(pivot) else pd.Series(dtype=float)
    # Public views pass observations with a `suppressed` column: those cells read [c]
    hidden = (
        set(own.loc[own["suppressed"] & (own["period_start"] == latest.name), "area_code"])
        if "suppressed" in own and len(pivot)
        else set()
    )
    table_frame = pd.DataFrame(
        {
            "area": [registry.area_name(c) for c in latest.index],
            "value": latest.to_numpy(),
            "shown": [shown(v, metric, c in hidden) for c, v in latest.items()],
        }
    ).sort_values("value", ascending=metric.polarity != "higher_is_better")
    latest_label = labels[-1] if labels else ""
    return html.Section(
        [
            html.H2("Districts", id="districts-heading"),
            html.P(
                f"The county line is drawn thickest. Latest period: {latest_label}.",
                className="pmf-muted",
            ),
            chart_figure(
                dcc.Graph(id="districts-chart", figure=figure, config=GRAPH_CONFIG),
                f"Line chart of {metric.name} for the county and each district. "
                "The table below gives the latest values.",
            ),
            simple_table(
                table_frame,
                {"area": "Area", "shown": f"Value, {latest_label}"},
                caption=f"{metric.name} by area, {latest_label}, best first",
                row_header="area",
                formatters={"value": lambda v: format_value(v, metric)},
                table_id="districts-table",
            ),
        ],
        **aria(labelledby="districts-heading"),
    )


def definition_section(registry: Registry, metric: Metric) -> html.Section:
    """The definition, owner and mapping to the plan."""
    items = [
        ("Definition", metric.description),
        ("Owner", metric.owner),
        ("Priority", registry.name_of("priorities", metric.priority)),
        ("Enablers", ", ".join(registry.name_of("enablers", e) for e in metric.enablers) or "None"),
        ("Portfolio", registry.name_of("portfolios", metric.portfolio)),
        ("Select committee", registry.name_of("select_committees", metric.select_committee)),
        ("Unit", metric.unit),
        ("Better is", POLARITY_WORDS[metric.polarity]),
        ("Reported", metric.frequency),
        ("Current target", target_text(metric)),
        ("Source", metric.source or "Not set"),
    ]
    return html.Section(
        [
            html.H2("Definition", id="definition-heading"),
            html.Dl(
                [part for key, value in items for part in (html.Dt(key), html.Dd(value))],
                className="pmf-definition",
            ),
        ],
        **aria(labelledby="definition-heading"),
    )


def revisions_section(registry: Registry, metric: Metric, history: pd.DataFrame) -> html.Section:
    """Values that were restated: the old value, the new one and when."""
    restated = history[history["superseded_at"].notna()] if not history.empty else history
    if restated.empty:
        body: Component = html.P("No values have been restated.", id="revisions-none")
    else:
        rows = restated.assign(
            area=[registry.area_name(c) for c in restated["area_code"]],
            period=[
                period_label(metric.frequency, pd.Timestamp(s).date())
                for s in restated["period_start"]
            ],
            restated=[f"Restated on {pd.Timestamp(t):%d %b %Y}" for t in restated["superseded_at"]],
        )
        body = simple_table(
            rows,
            {"period": "Period", "area": "Area", "value": "Earlier value", "restated": "When"},
            caption="Earlier values that were later restated",
            row_header="period",
            formatters={"value": lambda v: format_value(v, metric)},
            table_id="revisions-table",
        )
    return html.Section(
        [html.H2("Revision history", id="revisions-heading"), body],
        **aria(labelledby="revisions-heading"),
    )


def comment_list(comments: pd.DataFrame) -> html.Div:
    """The commentary thread, newest first."""
    if comments.empty:
        return html.Div(html.P("No commentary yet."))
    return html.Div(
        html.Ul(
            [
                html.Li(
                    [
                        html.P(row["body"]),
                        html.P(
                            f"{row['author']}, {pd.Timestamp(row['created_at']):%d %b %Y %H:%M}",
                            className="pmf-muted",
                        ),
                    ],
                    className="pmf-comment",
                )
                for _, row in comments.iterrows()
            ],
            className="list-unstyled",
        )
    )


def comparison_section(
    registry: Registry, comparison: Comparison | None, national: str | None = None
) -> html.Section | None:
    """The council against similar councils: sentences, trend, ranked bar and tables.

    `national` is a sentence about all English councils, when the data covers them.
    """
    if comparison is None:
        return None
    metric = comparison.metric
    council = registry.plan.organisation.short_name
    table = comparison.by_period.dropna(subset=["own_value"])
    ranking = comparison.latest_ranking()
    if table.empty or ranking.empty:
        return None
    latest_label = period_label(
        metric.frequency, pd.Timestamp(ranking["period_start"].iloc[0]).date()
    )
    unit_title = UNIT_TITLES[metric.unit]
    return html.Section(
        [
            html.H2("Compared with similar councils", id="comparison-heading"),
            html.P(f"Comparator group: {comparison.group.name}.", className="pmf-muted"),
            html.P(
                comparison.sentence(council) or "",
                id="comparison-sentence",
                className="pmf-summary",
            ),
            html.P(national, id="national-sentence") if national else None,
            html.P(
                "Rank 1 is best"
                + (
                    ""
                    if metric.polarity != "neutral"
                    else " (here: highest, as neither way is better)"
                )
                + f". The group has {len(comparison.group.members) or 'every'} councils; "
                "a council missing a year's figure is left out of that year.",
                className="pmf-muted",
            ),
            chart_figure(
                dcc.Graph(
                    id="comparison-chart",
                    config=GRAPH_CONFIG,
                    figure=comparison_figure(table, own_name=council, unit_title=unit_title),
                ),
                f"{council}'s {metric.name.lower()} against the median of similar councils, "
                "with the middle half of them shaded. The tables below give the figures.",
            ),
            chart_figure(
                dcc.Graph(
                    id="ranking-chart",
                    config=GRAPH_CONFIG,
                    figure=ranking_figure(ranking, own_name=council, unit_title=unit_title),
                ),
                f"Every council in the group ranked for {latest_label}, best first; {council} is "
                "the dark, hatched bar labelled “this council”.",
            ),
            simple_table(
                ranking.assign(
                    rank_text=[str(int(r)) for r in ranking["rank"]],
                    council=[
                        f"{n} (this council)" if o else n
                        for n, o in zip(ranking["name"], ranking["is_own"], strict=True)
                    ],
                ),
                {"rank_text": "Rank", "council": "Council", "value": latest_label},
                caption=f"{metric.name}: similar councils ranked, {latest_label}",
                row_header="council",
                formatters={"value": lambda v: format_value(v, metric)},
                table_id="ranking-table",
            ),
            details(
                "Show the comparison over time as a table",
                simple_table(
                    table.iloc[::-1].assign(
                        period=[
                            period_label(metric.frequency, pd.Timestamp(s).date())
                            for s in table["period_start"].iloc[::-1]
                        ]
                    ),
                    {
                        "period": "Period",
                        "own_value": council,
                        "median": "Median",
                        "q1": "Lower quartile",
                        "q3": "Upper quartile",
                        "rank": "Rank",
                        "n": "Councils",
                    },
                    caption=f"{metric.name}: {council} against similar councils",
                    row_header="period",
                    formatters={
                        k: (lambda v: format_value(v, metric))
                        for k in ("own_value", "median", "q1", "q3")
                    }
                    | {
                        "rank": lambda r: "" if pd.isna(r) else str(int(r)),
                        "n": lambda n: str(int(n)),
                    },
                    table_id="comparison-table",
                ),
            ),
        ],
        **aria(labelledby="comparison-heading"),
    )
