"""Every word PMF uses for a judgement: status, direction, SPC reading, assurance, flag rule,
flag state, milestone state and run outcome.

The one vocabulary: pages, packs, downloads and the command line all take their words from
here, so a reading is never worded two ways. Keys are the values the engine stores.
"""

from __future__ import annotations

# Status against target: (symbol, word, css class)
RAG = {
    "green": ("✔", "On target", "green"),
    "amber": ("▲", "Within tolerance", "amber"),
    "red": ("✖", "Off target", "red"),
    "no_target": ("–", "No target", "none"),
    "no_data": ("?", "No data", "none"),
    "suppressed": ("[c]", "Not published: small numbers", "none"),
}

# Direction of travel: (symbol, word). An arrow always shows which way the value moved, never
# whether that was good: improving and worsening take their arrow from the measure's polarity
# (direction_parts), so a fall on a lower-is-better measure reads "↓ Down, improving"
DIRECTION = {
    "improving": ("", "Improving"),
    "worsening": ("", "Worsening"),
    "no_change": ("→", "No change"),
    "up": ("↑", "Up"),
    "down": ("↓", "Down"),
}

# SPC variation of the latest point: (label, what it means)
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
NO_VARIATION = "Not enough data for SPC"

# SPC limits: (label, what it means). Limits from fewer than 12 points are "trial" limits
LIMITS = {
    "process": ("Process limits", "where the figures should fall if nothing changes"),
    "trial": (
        "Trial limits",
        "worked out from fewer than 12 points, so they may move as more figures arrive",
    ),
}
REBASE = ("Limits recalculated", "the mean and limits were worked out afresh from this period")

# SPC assurance against the target: (label, what it means)
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

# Why a flag was raised (metrics.flags.rules' rule ids)
RULE = {
    "off_target": "Off target",
    "spc_concern": "Special-cause concern",
    "assurance_fail": "Will not meet its target without change",
    "stale_data": "Data late",
    "milestone_slipped": "Milestone slipped",
    "milestone_overdue": "Milestone overdue",
    "saving_shortfall": "Saving forecast short",
    "saving_milestone": "Saving's milestone slipped",
    "risk_above_appetite": "Risk above appetite",
    "risk_review_overdue": "Risk review overdue",
}

# Where a flag stands in its lifecycle
FLAG_STATUS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "action_planned": "Action planned",
    "resolved": "Resolved",
    "closed": "Closed, no action",
}

# What happened to a flag, one line of its history (flag_events.kind)
FLAG_EVENT = {
    "raised": "Raised",
    "transition": "Moved on",
    "reasons_changed": "Reasons changed",
    "condition_cleared": "No reason holds",
    "condition_returned": "Reasons hold again",
    "merged": "Merged",
}

# Milestone states: (symbol, word)
MILESTONE = {
    "complete": ("✔", "Complete"),
    "on_track": ("●", "On track"),
    "at_risk": ("▲", "At risk"),
    "slipped": ("✖", "Slipped"),
    "overdue": ("■", "Overdue"),
}

# Savings proposals' states this year (metrics.engine.savings): (symbol, word)
SAVING_STATUS = {
    "delivered": ("✔", "Delivered"),
    "on_track": ("●", "On track"),
    "at_risk": ("▲", "At risk"),
    "will_not_deliver": ("✖", "Will not deliver"),
}

# Risk ratings on the 5x5 matrix (metrics.engine.risks)
RISK_RATING = {
    "very_high": "Very high",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}

# How a pipeline run ended
RUN_STATUS = {
    "succeeded": "✔ Succeeded",
    "partially_rejected": "▲ Loaded, some rows rejected",
    "failed": "✖ Failed",
    "skipped_unchanged": "→ Skipped: source unchanged",
    "running": "… Running",
    "abandoned": "✖ Abandoned: PMF stopped mid-run",
}

# Where a data return stands (cycle.states): the word, and what it means for the owner
RETURN_STATE = {
    "not_started": ("Not started", "no figure entered yet"),
    "draft": ("Draft", "saved by the owner, not yet sent"),
    "submitted": ("Submitted", "sent, waiting for sign-off"),
    "returned": ("Sent back", "the approver asked for a change"),
    "approved": ("Approved", "signed off and loaded"),
    "locked": ("Locked", "the period is closed; a change is a restatement"),
}
LATE = "Late"
# What happened to a return (return_events.kind), for the audit trail
RETURN_EVENT = {
    "opened": "Return asked for",
    "draft": "Saved as draft",
    "submit": "Submitted",
    "approve": "Approved",
    "send_back": "Sent back",
    "lock": "Locked",
    "restate": "Restated",
    "publish": "Commentary published",
    "email": "Email sent",
}
COMMENTARY_STATE = {
    "draft": "Draft",
    "approved": "Approved (internal)",
    "published": "Published",
}

# The emails PMF sends (notifications.kind), and where one stands (notifications.status)
EMAIL_KIND = {
    "reminder-before": "Reminder before the due date",
    "reminder-due": "Reminder on the due date",
    "escalation": "Late returns, to the approver",
    "flag": "Flag raised, to the measure's owner",
    "weekly-pack": "Weekly pack",
}
EMAIL_STATUS = {
    "sending": "Being sent (or not known to have gone)",
    "sent": "Sent",
    "failed": "Not sent: tried again next time",
}

# A county figure PMF worked out from the districts, rather than received
DERIVED = "Worked out from the districts"


def _text(value: object) -> str | None:
    """A stored word, or None for a missing one (pandas may hold that as NaN)."""
    return value if isinstance(value, str) and value else None


def rag_word(rag: object) -> str:
    """The plain word for a RAG status."""
    return RAG.get(_text(rag) or "no_data", RAG["no_data"])[1]


def direction_text(value: object) -> str:
    """The direction of travel in words."""
    direction = _text(value)
    if direction is None:
        return "No earlier value"
    return DIRECTION.get(direction, ("", direction.replace("_", " ")))[1]


def direction_parts(value: object, polarity: object = None) -> tuple[str, str]:
    """(arrow, words) for a direction of travel: the arrow shows which way the value moved, the
    words say so and whether that is better or worse, e.g. ('↓', 'Down, improving')."""
    direction = _text(value)
    if direction is None:
        return "", direction_text(None)
    if direction in ("improving", "worsening") and polarity in (
        "higher_is_better",
        "lower_is_better",
    ):
        rose = (direction == "improving") == (polarity == "higher_is_better")
        arrow, moved = DIRECTION["up" if rose else "down"]
        return arrow, f"{moved}, {DIRECTION[direction][1].lower()}"
    return DIRECTION.get(direction, ("", direction_text(direction)))


def variation_text(value: object) -> str:
    """The SPC variation reading in words."""
    variation = _text(value)
    if variation is None:
        return NO_VARIATION
    return VARIATION.get(variation, (variation, ""))[0]


def assurance_text(value: object) -> str:
    """The SPC assurance reading in words."""
    assurance = _text(value)
    if assurance is None:
        return "No assurance reading (no target, or neither direction is better)"
    return ASSURANCE.get(assurance, (assurance, ""))[0]


def rule_word(rule: str) -> str:
    """Why a flag was raised, in words."""
    return RULE.get(rule, rule.replace("_", " "))


def flag_status_word(status: str) -> str:
    """Where a flag stands, in words."""
    return FLAG_STATUS.get(status, status.replace("_", " "))


def flag_event_word(kind: str) -> str:
    """What happened to a flag, in words."""
    return FLAG_EVENT.get(kind, kind.replace("_", " ").capitalize())


def milestone_word(status: str) -> str:
    """A milestone's state in words."""
    return MILESTONE.get(status, ("?", status.replace("_", " ")))[1]


def saving_status_word(status: str) -> str:
    """A savings proposal's state this year, in words."""
    return SAVING_STATUS.get(status, ("?", status.replace("_", " ")))[1]


def risk_rating_word(rating: str) -> str:
    """A risk's rating on the 5x5 matrix, in words."""
    return RISK_RATING.get(rating, rating.replace("_", " ").capitalize())


def return_state_word(state: str) -> str:
    """Where a data return stands, in words."""
    return RETURN_STATE.get(state, (state.replace("_", " ").capitalize(), ""))[0]


def return_event_word(kind: str) -> str:
    """What happened to a data return, in words."""
    return RETURN_EVENT.get(kind, kind.replace("_", " ").capitalize())


def email_kind_word(kind: str) -> str:
    """What an email PMF sends is for, in words."""
    return EMAIL_KIND.get(kind, kind.replace("-", " ").capitalize())


def email_status_word(status: str) -> str:
    """Where an email stands, in words."""
    return EMAIL_STATUS.get(status, status.capitalize())


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 measure', '3 measures'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def be(count: int) -> str:
    """'is' or 'are' to agree with a count."""
    return "is" if count == 1 else "are"
