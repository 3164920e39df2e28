"""The flag rules for savings and risks: which conditions hold now, from their judgements.

A saving (subject type "saving") is flagged for a forecast shortfall beyond tolerance (which
includes one that will not deliver) and for a slipped or overdue milestone it depends on; a
risk (subject type "risk") for a score above the council's appetite and for an overdue review.
The judgements themselves are made in metrics/engine/savings.py and risks.py; this module only
turns them into conditions, which metrics/flags/sync.py keeps as flags like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from metrics.engine.savings import MILESTONE, SHORTFALL
from metrics.flags.rules import Condition
from metrics.registry.flag_config import FlagDefaults
from metrics.words import plural

SAVING_SHORTFALL, SAVING_MILESTONE = "saving_shortfall", "saving_milestone"
RISK_ABOVE_APPETITE, RISK_REVIEW_OVERDUE = "risk_above_appetite", "risk_review_overdue"
FINANCE_RULES = (SAVING_SHORTFALL, SAVING_MILESTONE, RISK_ABOVE_APPETITE, RISK_REVIEW_OVERDUE)
SAVING, RISK = "saving", "risk"


def saving_conditions(defaults: FlagDefaults, savings: pd.DataFrame) -> list[Condition]:
    """Conditions of the saving rules for every judged proposal (metrics.engine.savings)."""
    found: list[Condition] = []
    rows: Iterable[Any] = savings.itertuples(index=False)
    for row in rows:
        by_code: dict[str, list[str]] = {}
        for reason in row.reasons:
            by_code.setdefault(reason.code, []).append(reason.text)
        for rule, code, wanted in (
            (SAVING_SHORTFALL, SHORTFALL, defaults.saving_shortfall),
            (SAVING_MILESTONE, MILESTONE, defaults.saving_milestone),
        ):
            if not wanted:
                continue
            texts = by_code.get(code, [])
            detail = f"'{row.title}': " + " ".join(texts) if texts else ""
            found.append(
                Condition(SAVING, str(row.proposal_id), None, rule, bool(texts), detail, row.owner)
            )
    return found


def risk_conditions(defaults: FlagDefaults, risks: pd.DataFrame) -> list[Condition]:
    """Conditions of the risk rules for every judged risk (metrics.engine.risks)."""
    rules = (
        (RISK_ABOVE_APPETITE, defaults.risk_above_appetite, "above_appetite", _above_appetite),
        (RISK_REVIEW_OVERDUE, defaults.risk_review_overdue, "review_overdue", _review_overdue),
    )
    found: list[Condition] = []
    rows: Iterable[Any] = risks.itertuples(index=False)
    for row in rows:
        for rule, wanted, column, detail in rules:
            if not wanted:
                continue
            holds = bool(getattr(row, column))
            found.append(
                Condition(
                    RISK,
                    str(row.risk_id),
                    None,
                    rule,
                    holds,
                    detail(row) if holds else "",
                    str(row.owner),
                )
            )
    return found


def _above_appetite(row: Any) -> str:
    return (
        f"'{row.title}' scores {row.score} (likelihood {row.likelihood} x impact "
        f"{row.impact}), above the appetite of {row.appetite} for {row.category} risks."
    )


def _review_overdue(row: Any) -> str:
    return (
        f"'{row.title}' was due for review on {row.review_date:%d %b %Y}, "
        f"{plural(int(row.days_overdue), 'day')} ago."
    )
