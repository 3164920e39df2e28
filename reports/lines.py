"""Flags and milestones in words: the lines a pack lists under flags, actions and milestones.

A flag is a subject needing attention, with every reason that holds; an action is what
someone plans to do about it, and exists only once planned (as on the Actions page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from metrics.flags.reasons import reason_words, reasons_of
from metrics.flags.register import STATUS_WORDS
from metrics.flags.rules import RULE_NAMES
from metrics.readmodel.judged import ReadModel
from metrics.registry.loader import Registry
from metrics.words import MILESTONE, plural, rule_word
from reports.narrative import day_text

MILESTONE_WORDS = MILESTONE  # the words live in metrics.words


@dataclass(frozen=True)
class ActionLine:
    """One open flag, every reason it holds, and the action planned for it (if any), in words."""

    flag_id: int
    subject: str
    rule: str
    status: str
    detail: str
    owner: str
    action: str | None
    due: date | None
    overdue: bool
    raised: date
    # Every reason that holds, most serious first: (name, sentence); none once cleared
    reasons: tuple[tuple[str, str], ...] = ()
    reason_names: str = ""

    def sentence(self) -> str:
        """The action (or the lack of one) as a sentence."""
        if self.action and self.due:
            late = " It is overdue." if self.overdue else ""
            return f"Action: {self.action}. Owner: {self.owner}. Due {day_text(self.due)}.{late}"
        return f"No action planned yet. Owner: {self.owner}. Flag {self.status.lower()}."


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone with its status in words."""

    title: str
    programme: str
    owner: str
    status: str
    baseline: date
    forecast: date | None
    slip_days: int
    days_overdue: int
    note: str

    @property
    def symbol(self) -> str:
        """The status symbol (decorative: the word is always shown too)."""
        return MILESTONE_WORDS.get(self.status, ("?", self.status))[0]

    @property
    def status_word(self) -> str:
        """The status in words."""
        return MILESTONE_WORDS.get(self.status, ("?", self.status))[1]

    def sentence(self) -> str:
        """e.g. "'Hub open in Stafford' was due by 5 Nov 2024; now forecast for 20 Dec 2024"."""
        forecast = f"; now forecast for {day_text(self.forecast)}" if self.forecast else ""
        if self.status == "overdue":
            return f"{self.title} was due by {day_text(self.baseline)}{forecast}."
        return (
            f"{self.title} is forecast for {day_text(self.forecast or self.baseline)}, "
            f"{plural(self.slip_days, 'day')} after its planned date of {day_text(self.baseline)}."
        )


def action_lines(registry: Registry, data: ReadModel) -> dict[int, ActionLine]:
    """Every flag open at the as-at date, by id, with its subject named."""
    titles = dict(zip(data.milestones["id"].astype(str), data.milestones["title"], strict=True))
    county = registry.plan.county.code
    lines: dict[int, ActionLine] = {}
    for flag in data.open_flags().to_dict("records"):
        subject = str(flag["subject_id"])
        if flag["subject_type"] == "metric" and registry.has_metric(subject):
            name = registry.metric(subject).name
            area = flag.get("area_code")
            if isinstance(area, str) and area != county:
                name += f" ({registry.area_name(area)})"
        else:
            name = str(titles.get(subject, subject))
        due = flag.get("due_date")
        held = reasons_of({str(k): v for k, v in flag.items()})
        lines[int(flag["id"])] = ActionLine(
            flag_id=int(flag["id"]),
            subject=name,
            rule=RULE_NAMES.get(str(flag["rule"]), str(flag["rule"])),
            status=STATUS_WORDS.get(str(flag["status"]), str(flag["status"])),
            detail=str(flag.get("detail") or ""),
            owner=str(flag.get("owner") or "not yet assigned"),
            action=flag.get("action") if isinstance(flag.get("action"), str) else None,
            due=pd.Timestamp(due).date() if due is not None and not pd.isna(due) else None,
            overdue=bool(flag.get("action_overdue")),
            raised=pd.Timestamp(flag["raised_at"]).date(),
            reasons=tuple((rule_word(r.rule), r.detail) for r in held),
            reason_names=reason_words(held)
            or f"No reason holds any more (was: {rule_word(str(flag['rule']))})",
        )
    return lines


def milestone_line(row: dict[str, Any]) -> MilestoneLine:
    """One row of milestones-with-status as a MilestoneLine."""
    forecast = row.get("forecast_date")
    return MilestoneLine(
        title=str(row["title"]),
        programme=str(row["programme"]),
        owner=str(row.get("owner") or ""),
        status=str(row["status"]),
        baseline=pd.Timestamp(row["baseline_date"]).date(),
        forecast=None if forecast is None or pd.isna(forecast) else pd.Timestamp(forecast).date(),
        slip_days=int(row["slip_days"]),
        days_overdue=int(row["days_overdue"]),
        note=str(row.get("status_note") or ""),
    )
