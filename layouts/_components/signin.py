"""What a page shows someone who must sign in to see it: a plain sign-in prompt."""

from __future__ import annotations

from urllib.parse import quote

import flask
from dash import html

from access.session import current_viewer
from layouts._runtime import CONFIG_KEY


def _sign_in_link(path: str) -> html.P:
    # The whole path quoted, so a query string's "&" stays part of the page to come back to
    return html.P(
        html.A("Sign in", href=f"/login?next={quote(path, safe='/')}", id="signin-needed-link")
    )


def sign_in_notice(path: str) -> html.Div:
    """'Sign in to see this page', with a link that comes back here afterwards."""
    return html.Div(
        [
            html.H1("Sign in to see this page", id="signin-needed"),
            html.P(
                "This page is for councillors and the performance team. The published "
                "measures are on the overview, the catalogue and the plan."
            ),
            _sign_in_link(path),
        ]
    )


def measure_needs_sign_in(metric_id: str) -> bool:
    """Whether `metric_id` is a measure kept for signed-in people, asked for by someone who is
    not signed in (the page then offers sign-in rather than saying it does not exist)."""
    if current_viewer().signed_in:
        return False
    return bool(flask.current_app.config[CONFIG_KEY].registry.has_metric(metric_id))


def measure_sign_in_notice(path: str) -> html.Div:
    """'Sign in to see this measure', saying nothing else about it, with a link back here."""
    return html.Div(
        [
            html.H1("Sign in to see this measure", id="signin-needed"),
            html.P(
                "This measure is for councillors and the performance team. Sign in and you "
                "will come back to it. The published measures are on the overview, the "
                "catalogue and the plan.",
                id="signin-needed-why",
            ),
            _sign_in_link(path),
        ]
    )
