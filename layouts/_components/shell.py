"""The page frame: skip link, header with navigation, main landmark and footer."""

from __future__ import annotations

from dash import dcc, html

from layouts._components.a11y import aria

NAV_ITEMS = (
    ("Overview", "/"),
    ("Milestones", "/milestones"),
    ("Actions", "/actions"),
    ("Data", "/data"),
    ("Catalogue", "/catalogue"),
    ("The plan", "/plan"),
)


def shell(
    organisation: str, plan_name: str, nav: tuple[tuple[str, str], ...] = NAV_ITEMS
) -> html.Div:
    """The frame around every page; `dash.page_container` goes inside <main>."""
    import dash

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
