"""Sections of the metric drill-down, each a pure builder from data to components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from layouts._components.a11y import aria
from layouts._components.charts import GRAPH_CONFIG, chart_figure
from layouts._components.forms import labelled_select
from layouts._components.measures import POLARITY_WORDS, target_text
from layouts._components.query import drawn_store
from layouts._components.status import assurance_text, variation_text
from layouts._components.tables import details_on_open, simple_table
from metrics.engine.benchmark import Comparison
from metrics.engine.comparison_choice import ComparisonChoice
from metrics.engine.periods import period_label
from metrics.engine.series import SeriesView
from metrics.engine.series_words import limits_note, limits_sentences, rebase_words, shown_words
from metrics.figures import (
    LABELLED_BARS,
    UNIT_TITLES,
    comparison_figure,
    line_figure,
    ranking_figure,
    spc_figure,
)
from metrics.format import format_value
from metrics.readmodel.suppression import shown
from metrics.registry.comparators import ENGLISH_COUNCILS
from metrics.registry.loader import Registry
from metrics.registry.model import Area, Metric
from metrics.words import plural


def spc_summary(view: SeriesView, *, names: bool = True) -> str:
    """Plain sentences about the points shown, the last of them, the SPC reading and where the
    limits come from (the latest only when the last point shown is the latest held)."""
    metric, frame = view.metric, view.frame
    if frame.empty:
        return "There is no data for this measure and area yet."
    last = frame.iloc[-1]
    value = format_value(last["value"], metric)
    parts = [shown_words(view)]
    if view.shows_latest:
        parts.append(f"The latest value, for {last['period']}, is {value}.")
    else:
        parts.append(
            f"The last value shown, for {last['period']}, is {value}; "
            f"the latest figure held is for {view.latest_period}."
        )
    if last["target"] is not None and not pd.isna(last["target"]):
        parts.append(f"The target is {format_value(last['target'], metric)}.")
    if view.spc is not None:
        which = "" if view.shows_latest else " of the last point shown"
        parts.append(
            f"SPC variation{which}: {variation_text(view.spc.variation)}. "
            f"Assurance: {assurance_text(view.spc.assurance)}."
        )
        parts.extend(limits_sentences(view, names=names))
    return " ".join(parts)


def spc_body(registry: Registry, view: SeriesView, *, names: bool = True) -> list[Component]:
    """What the SPC section shows of one series: words, readings, chart, table and download."""
    metric, frame = view.metric, view.frame
    area = registry.area_name(view.area_code)
    children: list[Component] = [
        html.P(spc_summary(view, names=names), id="spc-summary", className="pmf-summary")
    ]
    if view.spc is not None:
        children.append(
            html.Dl(
                [
                    html.Dt("Variation"),
                    html.Dd(variation_text(view.spc.variation), id="spc-variation"),
                    html.Dt("Assurance"),
                    html.Dd(assurance_text(view.spc.assurance), id="spc-assurance"),
                    html.Dt("Limits"),
                    html.Dd(limits_note(view), id="spc-limits"),
                ],
                className="pmf-readings",
            )
        )
        children.append(
            chart_figure(
                dcc.Graph(
                    id="spc-chart", figure=spc_figure(view, names=names), config=GRAPH_CONFIG
                ),
                f"SPC chart of {metric.name}, {area}: values with their mean, process limits and "
                f"target. {limits_note(view)}. "
                + (
                    "A dashed upright line marks where the limits were recalculated. "
                    if any(s.rebase for s in view.segments)
                    else ""
                )
                + "Special-cause points are marked by shape and colour. The table below gives "
                "the same data.",
            )
        )
    if not frame.empty:
        children.append(details_on_open("Show the data as a table", "spc"))
        children.append(
            html.Button(
                "Download every period (CSV)",
                id="metric-download-button",
                className="btn btn-primary",
            )
        )
        children.append(dcc.Download(id="metric-download"))
    return children


def spc_table(registry: Registry, view: SeriesView) -> html.Div:
    """The series shown, newest first, with its SPC columns: the chart's data as a table."""
    metric = view.metric
    return simple_table(
        view.frame.iloc[::-1],
        {
            "period": "Period",
            "value": "Value",
            "target": "Target",
            "mean": "Mean",
            "lpl": "Lower limit",
            "upl": "Upper limit",
            "point_type": "SPC reading",
        },
        caption=f"{metric.name}, {registry.area_name(view.area_code)}, newest first",
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


def spc_section(
    registry: Registry, view: SeriesView, *, names: bool = True, rebase_form: bool = False
) -> html.Section:
    """The SPC chart with its readings in words, the data table and a CSV download; for
    officers, the form that recalculates the limits from a period."""
    area = registry.area_name(view.area_code)
    children: list[Component] = [html.H2(f"Trend and variation: {area}", id="spc-heading")]
    children.append(html.Div(spc_body(registry, view, names=names), id="spc-body"))
    children.append(
        html.Div(rebase_records(view, names=names, withdraw=rebase_form), id="rebase-records")
    )
    if rebase_form:
        children.append(html.Div(id="rebase-withdraw-status", role="status"))
    if rebase_form and len(view.all_periods) > 1:
        children.append(rebase_form_section(view))
    return html.Section(children, **aria(labelledby="spc-heading"))


def rebase_records(view: SeriesView, *, names: bool, withdraw: bool) -> list[Component]:
    """The rebases recorded for the series, for every reader; for officers each has a Withdraw
    button that first asks them to confirm (GOV.UK: a second step before a destructive act)."""
    recorded = [r for r in view.rebases if r.rebase_id is not None]
    if not recorded:
        return []
    frequency = view.metric.frequency
    items = []
    for record in recorded:
        key = record.rebase_id
        label = period_label(frequency, record.period_start)
        parts: list[Component | str] = [rebase_words(frequency, record, names=names)]
        if withdraw:
            parts += [
                " ",
                html.Button(
                    [
                        "Withdraw",
                        html.Span(f" the rebase from {label}", className="visually-hidden"),
                    ],
                    id={"type": "rebase-withdraw", "rebase": key},
                    className="btn btn-link p-0 align-baseline",
                    type="button",
                ),
                html.Div(
                    [
                        html.P(
                            [
                                html.Strong(f"Withdraw the rebase from {label}?"),
                                " The mean and limits will run on across it as if it had not been "
                                "recorded. It stays in the record, marked as withdrawn by you.",
                            ]
                        ),
                        html.Button(
                            "Yes, withdraw it",
                            id={"type": "rebase-withdraw-yes", "rebase": key},
                            className="btn btn-danger me-2",
                            type="button",
                        ),
                        html.Button(
                            "Cancel",
                            id={"type": "rebase-withdraw-cancel", "rebase": key},
                            className="btn btn-secondary",
                            type="button",
                        ),
                    ],
                    id={"type": "rebase-confirm", "rebase": key},
                    className="pmf-rebase-confirm",
                    role="group",
                    hidden=True,
                    **aria(label=f"Confirm withdrawing the rebase from {label}"),
                ),
            ]
        items.append(html.Li(parts, id=f"rebase-{key}"))
    return [
        html.H3("Recalculated limits", id="rebase-list-heading", className="h5"),
        html.Ul(items, id="rebase-list", **aria(labelledby="rebase-list-heading")),
    ]


REBASE_FIELDS = {"period": "rebase-period", "reason": "rebase-reason"}


def rebase_form_section(view: SeriesView) -> html.Div:
    """The officer's form to recalculate the limits from a period (GOV.UK pattern: an error
    summary linked to each field and an error beside it, filled by the callback)."""
    periods = view.all_periods.iloc[1:]
    options = [{"label": "Choose a period", "value": ""}] + [
        {"label": label, "value": start.isoformat()}
        for start, label in zip(
            periods["period_start"].tolist(), periods["period"].tolist(), strict=True
        )
    ]
    return html.Div(
        [
            html.H3("Recalculate the limits", id="rebase-heading"),
            html.P(
                "After a real change in the service (a new process, a new definition), work "
                "out the mean and limits afresh from the first period after the change. The "
                "chart shows a break there, with your reason and name. It can be withdrawn "
                "later from the list of recalculated limits.",
                className="pmf-muted",
            ),
            html.Div(id="rebase-error-summary"),
            html.Div(id="rebase-status", role="status"),
            html.Div(
                [
                    html.Label("First period of the new limits", htmlFor="rebase-period"),
                    html.P(id="rebase-period-error", className="pmf-field-error"),
                    dbc.Select(id="rebase-period", options=options, value=""),
                ],
                id="rebase-period-group",
                className="mb-3",
            ),
            html.Div(
                [
                    html.Label(
                        [
                            "Why the process changed ",
                            html.Span("(readers see this on the chart)", className="pmf-muted"),
                        ],
                        htmlFor="rebase-reason",
                    ),
                    html.P(id="rebase-reason-error", className="pmf-field-error"),
                    dcc.Textarea(
                        id="rebase-reason",
                        className="form-control",
                        style={"width": "100%", "minHeight": "5rem"},
                    ),
                ],
                id="rebase-reason-group",
                className="mb-3",
            ),
            html.Button("Recalculate the limits", id="rebase-submit", className="btn btn-primary"),
        ],
        className="pmf-rebase",
        role="group",
        **aria(labelledby="rebase-heading"),
    )


def rebase_errors(problems: dict[str, str]) -> tuple[Component | None, dict[str, str]]:
    """The error summary (linked to each field) and each field's own message."""
    shown = {key: problems[key] for key in REBASE_FIELDS if key in problems}
    others = [message for key, message in problems.items() if key not in REBASE_FIELDS]
    if not shown and not others:
        return None, {}
    items = [
        html.Li(html.A(message, href=f"#{REBASE_FIELDS[key]}")) for key, message in shown.items()
    ]
    items += [html.Li(message) for message in others]
    summary = html.Div(
        [
            html.H4(
                "There is a problem", className="pmf-error-summary-title", id="rebase-error-title"
            ),
            html.Ul(items),
        ],
        className="pmf-error-summary",
        role="alert",
        tabIndex="-1",
        **aria(labelledby="rebase-error-title"),
    )
    return summary, shown


def values_by_period(rows: pd.DataFrame) -> pd.DataFrame:
    """Each period's value for each area (periods down, areas across, both in order; the first
    row of a period and area where there are two), as `pivot_table(..., aggfunc="first")`
    gives it: laid out by category codes rather than grouped, five times quicker."""
    values = rows["value"].to_numpy(dtype=float)
    known = ~np.isnan(values)
    every = bool(known.all())  # as a drill-down's own figures mostly are: nothing to leave out
    period, starts = pd.factorize(
        rows["period_start"] if every else rows["period_start"][known], sort=True
    )
    codes_read = rows["area_code"].to_numpy(dtype=object)
    area, codes = pd.factorize(codes_read if every else codes_read[known], sort=True)
    _, first = np.unique(period * len(codes) + area, return_index=True)
    grid = np.full((len(starts), len(codes)), np.nan)
    grid[period[first], area[first]] = (values if every else values[known])[first]
    return pd.DataFrame(
        grid,
        index=pd.Index(starts, name="period_start"),
        columns=pd.Index(codes, dtype="str", name="area_code"),
    )


def districts_section(
    registry: Registry, metric: Metric, observations: pd.DataFrame, view: SeriesView
) -> html.Section | None:
    """Each area's trend, the chosen one highlighted in colour, and the latest values."""
    districts = [a for a in registry.areas_for(metric) if a.type == "district"]
    if not districts or observations.empty:
        return None
    theirs = np.isin(
        observations["area_code"].to_numpy(dtype=object),
        np.array([a.code for a in registry.areas_for(metric)], dtype=object),
    )
    own = observations if theirs.all() else observations[theirs]
    pivot = values_by_period(own)
    if not view.frame.empty:
        first, last = view.frame["period_start"].iloc[0], view.frame["period_start"].iloc[-1]
        pivot = pivot[(pivot.index >= pd.Timestamp(first)) & (pivot.index <= pd.Timestamp(last))]
    starts = pivot.index.to_numpy(dtype="datetime64[D]").astype(object).tolist()
    labels = [period_label(metric.frequency, s) for s in starts]
    county = registry.plan.county
    chosen = registry.area_name(view.area_code)
    # Each area's values as a column of one array: pandas' own column per area costs more
    # than the chart's few hundred numbers
    codes = [str(code) for code in pivot.columns]
    grid = pivot.to_numpy()
    names = [registry.area_name(code) for code in codes]
    figure = line_figure(
        {name: grid[:, number] for number, name in enumerate(names)},
        starts,
        frequency=metric.frequency,
        unit_title=UNIT_TITLES[metric.unit],
        highlight=chosen,
        county=county.name,
    )
    latest = grid[-1].tolist() if len(grid) else []
    # Public views pass observations with a `suppressed` column: those cells read [c]
    suppressed = (
        own["suppressed"].to_numpy(dtype=bool) if "suppressed" in own else np.zeros(0, bool)
    )
    hidden = (
        set(own.loc[suppressed & (own["period_start"] == pivot.index[-1]), "area_code"])
        if suppressed.any() and len(pivot)
        else set()
    )
    # Best first, as pandas' sort_values orders them (stable, missing values last either way)
    rows = sorted(
        zip(codes, names, latest, strict=True),
        key=lambda row: (
            row[2] != row[2],
            -row[2] if metric.polarity == "higher_is_better" and row[2] == row[2] else row[2],
        ),
    )
    table_frame = pd.DataFrame(
        {
            "area": [
                f"{name} (highlighted)" if code == view.area_code else name
                for code, name, _ in rows
            ],
            "value": [value for _, _, value in rows],
            "shown": [shown(value, metric, code in hidden) for code, _, value in rows],
        }
    )
    latest_label = labels[-1] if labels else ""
    reference = (
        "" if chosen == county.name else f" {county.name} (the county) is the dark dashed line;"
    )
    return html.Section(
        [
            html.H2("Districts", id="districts-heading"),
            html.P(
                f"{chosen} is drawn in blue;{reference} the other areas are grey. Choose another "
                f"area above to highlight it. Latest period: {latest_label}.",
                id="districts-key",
                className="pmf-muted",
            ),
            html.P(["Highlight: ", *_area_links(metric, [county, *districts], view.area_code)]),
            chart_figure(
                dcc.Graph(id="districts-chart", figure=figure, config=GRAPH_CONFIG),
                f"Line chart of {metric.name} for the county and each district, with {chosen} "
                "highlighted. The table below gives the latest values.",
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


def _area_links(metric: Metric, areas: list[Area], chosen: str) -> list[Component | str]:
    """Each area as a link that highlights it, the chosen one as plain bold text."""
    parts: list[Component | str] = []
    for number, area in enumerate(areas):
        if number:
            parts.append(", ")
        parts.append(
            html.Strong(area.name)
            if area.code == chosen
            else dcc.Link(area.name, href=f"/metric/{metric.id}?area={area.code}")
        )
    return parts


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
        ("Source", registry.pipeline_name(metric.source_id) or "Not set"),
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


# The group the page was drawn for (layouts._components.query.register_filter_navigation)
COMPARISON_GROUP_DRAWN = "comparison-group-drawn"


def comparison_group_chooser(choice: ComparisonChoice, chosen: str) -> html.Form | None:
    """'Compare with': the groups the data supports for this measure (none if only one)."""
    if len(choice.groups) < 2:
        return None
    return html.Form(
        [
            labelled_select(
                "Compare with", "comparison-group", [(g.id, g.name) for g in choice.groups], chosen
            ),
            drawn_store(COMPARISON_GROUP_DRAWN, {"group": chosen}),
        ],
        className="pmf-filters",
        role="search",
        **aria(label="Choose the councils to compare with"),
    )


def _with_england(table: pd.DataFrame, england: pd.DataFrame | None) -> pd.DataFrame:
    if england is None:
        return table
    # Each period's England median beside it (the merge on period it is, without its cost)
    medians = pd.Series(england["median"].to_numpy(), index=england["period_start"])
    return table.assign(england_median=table["period_start"].map(medians)).reset_index(drop=True)


def _over_time(comparison: Comparison, choice: ComparisonChoice | None) -> pd.DataFrame:
    """Every period the council has a figure for, against the group (and the England median
    when the reader chooses among groups and the data has it)."""
    england = choice.england if choice is not None else None
    if comparison.group.id == ENGLISH_COUNCILS.id:
        england = None  # the group's own median is the England median
    return _with_england(comparison.ranked, england)


def comparison_table(
    registry: Registry, comparison: Comparison, choice: ComparisonChoice | None = None
) -> html.Div:
    """The comparison over time, newest first: the comparison chart's data as a table."""
    metric = comparison.metric
    council = registry.plan.organisation.short_name
    table = _over_time(comparison, choice)
    group_words = comparison.group.in_a_sentence
    over_time = {
        "period": "Period",
        "own_value": council,
        "median": "Median",
        "q1": "Lower quartile",
        "q3": "Upper quartile",
        "rank": "Rank",
        "n": "Councils",
    }
    if "england_median" in table:
        over_time = {**over_time, "england_median": "England median"}

    def as_figure(value: Any) -> str:
        return "" if value is None or pd.isna(value) else format_value(value, metric)

    over_time_formats: dict[str, Callable[[Any], Any]] = {
        k: as_figure for k in ("own_value", "median", "q1", "q3", "england_median")
    }
    over_time_formats["rank"] = lambda r: "" if pd.isna(r) else str(int(r))
    over_time_formats["n"] = lambda n: str(int(n))
    return simple_table(
        table.iloc[::-1].assign(
            period=[
                period_label(metric.frequency, pd.Timestamp(s).date())
                for s in table["period_start"].iloc[::-1]
            ]
        ),
        over_time,
        caption=f"{metric.name}: {council} against {group_words}",
        row_header="period",
        formatters=over_time_formats,
        table_id="comparison-table",
    )


def ranking_table(comparison: Comparison, ranking: pd.DataFrame) -> html.Div:
    """Every council of the group ranked for the latest period, best first: the ranking
    chart's data as a table (`ranking`, the comparison's `latest_ranking`)."""
    metric = comparison.metric
    latest_label = period_label(
        metric.frequency, pd.Timestamp(ranking["period_start"].iloc[0]).date()
    )
    return simple_table(
        ranking.assign(
            rank_text=[str(int(r)) for r in ranking["rank"]],
            council=[
                f"{n} (this council)" if o else n
                for n, o in zip(ranking["name"], ranking["is_own"], strict=True)
            ],
        ),
        {"rank_text": "Rank", "council": "Council", "value": latest_label},
        caption=f"{metric.name}: {comparison.group.in_a_sentence} ranked, {latest_label}",
        row_header="council",
        formatters={"value": lambda v: format_value(v, metric)},
        table_id="ranking-table",
    )


def comparison_section(
    registry: Registry,
    comparison: Comparison | None,
    national: str | None = None,
    choice: ComparisonChoice | None = None,
) -> html.Section | None:
    """The council against a group of councils: sentences, trend, ranked bar and tables.

    `national` is a sentence about all English councils, when the data covers them. With
    `choice`, the reader chooses the group (`comparison` is the one chosen) and the table over
    time gives the England median where the data has it.
    """
    if comparison is None:
        return None
    metric = comparison.metric
    council = registry.plan.organisation.short_name
    table = _over_time(comparison, choice)
    ranking = comparison.latest_ranking(council)
    if table.empty or ranking.empty:
        return None
    latest_label = period_label(
        metric.frequency, pd.Timestamp(ranking["period_start"].iloc[0]).date()
    )
    unit_title = UNIT_TITLES[metric.unit]
    group_words = comparison.group.in_a_sentence
    size = (
        f"The group has {plural(len(comparison.group.members), 'council')}"
        if comparison.group.members
        else "The group is every council in it with a figure"
    )
    return html.Section(
        [
            html.H2("Compared with other councils", id="comparison-heading"),
            comparison_group_chooser(choice, comparison.group.id) if choice else None,
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
                + f". {size}; a council missing a year's figure is left out of that year.",
                className="pmf-muted",
            ),
            chart_figure(
                dcc.Graph(
                    id="comparison-chart",
                    config=GRAPH_CONFIG,
                    figure=comparison_figure(table, own_name=council, unit_title=unit_title),
                ),
                f"{council}'s {metric.name.lower()} against the median of {group_words}, "
                "with the middle half of them shaded. The tables below give the figures.",
            ),
            chart_figure(
                dcc.Graph(
                    id="ranking-chart",
                    config=GRAPH_CONFIG,
                    figure=ranking_figure(ranking, own_name=council, unit_title=unit_title),
                ),
                f"Every council in the group ranked for {latest_label}, best first; {council} is "
                "the dark, hatched bar labelled “this council”."
                + (
                    " Each upright bar is one council; the table below names them."
                    if len(ranking) > LABELLED_BARS
                    else ""
                ),
            ),
            # A long ranking (every English council) is opened by the reader, as the other
            # long tables are: the chart shows each council, the table names them
            details_on_open(f"Show all {len(ranking)} councils ranked as a table", "ranking")
            if len(ranking) > LABELLED_BARS
            else ranking_table(comparison, ranking),
            details_on_open("Show the comparison over time as a table", "comparison"),
        ],
        **aria(labelledby="comparison-heading"),
    )
