"""What a page shows someone whose role may not see it: a plain sign-in prompt."""

from __future__ import annotations

from urllib.parse import quote

from dash import html


def sign_in_notice(path: str) -> html.Div:
    """'Sign in to see this page', with a link that comes back here afterwards."""
    return html.Div(
        [
            html.H1("Sign in to see this page", id="signin-needed"),
            html.P(
                "This page is for councillors and the performance team. The published "
                "measures are on the overview, the catalogue and the plan."
            ),
            html.P(html.A("Sign in", href=f"/login?next={quote(path)}", id="signin-needed-link")),
        ]
    )
