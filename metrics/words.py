"""Status in plain words, shared by the pages and the packs so both say the same thing."""

from __future__ import annotations

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


def direction_text(direction: str | None) -> str:
    """The direction of travel in words."""
    if not direction:
        return "No earlier value"
    return DIRECTION.get(direction, ("", direction.replace("_", " ")))[1]


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
