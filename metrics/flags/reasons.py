"""A flag's reasons: every rule that holds for its subject, most serious first.

One flag stands for one subject (a measure in an area, or a milestone). Its `reasons` list
every rule whose condition holds, each with its sentence; its `rule` and `detail` are the
first of them, the headline. This module orders reasons, reads them back from a stored flag
and says in words how they changed; metrics/flags/sync.py decides when they are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics.flags.finance_rules import (
    RISK_ABOVE_APPETITE,
    RISK_REVIEW_OVERDUE,
    SAVING_MILESTONE,
    SAVING_SHORTFALL,
)
from metrics.flags.rules import (
    ASSURANCE_FAIL,
    MILESTONE_OVERDUE,
    MILESTONE_SLIPPED,
    OFF_TARGET,
    SPC_CONCERN,
    STALE_DATA,
)
from metrics.words import rule_word
from warehouse.flags import decode_reasons

# Most serious first: the first reason that holds is the flag's headline
SEVERITY = (
    MILESTONE_OVERDUE,
    OFF_TARGET,
    ASSURANCE_FAIL,
    MILESTONE_SLIPPED,
    SPC_CONCERN,
    STALE_DATA,
    # Savings and risks have flags of their own, never mixed with these
    SAVING_SHORTFALL,
    SAVING_MILESTONE,
    RISK_ABOVE_APPETITE,
    RISK_REVIEW_OVERDUE,
)


@dataclass(frozen=True)
class Reason:
    """One rule that holds for a flag's subject, and the sentence saying why."""

    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """The reason as stored in the `reasons` column."""
        return {"rule": self.rule, "detail": self.detail}


Reasons = tuple[Reason, ...]


def _rank(rule: str) -> int:
    return SEVERITY.index(rule) if rule in SEVERITY else len(SEVERITY)


def ordered(reasons: Iterable[Reason]) -> Reasons:
    """The reasons most serious first, one per rule (the first sentence given for a rule wins)."""
    seen: dict[str, Reason] = {}
    for reason in reasons:
        seen.setdefault(reason.rule, reason)
    return tuple(sorted(seen.values(), key=lambda r: (_rank(r.rule), r.rule)))


def _missing(value: object) -> bool:
    scalar: Any = value
    return value is None or (not isinstance(value, str) and bool(pd.isna(scalar)))


def condition_holds(flag: Mapping[str, Any]) -> bool:
    """Whether any of the flag's reasons held when the engine last looked."""
    return _missing(flag.get("condition_cleared_at"))


def reasons_of(flag: Mapping[str, Any]) -> Reasons:
    """The reasons that hold for a stored flag (none once its condition has cleared).

    A flag raised before reasons were stored has one: its own rule and detail.
    """
    stored = decode_reasons(flag.get("reasons"))
    if stored is not None:
        return ordered(Reason(r["rule"], r["detail"]) for r in stored)
    if not condition_holds(flag):
        return ()
    detail = flag.get("detail")
    return (Reason(str(flag["rule"]), "" if _missing(detail) else str(detail)),)


def reason_words(reasons: Iterable[Reason]) -> str:
    """The reasons' names in words, most serious first: 'Off target; Special-cause concern'."""
    return "; ".join(rule_word(r.rule) for r in ordered(reasons))


def reason_sentences(reasons: Iterable[Reason]) -> str:
    """Every reason's sentence, most serious first, as one paragraph."""
    return " ".join(r.detail for r in ordered(reasons) if r.detail)


def change_note(before: Reasons, after: Reasons) -> str:
    """What changed between two sets of reasons, in words, for the flag's history."""
    old, new = {r.rule for r in before}, {r.rule for r in after}
    parts = []
    added = [r for r in after if r.rule not in old]
    gone = [r for r in before if r.rule not in new]
    if added:
        parts.append("Now also: " + reason_words(added) + ".")
    if gone:
        parts.append("No longer: " + reason_words(gone) + ".")
    if not parts:
        parts.append("The figures changed.")
    return " ".join([*parts, reason_sentences(after)]).strip()
