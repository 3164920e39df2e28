"""A "download the pack" control for the portfolio and committee pages."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from layouts._components.a11y import aria
from layouts._components.forms import labelled_select
from layouts._runtime import runtime
from reports.pack import build_pack
from reports.produce import FORMATS, file_name, render
from reports.public import public_pack
from reports.scope import resolve_scope

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
            dcc.Loading(
                [dcc.Download(id="pack-download"), html.P(id="pack-status", role="status")],
                type="dot",
            ),
        ],
        **aria(labelledby="pack-heading"),
    )


def register_pack_download() -> None:
    """Register the download callback; call it from one page module.

    Dash runs page modules once for each app but this module only once per process, and an
    app takes the callbacks registered so far, so a decorator here would serve the first app only.
    """
    callback(
        Output("pack-download", "data"),
        Output("pack-status", "children"),
        Input("pack-button", "n_clicks"),
        State("pack-scope", "data"),
        State("pack-format", "value"),
        prevent_initial_call=True,
    )(download_pack)


def download_pack(
    _clicks: int | None, scope: dict[str, str], report_format: str
) -> tuple[Any, str]:
    """Build the pack as at today and send it to the browser."""
    rt = runtime()
    if report_format not in FORMATS:
        return None, f"Choose one of {', '.join(FORMATS)}."
    # Charts are drawn in Chromium, which is heavy: one pack at a time, so a burst of requests
    # (or a visitor clicking repeatedly) cannot tie up the server
    if not _BUILDING.acquire(blocking=False):
        return None, "Another pack is being built. Please try again in a minute."
    try:
        resolved = resolve_scope(rt.registry, scope["kind"], scope["id"])
        pack = build_pack(rt.registry, rt.engine, resolved, date.today())
        if rt.public:
            pack = public_pack(rt.registry, pack)
        rendered = render(pack, report_format)
    finally:
        _BUILDING.release()
    name = file_name(pack, report_format)
    return dcc.send_bytes(rendered.data, name), f"Pack ready: {name}."


# A process-wide guard, not per-user state: it holds nothing but "a build is running"
_BUILDING = threading.Lock()
