"""Status words with icons: RAG, direction of travel, SPC variation and assurance.

Colour is never the only signal: every status carries a word and a symbol.
"""

from __future__ import annotations

from dash import html

from layouts._components.a11y import aria

RAG = {
    "green": ("✔", "On target", "green"),
    "amber": ("▲", "Within tolerance", "amber"),
    "red": ("✖", "Off target", "red"),
    "no_target": ("–", "No target", "none"),
    "no_data": ("?", "No data", "none"),
}

DIRECTION = {
    "improving": ("↑", "Improving"),
    "worsening": ("↓", "Worsening"),
    "no_change": ("→", "No change"),
    "up": ("↗", "Up"),
    "down": ("↘", "Down"),
}

VARIATION = {
    "common_cause": ("Common cause", "no significant change"),
    "special_cause_improvement": (
        "Special cause: improvement",
        "a significant change for the better",
    ),
    "special_cause_concern": ("Special cause: concern", "a significant change for the worse"),
    "special_cause_neutral_high": ("Special cause: higher", "a significant rise"),
    "special_cause_neutral_low": ("Special cause: lower", "a significant fall"),
}

ASSURANCE = {
    "consistent_pass": ("Consistently passing", "the process will reliably meet the target"),
    "consistent_fail": (
        "Consistently failing",
        "the process will not meet the target without change",
    ),
    "inconsistent": (
        "Hit and miss",
        "the process will sometimes meet the target and sometimes not",
    ),
}


def rag_word(rag: str | None) -> str:
    """The plain word for a RAG status."""
    return RAG.get(rag or "no_data", RAG["no_data"])[1]


def rag_badge(rag: str | None) -> html.Span:
    """A RAG badge: symbol and word, with colour as a third, redundant signal."""
    icon, word, css = RAG.get(rag or "no_data", RAG["no_data"])
    return html.Span(
        [html.Span(icon, **aria(hidden="true")), word], className=f"pmf-rag pmf-rag-{css}"
    )


def direction_text(direction: str | None) -> str:
    """The direction of travel in words."""
    if not direction:
        return "No earlier value"
    return DIRECTION.get(direction, ("", direction.replace("_", " ")))[1]


def direction_badge(direction: str | None) -> html.Span:
    """An arrow and a word for the direction of travel."""
    arrow, word = DIRECTION.get(direction or "", ("", direction_text(direction)))
    return html.Span(
        [html.Span(arrow + " ", **aria(hidden="true")), word],
        className=f"pmf-direction pmf-direction-{direction or 'none'}",
    )


def variation_text(variation: str | None) -> str:
    """The SPC variation reading in words."""
    if not variation:
        return "Not enough data for SPC"
    return VARIATION.get(variation, (variation, ""))[0]


def assurance_text(assurance: str | None) -> str:
    """The SPC assurance reading in words."""
    if not assurance:
        return "No assurance reading (no target, or neither direction is better)"
    return ASSURANCE.get(assurance, (assurance, ""))[0]
