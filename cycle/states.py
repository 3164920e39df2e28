"""The states of a data return, the moves between them, and when a return is late.

The one place these are decided: the command line, the pages, the emails and the status CSV
all ask here, and take their words from `metrics.words.RETURN_STATE`.
"""

from __future__ import annotations

from datetime import date

NOT_STARTED, DRAFT, SUBMITTED, RETURNED, APPROVED, LOCKED = (
    "not_started",
    "draft",
    "submitted",
    "returned",
    "approved",
    "locked",
)
STATES = (NOT_STARTED, DRAFT, SUBMITTED, RETURNED, APPROVED, LOCKED)
# The owner may still change the figure in these
EDITABLE = frozenset({NOT_STARTED, DRAFT, RETURNED})
# A figure has reached the performance team in these
RETURNED_STATES = frozenset({SUBMITTED, APPROVED})

# The commentary's own path: written with the figure, approved with it, published by an officer
COMMENTARY_DRAFT, COMMENTARY_APPROVED, COMMENTARY_PUBLISHED = "draft", "approved", "published"


def is_late(state: str, due: date, today: date) -> bool:
    """A return is late once its due date has passed and the owner has not yet submitted it."""
    return state in EDITABLE and today > due


def counts_as_returned(state: str, had_figure: bool) -> bool:
    """Whether the owner has sent this return (a locked one only if it held a figure)."""
    return state in RETURNED_STATES or (state == LOCKED and had_figure)
