"""The page frame: skip link, header with navigation and sign-in, main landmark and footer."""

from __future__ import annotations

from dash import dcc, html

from access.identity import ANONYMOUS, Viewer
from access.pages import NAV_ITEMS
from layouts._components.a11y import aria

__all__ = ["NAV_ITEMS", "account_links", "shell"]


def account_links(viewer: Viewer) -> html.Div:
    """'Sign in', or who is signed in with a link to sign out (plain links: full page loads)."""
    if not viewer.signed_in:
        return html.Div(html.A("Sign in", href="/login", id="signin-link"), className="pmf-account")
    return html.Div(
        [
            html.Span(f"{viewer.display_name} ({viewer.role})", id="signed-in-as"),
            " ",
            html.A("Sign out", href="/logout", id="signout-link"),
        ],
        className="pmf-account",
    )


def shell(organisation: str, plan_name: str, viewer: Viewer = ANONYMOUS) -> html.Div:
    """The frame around every page; `dash.page_container` goes inside <main>."""
    import dash

    nav = [
        (label, href)
        for label, href, permission in NAV_ITEMS
        if permission is None or viewer.can(permission)
    ]
    return html.Div(
        [
            dcc.Location(id="pmf-url", refresh="callback-nav"),
            html.A("Skip to main content", href="#main-content", className="pmf-skip-link"),
            html.Header(
                html.Div(
                    [
                        html.A(
                            [
                                html.Span("PMF", className="pmf-logo"),
                                html.Span(organisation, className="pmf-org"),
                            ],
                            href="/",
                            className="pmf-brand",
                        ),
                        html.Nav(
                            html.Ul([html.Li(dcc.Link(label, href=href)) for label, href in nav]),
                            **aria(label="Main"),
                            className="pmf-nav",
                        ),
                        account_links(viewer),
                    ],
                    className="pmf-width",
                ),
                className="pmf-header",
            ),
            html.Main(
                html.Div(dash.page_container, className="pmf-width"),
                id="main-content",
                tabIndex="-1",
            ),
            html.Footer(
                html.Div(
                    html.P(f"{organisation} · {plan_name} · Performance management framework"),
                    className="pmf-width",
                ),
                className="pmf-footer",
            ),
        ]
    )
