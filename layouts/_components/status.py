"""Status words with icons: RAG, direction of travel, SPC variation and assurance.

Colour is never the only signal: every status carries a word and a symbol.
"""

from __future__ import annotations

from dash import html

from layouts._components.a11y import aria
from metrics.words import (
    DIRECTION,
    RAG,
    assurance_text,
    direction_text,
    rag_word,
    variation_text,
)

__all__ = [
    "assurance_text",
    "direction_badge",
    "direction_text",
    "rag_badge",
    "rag_word",
    "variation_text",
]


def rag_badge(rag: str | None) -> html.Span:
    """A RAG badge: symbol and word, with colour as a third, redundant signal."""
    icon, word, css = RAG.get(rag or "no_data", RAG["no_data"])
    return html.Span(
        [html.Span(icon, **aria(hidden="true")), word], className=f"pmf-rag pmf-rag-{css}"
    )


def direction_badge(direction: str | None) -> html.Span:
    """An arrow and a word for the direction of travel."""
    arrow, word = DIRECTION.get(direction or "", ("", direction_text(direction)))
    return html.Span(
        [html.Span(arrow + " ", **aria(hidden="true")), word],
        className=f"pmf-direction pmf-direction-{direction or 'none'}",
    )
