"""What a page shows when the thing asked for does not exist: what was not found, where to go."""

from __future__ import annotations

from dash import dcc, html

# Where anyone may go from a dead end: the published pages
PLACES = (
    ("The performance overview", "/"),
    ("The metric catalogue: every measure, searchable", "/catalogue"),
    ("The plan and the measures for each priority", "/plan"),
)


def where_to_go(first: tuple[str, str] | None = None) -> html.Div:
    """A short list of places to go instead, `first` (if given) at the top."""
    places = [first, *PLACES] if first is not None else list(PLACES)
    seen: set[str] = set()
    items = []
    for label, href in places:
        if href not in seen:
            seen.add(href)
            items.append(html.Li(dcc.Link(label, href=href)))
    return html.Div(
        [html.H2("Where to go instead", id="not-found-places"), html.Ul(items)],
        className="pmf-columns",
    )


def page_not_found(path: html.Span) -> html.Div:
    """The page for an address the dashboard has no page at; `path` shows the address asked."""
    return html.Div(
        [
            html.H1("Page not found", id="not-found-title"),
            html.P(["There is no page at ", path, "."], id="not-found-what"),
            html.P(
                "If you typed the address, check it is right. If you followed a link or a "
                "bookmark, the page may have moved: the catalogue and the plan list every measure."
            ),
            where_to_go(),
        ]
    )


def thing_not_found(heading_id: str, what: str, ident: str, *, first: tuple[str, str]) -> html.Div:
    """The page for an id that does not exist: says what was asked for and where to go."""
    return html.Div(
        [
            html.H1(f"{what.capitalize()} not found", id=heading_id),
            html.P(f"There is no {what} with the id “{ident}”.", id="not-found-what"),
            html.P(
                "It may have been renamed or retired, or the address may be mistyped.",
            ),
            where_to_go(first),
        ]
    )
