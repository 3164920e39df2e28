"""The spreadsheet way to send returns: download the owner's workbook, fill it in, upload it;
and what the upload did (every bad row with its reason, or what was saved)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.forms import success_banner
from layouts._components.return_forms import problem_summary


def spreadsheet_section() -> html.Section:
    """Download the workbook of your returns, and upload it filled in."""
    return html.Section(
        [
            html.H2("Fill in a spreadsheet instead", id="returns-sheet-heading"),
            html.P(
                "The workbook lists your returns with their targets and last figures. Fill in "
                "the figures and commentary, then upload it: every row is checked as the form "
                "checks it, and nothing is saved unless every row is right. The rows you "
                "fill in are submitted for sign-off."
            ),
            html.Div(
                [
                    html.Button(
                        "Download your returns (XLSX)",
                        id="returns-template-button",
                        type="button",
                        className="btn btn-secondary",
                    ),
                    dcc.Download(id="returns-template-download"),
                    html.P(id="returns-template-status", role="status", **aria(live="polite")),
                ],
                className="pmf-download",
            ),
            # The upload's file input sits inside this label, which names it; it takes focus
            # from the keyboard (the face shows the focus), and Enter or Space opens the
            # file chooser
            html.Label(
                dcc.Upload(
                    html.Span(
                        "Upload the filled-in workbook (XLSX)",
                        className="btn btn-primary pmf-upload-face",
                    ),
                    id="returns-upload",
                    accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    multiple=False,
                ),
                className="pmf-upload",
            ),
            html.Div(id="returns-upload-status", role="status", tabIndex=-1, **aria(live="polite")),
            dcc.Store(id="returns-upload-focus"),
        ],
        id="returns-sheet",
        **aria(labelledby="returns-sheet-heading"),
    )


def upload_outcome(name: str, sentence: str, problems: list[str], saved: int = 0) -> Any:
    """Each bad row with its reason under `sentence` (nothing was saved), or what the upload
    saved as a success banner."""
    if problems:
        summary = problem_summary([(None, p) for p in problems], "returns-upload-errors")
        assert summary is not None
        summary.children.insert(1, html.P(f"{name}: {sentence}", id="returns-upload-intro"))
        return summary
    body = "Each is waiting for its approver to sign it off." if saved else None
    return success_banner(f"{name}: {sentence}", body, "returns-upload-saved")
