"""A "download the pack" control for the portfolio and committee pages."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import flask
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from layouts._components.a11y import aria
from layouts._components.forms import labelled_select
from layouts._components.job_progress import job_poll, job_words
from layouts._runtime import runtime
from metrics.registry.loader import Registry
from reports.charts import ChartError
from reports.pdf import PdfError
from reports.produce import FORMATS
from reports.public_cache import cached_public_pack
from reports.scope import SCOPE_KINDS, Scope, ScopeError, resolve_scope
from warehouse.jobs import PACK, SUCCEEDED, read_job

LOG = logging.getLogger("pmf.reports")
FORMAT_WORDS = {"pdf": "PDF (to print)", "html": "Web page (HTML)", "xlsx": "Spreadsheet (XLSX)"}


def pack_download(kind: str, ident: str) -> html.Section:
    """Choose a format and download the pack for this portfolio or committee, as at today."""
    return html.Section(
        [
            html.H2("Download the pack", id="pack-heading"),
            html.P(
                "The same figures as a paper for the meeting: a plain-English summary, a section "
                "per measure with its chart, and the data.",
                className="pmf-muted",
            ),
            dcc.Store(id="pack-scope", data={"kind": kind, "id": ident}),
            html.Div(
                [
                    labelled_select(
                        "Format", "pack-format", [(f, FORMAT_WORDS[f]) for f in FORMATS], "pdf"
                    ),
                    html.Button("Download the pack", id="pack-button", className="btn btn-primary"),
                ],
                className="pmf-filters",
            ),
            dcc.Download(id="pack-download"),
            html.P(id="pack-status", role="status"),
            dcc.Download(id="pack-job-download"),
            # Says at once that the pack is being prepared, with a spinner, until it is sent
            html.P(
                id="pack-progress", role="status", className="pmf-progress", **aria(live="polite")
            ),
            *job_poll("pack"),
        ],
        **aria(labelledby="pack-heading"),
    )


def register_pack_download() -> None:
    """Register the download callbacks; call it from one page module.

    Dash runs page modules once for each app but this module only once per process, and an
    app takes the callbacks registered so far, so a decorator here would serve the first app only.
    """
    callback(
        Output("pack-download", "data"),
        Output("pack-status", "children"),
        Output("pack-job", "data"),
        Input("pack-button", "n_clicks"),
        State("pack-scope", "data"),
        State("pack-format", "value"),
        prevent_initial_call=True,
    )(download_pack)
    # In the browser, at the click: a pack takes a while, so say so before the server answers
    clientside_callback(
        """function(clicks, format) {
            var words = {pdf: "PDF", html: "web page", xlsx: "spreadsheet"}[format] || "";
            return [
                {namespace: "dash_html_components", type: "Span",
                 props: {className: "pmf-spinner", "aria-hidden": "true"}},
                "Preparing the pack (" + words + "). " + PREPARING
            ];
        }""".replace("PREPARING", repr(PREPARING)),
        Output("pack-progress", "children", allow_duplicate=True),
        Input("pack-button", "n_clicks"),
        State("pack-format", "value"),
        prevent_initial_call=True,
    )
    callback(
        Output("pack-job-download", "data"),
        Output("pack-progress", "children"),
        Output("pack-poll", "disabled"),
        # A new job id starts the polling; each tick asks again until the job has finished
        Input("pack-poll", "n_intervals"),
        Input("pack-job", "data"),
        prevent_initial_call=True,
    )(pack_progress)


def download_pack(_clicks: int | None, scope: Any, report_format: Any) -> tuple[Any, str, Any]:
    """The pack as at today: the public get the cached published pack at once; councillors and
    officers ask the job worker for a fresh one, and the page fetches it when it is ready.

    The scope and format come from the browser, so anything the page would never send is
    answered 400 in words rather than reaching the pack builder.
    """
    rt = runtime()
    if report_format not in FORMATS:
        _refuse(f"A pack is one of {', '.join(FORMATS)}, not '{str(report_format)[:20]}'.")
    resolved = _requested_scope(rt.registry, scope)
    today = date.today()
    if not rt.public:
        # Charts are drawn in Chromium, which is heavy: the worker builds one pack at a time,
        # away from the web request, so a burst of requests cannot tie up the server
        job_id = rt.writes.ask_for_pack(resolved.kind, resolved.id, report_format, today, "")
        return None, "", job_id
    name = f"{resolved.slug}-{today:%Y-%m-%d}.{report_format}"
    try:
        # Built once and shared: a visitor cannot keep Chromium busy by clicking again
        path = cached_public_pack(rt.registry, rt.engine, resolved, today, report_format, _BUILDING)
    except (ChartError, PdfError) as exc:
        LOG.error("pack %s could not be built: %s", name, exc)
        return None, "The pack could not be built just now. Please try again later.", None
    if path is None:
        return None, BUSY, None
    return dcc.send_file(str(path), filename=name), f"Pack ready: {name}.", None


def pack_progress(_ticks: int | None, job_id: Any) -> tuple[Any, Any, bool]:
    """Say how the pack is getting on, with a spinner while it is prepared; send it once it is
    ready. Only to whoever asked for it."""
    if not isinstance(job_id, int):
        return None, "", True
    rt = runtime()
    job = read_job(rt.engine, job_id)
    if job is None or job.kind != PACK or job.requested_by != rt.viewer.username:
        return None, job_words(None, "pack"), True
    words = job_words(job, "pack")
    if job.status != SUCCEEDED:
        return None, (words if job.finished else preparing(words)), job.finished
    made = json.loads(job.result or "{}")
    path = Path(str(made.get("path", "")))
    if not path.is_file():
        return None, "The pack was built but its file has gone; please ask again.", True
    name = str(made.get("filename") or path.name)
    return dcc.send_file(str(path), filename=name), f"Pack ready: {name}.", True


def _requested_scope(registry: Registry, scope: Any) -> Scope:
    kind = scope.get("kind") if isinstance(scope, dict) else None
    ident = scope.get("id") if isinstance(scope, dict) else None
    if kind not in SCOPE_KINDS or not isinstance(ident, str):
        _refuse("Say which portfolio, committee or priority the pack is for.")
    try:
        return resolve_scope(registry, str(kind), ident)
    except ScopeError:
        # Not ScopeError's own words: they name the config folder on the server
        _refuse(f"There is no {kind} '{ident[:80]}' in the plan.")


def _refuse(message: str) -> NoReturn:
    flask.abort(flask.Response(message, status=400, mimetype="text/plain"))


def preparing(words: str) -> list[Any]:
    """Progress words with a spinner beside them (the spinner is decoration: the words say it)."""
    return [html.Span(className="pmf-spinner", **aria(hidden="true")), words]


PREPARING = "It can take a minute; it will download by itself when it is ready."
BUSY = "Another pack is being built. Please try again in a minute."
# A process-wide guard, not per-user state: it holds nothing but "a build is running"
_BUILDING = threading.Lock()
