"""Data quality: pipelines with their schedules, runs, stale measures, rejected rows, run now."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from layouts._components.a11y import aria
from layouts._components.job_progress import PATIENCE, job_poll
from layouts._components.page_cache import cached_page
from layouts._components.signin import sign_in_notice
from layouts._components.tables import captioned_table, simple_table
from layouts._runtime import runtime
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.registry.loader import Registry
from metrics.schedules import next_run, schedule_words
from metrics.words import RUN_STATUS, plural
from warehouse.jobs import FAILED, PIPELINE_RUN, QUEUED, RUNNING, Job, read_job, waiting_too_long
from warehouse.runs import (
    get_run,
    last_run_that_read,
    latest_run_with_rejections,
    latest_runs,
    rejected_for_run,
    run_history,
)
from warehouse.snapshot import read_snapshot

dash.register_page(__name__, path="/data", title="Data quality", name="Data")

STATUS_WORDS = RUN_STATUS  # the words live in metrics.words
SKIPPED = "skipped_unchanged"
UNEXPECTED = re.compile(r"^unexpected error \(\w+\)")
RUN_COMMAND = re.compile(r";?\s*see `pmf rejected --run \d+`")


def _when(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y %H:%M}"


def run_error_words(error: Any) -> str:
    """A run's error as a sentence for an officer: no exception names, ids or commands."""
    if error is None or (isinstance(error, float) and pd.isna(error)) or not str(error).strip():
        return ""
    text = str(error).strip()
    if UNEXPECTED.match(text):
        return (
            "PMF met a problem it did not expect, so nothing from this run was loaded. "
            "Your PMF administrator can find the details in the server log."
        )
    if text.startswith("loaded, but "):
        return (
            "The figures loaded, but a step that runs after loading did not finish. Your PMF "
            "administrator can find the details in the server log."
        )
    text = RUN_COMMAND.sub("; the rejected rows are listed on this page", text)
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def pipeline_title(registry: Registry, pipeline_id: Any) -> str:
    """A pipeline's name as people read it."""
    return registry.pipeline_name(str(pipeline_id))


def pipelines_table(
    registry: Registry, latest: pd.DataFrame, can_run: bool = True, now: datetime | None = None
) -> html.Div:
    """Every pipeline by name, with its schedule in words, next run, latest run and last
    success; a run-now button for officers."""
    zone = str(registry.settings["timezone"])
    now = now or datetime.now(ZoneInfo(zone))
    by_id = {row["pipeline_id"]: row for _, row in latest.iterrows()}
    rows = []
    for pipeline in registry.pipelines:
        run = by_id.get(pipeline.id)
        upcoming = next_run(pipeline.schedule, zone, now)
        rows.append(
            html.Tr(
                [
                    html.Th(pipeline.title, scope="row"),
                    html.Td(schedule_words(pipeline.schedule)),
                    html.Td(f"{upcoming:%a %d %b %Y %H:%M}" if upcoming else "Not scheduled"),
                    html.Td(
                        STATUS_WORDS.get(run["status"], run["status"])
                        if run is not None
                        else "Never run"
                    ),
                    html.Td(_when(run["started_at"]) if run is not None else ""),
                    html.Td(_when(run["last_loaded_at"]) if run is not None else ""),
                    html.Td(
                        html.Button(
                            "Run now",
                            id={"type": "run-now", "pipeline": pipeline.id},
                            className="btn btn-outline-primary btn-sm",
                            **aria(label=f"Run {pipeline.title} now"),
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
                for h in (
                    "Pipeline",
                    "Runs",
                    "Next run",
                    "Latest run",
                    "Started",
                    "Last successful load",
                    "Action",
                )
            ]
        )
    )
    return captioned_table("Pipelines", head, html.Tbody(rows), table_id="pipelines-table")


def rejected_anchor(run_id: int) -> str:
    """The id of the block listing one run's rejected rows (a run link scrolls to it)."""
    return f"rejected-run-{run_id}"


def runs_table(registry: Registry, runs: pd.DataFrame) -> Any:
    """Recent runs by pipeline name, with status and row counts; each run links to the rows
    it rejected (or, for a skipped run, the rows still rejected from the file it skipped)."""
    if runs.empty:
        return html.P("No pipeline has run yet.")
    frame = runs.assign(
        status_words=[STATUS_WORDS.get(s, s) for s in runs["status"]],
        pipeline=[pipeline_title(registry, p) for p in runs["pipeline_id"]],
        started=pd.Series(
            list(zip(runs["run_id"], runs["started_at"], strict=True)),
            index=runs.index,
            dtype=object,
        ),
    )
    return simple_table(
        frame,
        {
            "started": "Started",
            "pipeline": "Pipeline",
            "status_words": "Status",
            "rows_read": "Rows read",
            "rows_loaded": "Loaded",
            "rows_superseded": "Restated",
            "rows_rejected": "Rejected",
            "error": "What went wrong",
        },
        caption="Recent runs, newest first; choose a run to see its rejected rows",
        row_header="started",
        formatters={
            "started": lambda pair: dcc.Link(
                _when(pair[1]),
                href=f"/data?run={int(pair[0])}#{rejected_anchor(int(pair[0]))}",
            ),
            "error": run_error_words,
        },
        numeric=("rows_read", "rows_loaded", "rows_superseded", "rows_rejected"),
        table_id="runs-table",
    )


def stale_table(registry: Registry, snapshot: pd.DataFrame) -> Any:
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
                "source": registry.pipeline_name(metric.source_id),
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
            "source": "Source",
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


def _raw_words(raw: Any) -> str:
    if not raw:
        return ""
    try:
        values = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return ", ".join(f"{k}={v}" for k, v in values.items()) if isinstance(values, dict) else ""


def rejected_section(
    registry: Registry,
    run: dict[str, Any] | None,
    rejected: pd.DataFrame,
    read_by: dict[str, Any] | None = None,
) -> list[Any]:
    """The rows a run quarantined, with every reason.

    For a run that skipped an unchanged file, `read_by` is the earlier run that read it: its
    rejected rows still stand, so they are listed rather than hidden behind "no rows".
    """
    heading = html.H2("Rejected rows", id="rejected-heading")
    if run is None:
        return [heading, html.P("No run has rejected any rows.", id="rejected-none")]
    run_id = int(run["run_id"])
    name = pipeline_title(registry, run["pipeline_id"])
    when = _when(run["started_at"])
    said: list[Any] = []
    if run["status"] == SKIPPED:
        if read_by is None:
            said.append(
                f"The {name} run of {when} skipped the file because it had not changed, and no "
                "earlier run that read it is recorded."
            )
        else:
            said.append(
                f"The {name} run of {when} skipped the file because it had not changed since "
                f"the run of {_when(read_by['started_at'])} read it. The rows rejected then "
                "still stand:"
            )
    if rejected.empty:
        source = read_by if read_by is not None else run
        said.append(
            f"The {name} run of {_when(source['started_at'])} rejected no rows."
            if run["status"] != SKIPPED or read_by is not None
            else ""
        )
        return [
            heading,
            html.Div(
                [html.P(s) for s in said if s],
                id=rejected_anchor(run_id),
                tabIndex="-1",
                className="pmf-target",
            ),
        ]
    source = read_by if read_by is not None else run
    source_when = _when(source["started_at"])
    frame = rejected.assign(raw=[_raw_words(r) for r in rejected["raw_record"]])
    said.append(
        f"The {name} run of {source_when}: "
        + ("1 row was" if len(rejected) == 1 else f"{plural(len(rejected), 'row')} were")
        + " kept out of the warehouse. Correct them at source and the next run will load them."
    )
    return [
        heading,
        html.Div(
            [
                *[html.P(s) for s in said],
                simple_table(
                    frame,
                    {
                        "source_ref": "File",
                        "row_number": "Row",
                        "reasons": "Why it was rejected",
                        "raw": "What the row said",
                    },
                    caption=f"Rejected rows: {name}, run of {source_when}",
                    row_header="row_number",
                    table_id="rejected-table",
                ),
            ],
            id=rejected_anchor(run_id),
            tabIndex="-1",
            className="pmf-target",
        ),
    ]


def _chosen_run(engine: Any, run: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The run whose rejected rows are listed, and (for a skipped run) the run that read the
    file it skipped."""
    chosen = get_run(engine, int(run)) if run.isdigit() else None
    if chosen is None:
        latest = latest_run_with_rejections(engine)
        chosen = get_run(engine, latest) if latest is not None else None
    if chosen is None or chosen["status"] != SKIPPED:
        return chosen, None
    earlier = last_run_that_read(engine, str(chosen["pipeline_id"]), int(chosen["run_id"]))
    return chosen, get_run(engine, earlier) if earlier is not None else None


@cached_page
def layout(run: str = "", **_q: Any) -> html.Div:
    """The data quality page; `run` picks the run whose rejected rows are listed."""
    rt = runtime()
    if not rt.may("read_internal"):
        return sign_in_notice("/data")
    chosen, read_by = _chosen_run(rt.engine, run)
    source = read_by or chosen
    rejected = (
        rejected_for_run(rt.engine, int(source["run_id"]), limit=500)
        if source is not None
        else pd.DataFrame()
    )
    can_run = rt.may("run_pipeline")
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
                    html.P(
                        "Each pipeline reads its source on its schedule (UK time). A file that "
                        "has not changed since it was last read is skipped."
                    ),
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
                    dbc.Checkbox(
                        id="run-now-force",
                        label="Run even if the file has not changed",
                        value=False,
                        className="mb-1",
                    )
                    if can_run
                    else None,
                    html.P(
                        "Tick this to read a file again, for example after a rule in its "
                        "definition was corrected.",
                        className="pmf-muted",
                        id="run-now-force-hint",
                    )
                    if can_run
                    else None,
                    html.P(id="run-now-status", role="status", **aria(live="polite")),
                    html.P(id="run-now-progress", role="status", **aria(live="polite")),
                    *job_poll("run-now"),
                    pipelines_table(rt.registry, latest_runs(rt.engine), can_run),
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
                    runs_table(rt.registry, run_history(rt.engine, limit=30)),
                ],
                **aria(labelledby="runs-heading"),
            ),
            html.Section(
                rejected_section(rt.registry, chosen, rejected, read_by),
                **aria(labelledby="rejected-heading"),
            ),
        ]
    )


@callback(
    Output("run-now-status", "children"),
    Output("run-now-job", "data"),
    Input({"type": "run-now", "pipeline": ALL}, "n_clicks"),
    State("run-now-by", "value"),
    State("run-now-force", "value"),
    prevent_initial_call=True,
)
def run_now(
    clicks: list[int | None], requested_by: str | None, force: bool | None = None
) -> tuple[str, Any]:
    """Queue a pipeline run on behalf of the named person (reading an unchanged file again if
    asked); the worker runs it."""
    if not any(clicks) or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    rt = runtime()
    pipeline_id = str(ctx.triggered_id["pipeline"])
    again = bool(force)
    try:
        job_id = rt.writes.run_pipeline(pipeline_id, requested_by or "", force=again)
    except ValueError as exc:
        return f"Not started: {exc}", None
    name = pipeline_title(rt.registry, pipeline_id)
    how = ", reading the file even if it has not changed" if again else ""
    return f"The {name} will run shortly{how}. This page says when it has finished.", job_id


def run_job_words(
    job: Job | None, name: str, run: dict[str, Any] | None, now: datetime | None = None
) -> str:
    """How a queued run is getting on, in words: no job or run ids, no exception text."""
    if job is None:
        return "That run could not be found; please start it again."
    now = now or datetime.now()
    if job.status == QUEUED:
        if waiting_too_long(job, now, PATIENCE):
            return (
                f"The {name} is still waiting: nothing is taking runs. Ask your PMF "
                "administrator whether the scheduler is running."
            )
        return f"The {name} is waiting to run."
    if job.status == RUNNING:
        return f"The {name} is running: {job.progress or 'starting'}."
    if run is None:
        return (
            f"The {name} did not run. Your PMF administrator can find why in the server log."
            if job.status == FAILED
            else f"The {name} has run."
        )
    if run["status"] == SKIPPED:
        return (
            f"The {name} found its file unchanged since it was last read, so nothing was "
            "loaded. Tick “Run even if the file has not changed” to read it again."
        )
    problem = run_error_words(run.get("error"))
    if run["status"] in {"failed", "abandoned"}:
        return f"The {name} did not load: {problem}" if problem else f"The {name} did not load."
    counts = (
        f"{plural(int(run['rows_read']), 'row')} read, {int(run['rows_loaded'])} loaded, "
        f"{int(run['rows_rejected'])} rejected"
    )
    return f"The {name} has run: {counts}." + (f" {problem}" if problem else "")


@callback(
    Output("run-now-progress", "children"),
    Output("run-now-poll", "disabled"),
    # A new job id starts the polling; each tick asks again until the run has finished
    Input("run-now-poll", "n_intervals"),
    Input("run-now-job", "data"),
    prevent_initial_call=True,
)
def run_progress(_ticks: int | None, job_id: Any) -> tuple[Any, bool]:
    """Say how the queued run is getting on; stop asking once it has finished."""
    if not isinstance(job_id, int):
        return "", True
    rt = runtime()
    job = read_job(rt.engine, job_id)
    if job is not None and job.kind != PIPELINE_RUN:
        job = None
    name = pipeline_title(rt.registry, job.target_id) if job is not None else ""
    run = None
    if job is not None and job.finished and job.started_at is not None:
        # The run this job started: the pipeline's first run from when the job was taken
        runs = run_history(rt.engine, job.target_id, limit=5)
        runs = runs[runs["started_at"] >= pd.Timestamp(job.started_at)]
        run = get_run(rt.engine, int(runs["run_id"].min())) if not runs.empty else None
    words = run_job_words(job, name, run)
    if job is not None and job.finished:
        link: list[Any] = [words, " "]
        if run is not None:
            link.append(
                dcc.Link(
                    "Reload the page to see it in the tables.",
                    href=f"/data?run={int(run['run_id'])}#{rejected_anchor(int(run['run_id']))}",
                    refresh=True,
                )
            )
        return link, True
    return words, job is None
