"""Status words with icons: RAG, direction of travel, SPC variation and assurance.

Colour is never the only signal: every status carries a word and a symbol.
"""

from __future__ import annotations

from dash import html

from layouts._components.a11y import aria
from layouts._components.quick import quick
from metrics.words import (
    RAG,
    assurance_text,
    direction_parts,
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
    return quick(
        html.Span,
        [quick(html.Span, icon, **aria(hidden="true")), word],
        className=f"pmf-rag pmf-rag-{css}",
    )


def direction_badge(direction: str | None, polarity: str | None = None) -> html.Span:
    """The direction of travel: an arrow for which way the value moved, and words saying so
    and (given the measure's polarity) whether that is improving or worsening."""
    arrow, word = direction_parts(direction, polarity)
    return quick(
        html.Span,
        [quick(html.Span, arrow + " ", **aria(hidden="true")) if arrow else None, word],
        className=f"pmf-direction pmf-direction-{direction or 'none'}",
    )
