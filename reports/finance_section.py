"""A pack's "Savings and risks" section: this year's savings in the pack's scope, the council's
MTFS headline with both stress tests, and the risks in scope that need attention.

Read from the finance read model (metrics.readmodel.finance) and only worded here. What is in
scope follows the rule for milestones (reports.scope.Scope.milestone_filter): a portfolio pack
takes that portfolio's proposals; a committee pack those of the portfolios whose measures the
committee scrutinises; a priority pack the proposals serving that priority. Its risks are those
of the same portfolios, or that threaten one of the pack's measures or proposals; the section
lists those above the council's appetite or overdue for review. A public pack is built on the
public view: published proposals and risks only, and no MTFS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.engine.mtfs import mtfs_horizon
from metrics.engine.savings import SAVING_STATUSES
from metrics.format import format_money, format_number
from metrics.readmodel.finance import FinanceView, finance_view
from metrics.readmodel.judged import Audience
from metrics.registry.loader import Registry
from metrics.words import (
    RULE,
    SAVING_STATUS,
    plural,
    risk_rating_word,
    saving_status_word,
)
from reports.narrative import Para, day_text
from reports.scope import Scope


@dataclass(frozen=True)
class SavingLine:
    """One proposal this year: money as numbers (for the spreadsheet) and in words."""

    id: str
    title: str
    portfolio: str
    owner: str
    planned: float
    forecast: float | None
    delivered: float | None
    status: str
    symbol: str
    status_word: str
    why: str

    def money(self, field: str) -> str:
        """One of planned, forecast or delivered as £1.2m (a dash when there is no return)."""
        value = getattr(self, field)
        return "–" if value is None else format_number(value, "GBP")


@dataclass(frozen=True)
class RiskLine:
    """One risk that needs attention: above appetite, overdue for review, or both."""

    id: str
    title: str
    category: str
    portfolio: str
    owner: str
    likelihood: int
    impact: int
    score: int
    rating_word: str
    appetite: int
    above_appetite: bool
    review_date: date
    review_overdue: bool
    why: str


@dataclass(frozen=True)
class FinanceSection:
    """Everything the "Savings and risks" section shows."""

    year: str
    paras: list[Para]
    savings: list[SavingLine]
    risks: list[RiskLine]


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def scope_savings(view: FinanceView, scope: Scope) -> pd.DataFrame:
    """This year's judged proposals in the pack's scope (the milestones' rule)."""
    column, values = scope.milestone_filter()
    return view.savings[view.savings[column].isin(values)].reset_index(drop=True)


def scope_risks(view: FinanceView, scope: Scope, savings: pd.DataFrame) -> pd.DataFrame:
    """Risks in the scope's portfolios, or threatening its measures or proposals."""
    column, values = scope.milestone_filter()
    portfolios = values if column == "portfolio" else set()
    measures, proposals = set(scope.metric_ids), set(savings["proposal_id"])
    risks = view.risks
    keep = [
        portfolio in portfolios or bool(measures & set(ms)) or bool(proposals & set(ss))
        for portfolio, ms, ss in zip(
            risks["portfolio"], risks["measures"], risks["savings"], strict=True
        )
    ]
    return risks[keep].reset_index(drop=True)


def build_finance_section(
    registry: Registry, engine: sa.Engine, scope: Scope, as_at: date, audience: Audience
) -> FinanceSection:
    """Read the finance view as at the pack's date and word the section for the audience."""
    view = finance_view(registry, engine, today=as_at, audience=audience)
    portfolio_names = {p.id: str(p.name) for p in registry.plan.portfolios}
    savings = scope_savings(view, scope)
    lines = [
        SavingLine(
            id=str(r["proposal_id"]),
            title=str(r["title"]),
            portfolio=portfolio_names.get(str(r["portfolio"]), str(r["portfolio"])),
            owner=str(r["owner"]),
            planned=float(r["planned"]),
            forecast=_number(r["forecast"]),
            delivered=_number(r["delivered"]),
            status=str(r["status"]),
            symbol=SAVING_STATUS[str(r["status"])][0],
            status_word=saving_status_word(str(r["status"])),
            why=" ".join(reason.text for reason in r["reasons"]),
        )
        for r in _records(savings)
    ]
    risks = scope_risks(view, scope, savings)
    risks = risks[risks["above_appetite"].astype(bool) | risks["review_overdue"].astype(bool)]
    risk_lines = [
        RiskLine(
            id=str(r["risk_id"]),
            title=str(r["title"]),
            category=str(r["category"]),
            portfolio=portfolio_names.get(str(r["portfolio"]), str(r["portfolio"])),
            owner=str(r["owner"]),
            likelihood=int(r["likelihood"]),
            impact=int(r["impact"]),
            score=int(r["score"]),
            rating_word=risk_rating_word(str(r["rating"])),
            appetite=int(r["appetite"]),
            above_appetite=bool(r["above_appetite"]),
            review_date=r["review_date"],
            review_overdue=bool(r["review_overdue"]),
            why="; ".join(
                words
                for words, holds in (
                    (RULE["risk_above_appetite"], r["above_appetite"]),
                    (
                        f"{RULE['risk_review_overdue']} by {plural(int(r['days_overdue']), 'day')}",
                        r["review_overdue"],
                    ),
                )
                if holds
            ),
        )
        for r in _records(risks)
    ]
    paras = [_savings_para(view.year, lines)]
    if not view.mtfs.empty:
        paras.extend(_mtfs_paras(view))
    paras.append(_risks_para(risk_lines, view.today))
    return FinanceSection(view.year, paras, lines, risk_lines)


def _money(value: float) -> str:
    return format_money(value)


def _savings_para(year: str, lines: list[SavingLine]) -> Para:
    if not lines:
        return Para(f"There are no savings proposals in the scope of this pack for {year}.")
    planned = sum(line.planned for line in lines)
    forecast = sum(line.forecast or 0.0 for line in lines)
    delivered = sum(line.delivered or 0.0 for line in lines)
    counts = {s: sum(line.status == s for line in lines) for s in SAVING_STATUSES}
    statuses = ", ".join(
        f"{saving_status_word(s).lower()} {n}" for s, n in counts.items() if n
    )  # most serious first
    missing = sum(line.forecast is None for line in lines)
    no_return = (
        f" {plural(missing, 'proposal')} {'has' if missing == 1 else 'have'} no delivery return "
        "yet, so nothing evidences the saving."
        if missing
        else ""
    )
    return Para(
        f"In {year}, {plural(len(lines), 'savings proposal')} in this pack's scope plan to save "
        f"{_money(planned)}; {_money(forecast)} is forecast and {_money(delivered)} delivered "
        f"so far. By status: {statuses}.{no_return}"
    )


def _mtfs_paras(view: FinanceView) -> list[Para]:
    rows = view.mtfs[view.mtfs["year"] == view.year]
    if rows.empty or _number(rows.iloc[0]["gap"]) is None:
        return []
    row = {str(k): v for k, v in rows.iloc[0].items()}
    gap, remaining = float(row["gap"]), float(row["remaining_gap"])
    left = f"leave {_money(remaining)} to find" if remaining > 0 else "close it"
    paras = [
        Para(
            f"Across the council, the Medium Term Financial Strategy gap for {view.year} is "
            f"{_money(gap)}. Savings of {_money(float(row['planned']))} are planned and "
            f"{_money(float(row['forecast']))} forecast, which would {left}."
        )
    ]
    horizon = mtfs_horizon(view.mtfs, view.year)
    if horizon is not None:
        span = f"from {horizon['first']} to {horizon['last']}"
        paras.append(
            Para(
                f"Added up {span}, the gap is {_money(float(horizon['gap']))} and the savings "
                f"forecast would leave {_money(float(horizon['remaining_gap']))} to find. Two "
                "stress tests show how far the plan rests on proposals not yet secure: if "
                "every proposal at risk or that will not deliver slipped a year, "
                f"{_money(float(horizon['slip_gap']))} would be left to find; counting only "
                f"proposals on track or delivered, {_money(float(horizon['on_track_gap']))}."
            )
        )
    return paras


def _risks_para(lines: list[RiskLine], today: date) -> Para:
    if not lines:
        return Para(
            f"No risk in the scope of this pack is above the council's appetite or overdue "
            f"for review on {day_text(today)}."
        )
    above = sum(line.above_appetite for line in lines)
    overdue = sum(line.review_overdue for line in lines)
    return Para(
        f"{plural(len(lines), 'risk')} in the scope of this pack "
        f"{'needs' if len(lines) == 1 else 'need'} attention: {above} above the council's "
        f"appetite and {overdue} overdue for review.",
        "A risk's score is its likelihood times its impact, each from 1 to 5; the appetite is "
        "the highest score the council accepts for that category of risk.",
    )
