"""The drill-down for select committees: one measure's SPC chart, districts, history and thread."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html

from access.roles import AccessDenied
from layouts._components.a11y import aria
from layouts._components.downloads import comparison_download
from layouts._components.finance_links import risks_section
from layouts._components.forms import labelled_select
from layouts._components.metric_sections import (
    COMPARISON_GROUP_DRAWN,
    comment_list,
    comparison_section,
    comparison_table,
    definition_section,
    districts_section,
    ranking_table,
    rebase_errors,
    rebase_records,
    revisions_section,
    spc_body,
    spc_section,
    spc_table,
)
from layouts._components.not_found import thing_not_found
from layouts._components.page_cache import cached_page
from layouts._components.query import register_filter_navigation, search_string
from layouts._components.signin import measure_needs_sign_in, measure_sign_in_notice
from layouts._components.subject_flags import subject_flags_section
from layouts._components.tables import TABLE_ON_OPEN, TABLE_ON_OPEN_BODY
from layouts._components.viewer_sections import (
    comments_block,
    public_series_section,
    public_series_table,
)
from layouts._runtime import runtime
from metrics.engine.comparison_choice import comparison_choice
from metrics.engine.periods import period_label
from metrics.engine.series import SPC_WINDOW
from metrics.flags.register import metric_flags
from metrics.readmodel.finance import risk_register, risks_for
from metrics.readmodel.judged import SeriesView, read_model
from metrics.rebases import RebaseNotFound, RebaseProblem
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from reports.downloads import comparison_csv, series_csv
from warehouse.at_once import at_once
from warehouse.commentary import comments_for
from warehouse.observations import restated_values

dash.register_page(__name__, path_template="/metric/<metric_id>", title="Measure", name="Measure")


# Periods shown when no range is chosen, and those the measure's SPC reading uses everywhere
DEFAULT_WINDOW = SPC_WINDOW


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@cached_page
def layout(
    metric_id: str = "",
    area: str = "",
    start: str = "",
    end: str = "",
    group: str = "",
    **_q: Any,
) -> html.Div:
    """The drill-down for `metric_id`, filtered by area and period range from the query string."""
    rt = runtime()
    registry = rt.registry
    if not registry.has_metric(metric_id):
        if measure_needs_sign_in(metric_id):
            here: dict[str, str | list[str] | None] = {"area": area, "start": start, "end": end}
            return measure_sign_in_notice(f"/metric/{metric_id}{search_string(here)}")
        return thing_not_found(
            "metric-title",
            "measure",
            metric_id,
            first=("Search the metric catalogue", "/catalogue"),
        )
    metric = registry.metric(metric_id)
    areas = registry.areas_for(metric)
    area_code = area if area in {a.code for a in areas} else registry.plan.county.code
    # The measure's small reads go ahead, each on a connection of its own, while the read
    # model reads and judges its figures: none needs another's answer. Flags and actions are
    # internal work (councillors and officers see them); earlier values are not published (a
    # restated small count would show through)
    internal = rt.may("read_internal")
    flags = at_once(metric_flags, registry, rt.engine, metric.id) if internal else None
    restated = None if rt.public else at_once(restated_values, rt.engine, metric.id)
    comments = at_once(comments_for, rt.engine, metric.id, public_only=rt.public)
    model = read_model(registry, rt.engine, [metric.id], date.today(), rt.audience)
    first, last = _parse_date(start), _parse_date(end)
    # A committee reads the recent story first (the default window); "All periods" shows the
    # whole history; either way the limits come from the periods shown
    view = model.series(metric, area_code, first, last, whole=start == "all")
    periods = view.all_periods
    options = [
        (s.isoformat(), p)
        for s, p in zip(periods["period_start"].tolist(), periods["period"].tolist(), strict=True)
    ]
    hidden = model.hidden(metric.id, area_code)
    # The chosen group is drawn over time; of the others the page shows only their names and
    # the national sentence (the latest period's), so only the chosen one ranks every period
    choice = comparison_choice(
        registry, metric, model.compared, latest_only=True, except_chosen=group
    )
    return html.Div(
        [
            dcc.Store(id="metric-id", data=metric.id),
            # The comparator group asked for, which the comparison's table is built for
            dcc.Store(id="metric-group", data=group),
            html.P(
                [
                    dcc.Link("Catalogue", href="/catalogue"),
                    " › ",
                    registry.name_of("priorities", metric.priority),
                ],
                className="pmf-muted",
            ),
            html.H1(metric.name, id="metric-title"),
            html.P(metric.description, className="pmf-lead"),
            html.Form(
                [
                    labelled_select(
                        "Area", "metric-area", [(a.code, a.name) for a in areas], area_code
                    ),
                    labelled_select(
                        "From",
                        "metric-start",
                        [("all", "All periods"), *options],
                        start if start == "all" or _parse_date(start) else "",
                        all_label=f"Last {DEFAULT_WINDOW} periods",
                    ),
                    labelled_select(
                        "To",
                        "metric-end",
                        options,
                        last.isoformat() if last else "",
                        all_label="Latest",
                    ),
                ],
                className="pmf-filters",
                role="search",
                **aria(label="Choose the area and period range"),
            ),
            public_series_section(registry, view, hidden)
            if hidden
            else spc_section(registry, view, names=not rt.public, rebase_form=rt.may("rebase_spc")),
            None if flags is None else subject_flags_section(flags.result()),
            # The public see only the risks published on the register
            risks_section(
                risks_for(
                    risk_register(registry, today=date.today(), audience=rt.audience),
                    metric_id=metric.id,
                ),
                prefix="metric",
                what="that threaten this measure, highest score first",
                none=None if rt.public else "No risk in the register threatens this measure.",
            ),
            districts_section(registry, metric, model.observations, view),
            comparison_section(
                registry,
                choice.chosen(group),
                model.national(registry, metric, choice),
                choice,
            ),
            comparison_download(choice.chosen(group)),
            definition_section(registry, metric),
            None if restated is None else revisions_section(registry, metric, restated.result()),
            comments_block(
                metric,
                comments.result(),
                rt.viewer.display_name if rt.may("comment") else None,
            ),
        ]
    )


register_filter_navigation(
    {"area": "metric-area", "start": "metric-start", "end": "metric-end"},
    lambda: {"area": runtime().registry.plan.county.code},
)
# Apart, since a measure without comparisons has no group to choose
register_filter_navigation({"group": "comparison-group"}, drawn=COMPARISON_GROUP_DRAWN)


@callback(
    Output("metric-download", "data"),
    Input("metric-download-button", "n_clicks"),
    State("metric-id", "data"),
    State("metric-area", "value"),
    prevent_initial_call=True,
)
def download_series(_clicks: int | None, metric_id: str, area: str) -> dict[str, Any]:
    """Every period of the series, named and rounded, with its SPC columns, as CSV ([c] for
    suppressed figures)."""
    rt = runtime()
    # The viewer's registry holds only what they may see: the public gets no internal measure
    if not rt.registry.has_metric(str(metric_id)):
        raise dash.exceptions.PreventUpdate
    metric = rt.registry.metric(metric_id)
    if area not in {a.code for a in rt.registry.areas_for(metric)}:
        raise dash.exceptions.PreventUpdate
    model = read_model(rt.registry, rt.engine, [metric.id], date.today(), rt.audience)
    return dcc.send_string(series_csv(model, metric, area), f"{metric.id}-{area}.csv")


@callback(
    Output({"type": TABLE_ON_OPEN_BODY, "table": MATCH}, "children"),
    Input({"type": TABLE_ON_OPEN, "table": MATCH}, "n_clicks"),
    State("metric-id", "data"),
    State("metric-area", "value"),
    State("metric-start", "value"),
    State("metric-end", "value"),
    State("metric-group", "data"),
    prevent_initial_call=True,
)
def table_on_open(
    clicks: int | None,
    metric_id: str,
    area: str | None,
    start: str | None,
    end: str | None,
    group: str | None = None,
) -> Any:
    """The table behind a disclosure, built when it is opened (an odd click on its summary),
    from the figures the page shows: the series in the chosen range, or the comparison with
    the chosen group. A measure the viewer may not see gets nothing."""
    if not clicks or clicks % 2 == 0:
        raise dash.exceptions.PreventUpdate  # closed again: the table stays as it is
    rt = runtime()
    registry = rt.registry
    metric, area_code = _chosen_series(registry, metric_id, area)
    if area_code not in {a.code for a in registry.areas_for(metric)}:
        raise dash.exceptions.PreventUpdate
    table = ctx.triggered_id["table"] if isinstance(ctx.triggered_id, dict) else None
    model = read_model(registry, rt.engine, [metric.id], date.today(), rt.audience)
    if table == "spc":
        view = _series_shown(metric, area_code, start, end)
        # Figures found small since the page was drawn are shown as [c], as the page would
        hidden = model.hidden(metric.id, area_code)
        return public_series_table(registry, view, hidden) if hidden else spc_table(registry, view)
    if table == "comparison":
        choice = comparison_choice(registry, metric, model.compared)
        comparison = choice.chosen(group)
        if comparison is not None:
            return comparison_table(registry, comparison, choice)
    if table == "ranking":
        # The latest period is all a ranking shows, and each period is ranked by itself
        ranked = comparison_choice(registry, metric, model.compared, latest_only=True)
        comparison = ranked.chosen(group)
        if comparison is not None:
            ranking = comparison.latest_ranking(registry.plan.organisation.short_name)
            if not ranking.empty:
                return ranking_table(comparison, ranking)
    raise dash.exceptions.PreventUpdate


@callback(
    Output("comparison-download", "data"),
    Input("comparison-download-button", "n_clicks"),
    State("metric-id", "data"),
    State("comparison-download-group", "data"),
    prevent_initial_call=True,
)
def download_comparison(
    _clicks: int | None, metric_id: str, group: str | None = None
) -> dict[str, Any]:
    """The comparison with the chosen group over time, as the page's table shows it, as CSV."""
    rt = runtime()
    if not rt.registry.has_metric(str(metric_id)):
        raise dash.exceptions.PreventUpdate
    metric = rt.registry.metric(metric_id)
    model = read_model(rt.registry, rt.engine, [metric.id], date.today(), rt.audience)
    comparison = comparison_choice(rt.registry, metric, model.compared).chosen(group)
    if comparison is None:
        raise dash.exceptions.PreventUpdate
    return dcc.send_string(comparison_csv(rt.registry, comparison), f"{metric.id}-compared.csv")


@callback(
    Output("metric-comment-status", "children"),
    Output("metric-comments", "children"),
    Output("metric-comment-body", "value"),
    Input("metric-comment-submit", "n_clicks"),
    State("metric-id", "data"),
    State("metric-comment-author", "value"),
    State("metric-comment-body", "value"),
    prevent_initial_call=True,
)
def add_comment(
    _clicks: int | None, metric_id: str, author: str | None, body: str | None
) -> tuple[str, Any, Any]:
    """Record a comment through the app's single write path, then redraw the thread."""
    rt = runtime()
    try:
        rt.writes.add_comment(metric_id=metric_id, author=author or "", body=body or "")
    except ValueError as exc:
        return f"Not saved: {exc}", dash.no_update, dash.no_update
    return "Comment saved.", comment_list(comments_for(rt.engine, metric_id)), ""


@callback(
    Output("rebase-status", "children"),
    Output("rebase-error-summary", "children"),
    Output("rebase-period-error", "children"),
    Output("rebase-reason-error", "children"),
    Output("rebase-period-group", "className"),
    Output("rebase-reason-group", "className"),
    Output("spc-body", "children"),
    Output("rebase-reason", "value"),
    Output("rebase-records", "children", allow_duplicate=True),
    Input("rebase-submit", "n_clicks"),
    State("metric-id", "data"),
    State("metric-area", "value"),
    State("metric-start", "value"),
    State("metric-end", "value"),
    State("rebase-period", "value"),
    State("rebase-reason", "value"),
    prevent_initial_call=True,
)
def record_rebase(
    _clicks: int | None,
    metric_id: str,
    area: str | None,
    start: str | None,
    end: str | None,
    period: str | None,
    reason: str | None,
) -> tuple[Any, ...]:
    """Recalculate the limits from the chosen period (officers), then redraw the chart."""
    rt = runtime()
    registry = rt.registry
    metric, area_code = _chosen_series(registry, metric_id, area)
    try:
        rt.writes.record_rebase(
            metric_id=metric.id,
            area_code=area_code,
            period_start=_parse_date(period),
            reason=reason or "",
            recorded_by=rt.viewer.display_name,
        )
    except (RebaseProblem, AccessDenied) as problem:
        summary, fields = rebase_errors(
            problem.problems if isinstance(problem, RebaseProblem) else {"access": str(problem)}
        )
        group = "mb-3 pmf-field-with-error"
        return (
            "",
            summary,
            fields.get("period", ""),
            fields.get("reason", ""),
            group if "period" in fields else "mb-3",
            group if "reason" in fields else "mb-3",
            dash.no_update,
            dash.no_update,
            dash.no_update,
        )
    view = _series_shown(metric, area_code, start, end)
    day = _parse_date(period)
    done = html.Div(
        [
            html.H4("Limits recalculated", className="h5"),
            html.P(
                "The mean and limits now start again from "
                f"{period_label(metric.frequency, day) if day else period}."
            ),
        ],
        className="alert alert-success",
    )
    return (
        done,
        None,
        "",
        "",
        "mb-3",
        "mb-3",
        spc_body(registry, view, names=True),
        "",
        rebase_records(view, names=True, withdraw=True),
    )


def _chosen_series(registry: Registry, metric_id: str, area: str | None) -> tuple[Metric, str]:
    """The measure (one the viewer may see) and area a rebase callback acts on."""
    if not registry.has_metric(str(metric_id)):
        raise dash.exceptions.PreventUpdate
    return registry.metric(metric_id), area or registry.plan.county.code


def _series_shown(metric: Metric, area_code: str, start: str | None, end: str | None) -> SeriesView:
    """The series as the page shows it (the chosen period range), read afresh after a write."""
    rt = runtime()
    model = read_model(rt.registry, rt.engine, [metric.id], date.today(), rt.audience)
    return model.series(
        metric, area_code, _parse_date(start), _parse_date(end), whole=start == "all"
    )


@callback(
    Output({"type": "rebase-confirm", "rebase": MATCH}, "hidden"),
    Input({"type": "rebase-withdraw", "rebase": MATCH}, "n_clicks"),
    Input({"type": "rebase-withdraw-cancel", "rebase": MATCH}, "n_clicks"),
    prevent_initial_call=True,
)
def confirm_withdrawal(_withdraw: int | None, _cancel: int | None) -> bool:
    """Withdraw asks first (the confirmation shows); Cancel hides the question again."""
    triggered = ctx.triggered_id
    return not (isinstance(triggered, dict) and triggered.get("type") == "rebase-withdraw")


@callback(
    Output("rebase-withdraw-status", "children"),
    Output("rebase-records", "children"),
    Output("spc-body", "children", allow_duplicate=True),
    Input({"type": "rebase-withdraw-yes", "rebase": ALL}, "n_clicks"),
    State("metric-id", "data"),
    State("metric-area", "value"),
    State("metric-start", "value"),
    State("metric-end", "value"),
    prevent_initial_call=True,
)
def withdraw_rebase(
    clicks: list[int | None],
    metric_id: str,
    area: str | None,
    start: str | None,
    end: str | None,
) -> tuple[Any, ...]:
    """Withdraw the confirmed rebase (officers), then redraw the chart and the list."""
    triggered = ctx.triggered_id
    # A list drawn afresh brings new buttons that were never pressed
    if not any(clicks) or not isinstance(triggered, dict):
        raise dash.exceptions.PreventUpdate
    rt = runtime()
    registry = rt.registry
    metric, area_code = _chosen_series(registry, metric_id, area)
    try:
        row = rt.writes.withdraw_rebase(int(triggered["rebase"]), rt.viewer.display_name)
    except (AccessDenied, RebaseNotFound, RebaseProblem) as problem:
        message = problem.args[0] if isinstance(problem, LookupError) else str(problem)
        return (
            html.Div(
                [html.H4("Not withdrawn", className="h5"), html.P(str(message))],
                className="alert alert-danger",
            ),
            dash.no_update,
            dash.no_update,
        )
    view = _series_shown(metric, area_code, start, end)
    day = row.get("period_start")
    label = period_label(metric.frequency, pd.Timestamp(day).date()) if day else "that period"
    done = html.Div(
        [
            html.H4("Rebase withdrawn", className="h5"),
            html.P(f"The mean and limits no longer start again from {label}."),
        ],
        className="alert alert-success",
    )
    return (
        done,
        rebase_records(view, names=True, withdraw=True),
        spc_body(registry, view, names=True),
    )
