"""Download buttons for tables a page shows (the CSV itself is made in reports.downloads)."""

from __future__ import annotations

from dash import dcc, html

from metrics.engine.benchmark import Comparison


def comparison_download(comparison: Comparison | None) -> html.Div | None:
    """A button that downloads the comparison over time as CSV (none without comparison)."""
    if comparison is None or comparison.ranked.empty:
        return None
    return html.Div(
        [
            html.Button(
                "Download the comparison (CSV)",
                id="comparison-download-button",
                className="btn btn-secondary",
                type="button",
            ),
            dcc.Download(id="comparison-download"),
            # The group the page shows, so the file is the table the reader is looking at
            dcc.Store(id="comparison-download-group", data=comparison.group.id),
        ],
        className="pmf-download",
    )
