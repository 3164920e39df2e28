"""Data quality: pipeline runs, last successes, stale measures, rejected rows, and "run now"."""

from __future__ import annotations

import json
from typing import Any

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from layouts._components.a11y import aria
from layouts._components.job_progress import job_poll, job_words
from layouts._components.page_cache import cached_page
from layouts._components.signin import sign_in_notice
from layouts._components.tables import captioned_table, simple_table
from layouts._runtime import runtime
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.words import RUN_STATUS
from warehouse.jobs import PIPELINE_RUN, read_job
from warehouse.runs import latest_run_with_rejections, latest_runs, rejected_for_run, run_history
from warehouse.snapshot import read_snapshot

dash.register_page(__name__, path="/data", title="Data quality", name="Data")

STATUS_WORDS = RUN_STATUS  # the words live in metrics.words


def _when(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y %H:%M}"


def pipelines_table(registry: Any, latest: pd.DataFrame, can_run: bool = True) -> html.Div:
    """Every configured pipeline with its latest run and last success; run-now for officers."""
    by_id = {row["pipeline_id"]: row for _, row in latest.iterrows()}
    rows = []
    for pipeline in registry.pipelines:
        run = by_id.get(pipeline.id)
        rows.append(
            html.Tr(
                [
                    html.Th(pipeline.id, scope="row"),
                    html.Td(
                        STATUS_WORDS.get(run["status"], run["status"])
                        if run is not None
                        else "Never run"
                    ),
                    html.Td(_when(run["started_at"]) if run is not None else ""),
                    html.Td(
                        _when(run["last_loaded_at"]) if run is not None else "", className="pmf-num"
                    ),
                    html.Td(
                        html.Button(
                            "Run now",
                            id={"type": "run-now", "pipeline": pipeline.id},
                            className="btn btn-outline-primary btn-sm",
                            **aria(label=f"Run {pipeline.id} now"),
                        )
                        if can_run
                        else "Officers only"
                    ),
                ]
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Pipeline", "Latest run", "Started", "Last successful load", "Action")
            ]
        )
    )
    return captioned_table("Pipelines", head, html.Tbody(rows), table_id="pipelines-table")


def runs_table(runs: pd.DataFrame) -> Any:
    """Recent runs with their status and row counts; each run with rejections links to them."""
    if runs.empty:
        return html.P("No pipeline has run yet.")
    frame = runs.assign(
        status_words=[STATUS_WORDS.get(s, s) for s in runs["status"]],
        started=[_when(s) for s in runs["started_at"]],
    )
    return simple_table(
        frame,
        {
            "run_id": "Run",
            "pipeline_id": "Pipeline",
            "started": "Started",
            "status_words": "Status",
            "rows_read": "Rows read",
            "rows_loaded": "Loaded",
            "rows_superseded": "Restated",
            "rows_rejected": "Rejected",
            "error": "Error",
        },
        caption="Recent runs, newest first",
        row_header="run_id",
        formatters={
            "run_id": lambda r: dcc.Link(
                f"Run {int(r)}", href=f"/data?run={int(r)}#rejected-heading"
            ),
            "error": lambda e: "" if e is None or pd.isna(e) else str(e),
        },
        numeric=("rows_read", "rows_loaded", "rows_superseded", "rows_rejected"),
        table_id="runs-table",
    )


def stale_table(registry: Any, snapshot: pd.DataFrame) -> Any:
    """Measures whose data is late or has never arrived."""
    late = snapshot[
        snapshot["freshness"].isin(["stale", "missing"])
        & (snapshot["area_code"] == registry.plan.county.code)
    ]
    if late.empty:
        return html.P("Every measure's data has arrived on time.", id="stale-none")
    rows = []
    for _, row in late.iterrows():
        metric = registry.metric(row["metric_id"])
        latest = (
            period_label(metric.frequency, pd.Timestamp(row["period_start"]).date())
            if pd.notna(row["period_start"])
            else "none"
        )
        rows.append(
            {
                "name": metric.name,
                "metric_id": metric.id,
                "latest": latest,
                "value": format_value(row["value"], metric) if pd.notna(row["value"]) else "",
                "due": f"{pd.Timestamp(row['due_by']):%d %b %Y}" if pd.notna(row["due_by"]) else "",
                "source": metric.source or "",
                "owner": metric.owner,
            }
        )
    frame = pd.DataFrame(rows)
    return simple_table(
        frame,
        {
            "name": "Measure",
            "latest": "Latest period held",
            "due": "Next data was due",
            "source": "Pipeline",
            "owner": "Owner",
        },
        caption="Measures whose data is late",
        row_header="name",
        formatters={
            "name": lambda n: dcc.Link(
                n, href=f"/metric/{frame.loc[frame['name'] == n, 'metric_id'].iloc[0]}"
            )
        },
        table_id="stale-table",
    )


def rejected_section(run_id: int | None, rejected: pd.DataFrame) -> list[Any]:
    """The rows a run quarantined, with every reason."""
    heading = html.H2("Rejected rows", id="rejected-heading")
    if run_id is None:
        return [heading, html.P("No run has rejected any rows.")]
    if rejected.empty:
        return [heading, html.P(f"Run {run_id} rejected no rows.")]
    frame = rejected.assign(
        raw=[
            ", ".join(f"{k}={v}" for k, v in json.loads(r).items()) if r else ""
            for r in rejected["raw_record"]
        ]
    )
    return [
        heading,
        html.P(
            f"Run {run_id}: "
            + (f"{len(rejected)} rows were" if len(rejected) != 1 else "1 row was")
            + " kept out of the warehouse. "
            "Correct them at source and the next run will load them."
        ),
        simple_table(
            frame,
            {
                "source_ref": "Source",
                "row_number": "Row",
                "reasons": "Why it was rejected",
                "raw": "What the row said",
            },
            caption=f"Rejected rows from run {run_id}",
            row_header="row_number",
            table_id="rejected-table",
        ),
    ]


@cached_page
def layout(run: str = "", **_q: Any) -> html.Div:
    """The data quality page; `run` picks the run whose rejected rows are listed."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/data")
    run_id = int(run) if run.isdigit() else latest_run_with_rejections(rt.engine)
    rejected = (
        rejected_for_run(rt.engine, run_id, limit=500) if run_id is not None else pd.DataFrame()
    )
    return html.Div(
        [
            html.H1("Data quality", id="data-title"),
            html.P(
                "Whether the data behind each measure arrived, loaded cleanly and on time.",
                className="pmf-lead",
            ),
            html.Section(
                [
                    html.H2("Pipelines", id="pipelines-heading"),
                    html.Div(
                        [
                            html.Label(
                                "Recorded with any run you start",
                                htmlFor="run-now-by",
                                className="form-label",
                            ),
                            dcc.Input(
                                id="run-now-by",
                                type="text",
                                className="form-control",
                                value=rt.viewer.display_name,
                                readOnly=True,
                            ),
                        ],
                        className="mb-2",
                    ),
                    html.P(id="run-now-status", role="status", **aria(live="polite")),
                    html.P(id="run-now-progress", role="status", **aria(live="polite")),
                    *job_poll("run-now"),
                    pipelines_table(rt.registry, latest_runs(rt.engine), rt.may("run_pipeline")),
                ],
                **aria(labelledby="pipelines-heading"),
            ),
            html.Section(
                [
                    html.H2("Late data", id="stale-heading"),
                    stale_table(rt.registry, read_snapshot(rt.engine)),
                ],
                **aria(labelledby="stale-heading"),
            ),
            html.Section(
                [
                    html.H2("Recent runs", id="runs-heading"),
                    runs_table(run_history(rt.engine, limit=30)),
                ],
                **aria(labelledby="runs-heading"),
            ),
            html.Section(rejected_section(run_id, rejected), **aria(labelledby="rejected-heading")),
        ]
    )


@callback(
    Output("run-now-status", "children"),
    Output("run-now-job", "data"),
    Input({"type": "run-now", "pipeline": ALL}, "n_clicks"),
    State("run-now-by", "value"),
    prevent_initial_call=True,
)
def run_now(clicks: list[int | None], requested_by: str | None) -> tuple[str, Any]:
    """Queue a pipeline run on behalf of the named person; the worker runs it."""
    if not any(clicks) or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    pipeline_id = str(ctx.triggered_id["pipeline"])
    try:
        job_id = runtime().writes.run_pipeline(pipeline_id, requested_by or "")
    except ValueError as exc:
        return f"Not started: {exc}", None
    return f"Run of {pipeline_id} queued (job {job_id}).", job_id


@callback(
    Output("run-now-progress", "children"),
    Output("run-now-poll", "disabled"),
    # A new job id starts the polling; each tick asks again until the run has finished
    Input("run-now-poll", "n_intervals"),
    Input("run-now-job", "data"),
    prevent_initial_call=True,
)
def run_progress(_ticks: int | None, job_id: Any) -> tuple[str, bool]:
    """Say how the queued run is getting on; stop asking once it has finished."""
    if not isinstance(job_id, int):
        return "", True
    job = read_job(runtime().engine, job_id)
    if job is not None and job.kind != PIPELINE_RUN:
        job = None
    words = job_words(job, "run")
    if job is not None and job.finished:
        return f"{words} Reload the page to see it in the tables.", True
    return words, job is None
