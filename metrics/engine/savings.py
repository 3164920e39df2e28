"""Savings proposals judged: delivered, on track, at risk or will not deliver, this financial year.

Judged here, once, for every page, pack, download and flag. For the current financial year,
with `planned` the saving in the proposal's costed plan and `forecast` and `delivered` from the
latest delivery return, the first that applies:

1. delivered: delivered to date is at least the plan for the year;
2. at risk: there is no delivery return for the year yet (nothing evidences the saving);
3. will not deliver: the forecast is at or below `will_not_deliver_percent` of plan (mtfs.yaml);
4. at risk: the forecast falls short of plan by more than `tolerance_percent`, or a milestone
   the saving depends on has slipped or is overdue, or a risk that threatens it scores above
   the council's appetite;
5. on track: otherwise.

A proposal with nothing planned this year is judged on what earlier years left undelivered:
delivered when nothing is outstanding (on track when its plan starts in a later year), else at
risk. Savings planned in earlier years and not delivered by the year's final return are carried
forward, and shown beside the year's plan, as the peer challenge asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from metrics.engine.milestones import OVERDUE, SLIPPED
from metrics.engine.periods import financial_year_start
from metrics.registry.finance import Finance, Mtfs, SavingsProposal, year_label, year_start

DELIVERED, ON_TRACK, AT_RISK, WILL_NOT_DELIVER = (
    "delivered",
    "on_track",
    "at_risk",
    "will_not_deliver",
)
SAVING_STATUSES = (WILL_NOT_DELIVER, AT_RISK, ON_TRACK, DELIVERED)
# Why a proposal is where it is (the words live in metrics.words)
SHORTFALL, NO_RETURN, MILESTONE, RISK, CARRIED, UNKNOWN_MILESTONE = (
    "shortfall",
    "no_return",
    "milestone",
    "risk",
    "carried_forward",
    "unknown_milestone",
)
SAVING_COLUMNS = (
    "proposal_id",
    "title",
    "directorate",
    "portfolio",
    "priority",
    "owner",
    "programme",
    "public",
    "year",
    "planned",
    "forecast",
    "delivered",
    "shortfall",
    "carried_forward",
    "costs",
    "total_planned",
    "as_at",
    "commentary",
    "status",
    "reasons",
)
BY_YEAR_COLUMNS = (
    "proposal_id",
    "directorate",
    "portfolio",
    "year",
    "planned",
    "forecast",
    "delivered",
    "unrealised",
    "costs",
    "status",
)
# When no MTFS is configured, these are the thresholds (as in config/mtfs.yaml's defaults)
DEFAULT_TOLERANCE, DEFAULT_WILL_NOT_DELIVER = 5.0, 50.0


@dataclass(frozen=True)
class Reason:
    """One thing that bears on a proposal's status, and the sentence saying it."""

    code: str
    text: str
    ref: str = ""  # the milestone or risk it names, if any


def current_year(today: date) -> str:
    """The financial year containing `today`, written '2026-27'."""
    return year_label(financial_year_start(today).year)


def _money(amount: float) -> str:
    return f"£{amount:,.0f}"


def _returns_by_key(delivery: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    if delivery.empty:
        return {}
    records: Iterable[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in delivery.to_dict("records")
    ]
    return {(str(r["proposal_id"]), str(r["financial_year"])): r for r in records}


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def carried_forward(
    proposal: SavingsProposal, returns: dict[tuple[str, str], dict[str, Any]], year: str
) -> float:
    """What the plan asked of years before `year` that their final returns did not deliver."""
    outstanding = 0.0
    for plan_year, planned in proposal.plan.items():
        if year_start(plan_year) >= year_start(year):
            continue
        found = returns.get((proposal.id, plan_year))
        delivered = _number(found["delivered"]) if found else None
        outstanding += max(0.0, planned - (delivered or 0.0))
    return outstanding


def _thresholds(mtfs: Mtfs | None) -> tuple[float, float]:
    if mtfs is None:
        return DEFAULT_TOLERANCE, DEFAULT_WILL_NOT_DELIVER
    return mtfs.tolerance_percent, mtfs.will_not_deliver_percent


def _by_id(frame: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    """Each row of a frame as a plain mapping, by the id in `column`."""
    return {str(r[column]): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")}


def _dependencies(
    proposal: SavingsProposal,
    known: dict[str, dict[str, Any]],
    scored: dict[str, dict[str, Any]],
) -> list[Reason]:
    """What the milestones (`known`, by id) and risks (`scored`, by id) say of a proposal."""
    found: list[Reason] = []
    for ident in proposal.milestones:
        row = known.get(ident)
        if row is None:
            found.append(
                Reason(
                    UNKNOWN_MILESTONE,
                    f"Depends on milestone '{ident}', which is not in the programme tracker.",
                )
            )
        elif row["status"] in (SLIPPED, OVERDUE):
            state = "is overdue" if row["status"] == OVERDUE else "has slipped"
            found.append(
                Reason(
                    MILESTONE,
                    f"Depends on milestone '{row['title']}' ({ident}), which {state}.",
                    ident,
                )
            )
    for ident in proposal.risks:
        threat = scored.get(ident)
        if threat is not None and bool(threat["above_appetite"]):
            found.append(
                Reason(
                    RISK,
                    f"Threatened by risk {ident} '{threat['title']}', scoring {threat['score']} "
                    f"against an appetite of {threat['appetite']}.",
                    ident,
                )
            )
    return found


def judge_proposal(
    proposal: SavingsProposal,
    year: str,
    found: dict[str, Any] | None,
    outstanding: float,
    dependencies: list[Reason],
    mtfs: Mtfs | None,
) -> tuple[str, list[Reason]]:
    """One proposal's status for `year` and every reason bearing on it, most serious first."""
    tolerance, floor = _thresholds(mtfs)
    planned = proposal.plan.get(year, 0.0)
    forecast = _number(found["forecast"]) if found else None
    delivered = _number(found["delivered"]) if found else None
    reasons: list[Reason] = []
    if outstanding > 0:
        reasons.append(
            Reason(CARRIED, f"{_money(outstanding)} planned in earlier years is not yet realised.")
        )
    blocking = [r for r in dependencies if r.code in (MILESTONE, RISK)]
    notes = [r for r in dependencies if r.code == UNKNOWN_MILESTONE]
    if planned <= 0:
        later = all(year_start(y) > year_start(year) for y in proposal.plan)
        if outstanding > 0:
            return AT_RISK, reasons + blocking + notes
        return (ON_TRACK if later else DELIVERED), blocking + notes
    if delivered is not None and delivered >= planned:
        return DELIVERED, reasons + notes
    if forecast is None:
        missing = Reason(NO_RETURN, f"No delivery return for {year} yet.")
        return AT_RISK, [missing, *reasons, *blocking, *notes]
    gap = planned - forecast
    if forecast <= planned * floor / 100:
        short = Reason(
            SHORTFALL,
            f"Forecast {_money(forecast)} is {forecast / planned:.0%} of the "
            f"{_money(planned)} planned for {year}.",
        )
        return WILL_NOT_DELIVER, [short, *reasons, *blocking, *notes]
    if gap > planned * tolerance / 100:
        short = Reason(
            SHORTFALL,
            f"Forecast {_money(forecast)} is {_money(gap)} short of the {_money(planned)} "
            f"planned for {year}, beyond the {tolerance:g}% tolerance.",
        )
        return AT_RISK, [short, *reasons, *blocking, *notes]
    if blocking:
        return AT_RISK, [*blocking, *reasons, *notes]
    return ON_TRACK, reasons + notes


def judge_savings(
    finance: Finance,
    delivery: pd.DataFrame,
    milestones: pd.DataFrame,
    risks: pd.DataFrame,
    today: date,
) -> pd.DataFrame:
    """One row per proposal for the current financial year (SAVING_COLUMNS).

    `delivery` is the latest return per proposal and year (warehouse.savings.current_delivery),
    `milestones` the tracker with statuses (metrics.engine.milestones), `risks` the judged
    register (metrics.engine.risks.judge_risks).
    """
    year = current_year(today)
    known, scored = _by_id(milestones, "id"), _by_id(risks, "risk_id")
    returns = _returns_by_key(delivery)
    rows = []
    for proposal in finance.proposals:
        found = returns.get((proposal.id, year))
        outstanding = carried_forward(proposal, returns, year)
        dependencies = _dependencies(proposal, known, scored)
        status, reasons = judge_proposal(
            proposal, year, found, outstanding, dependencies, finance.mtfs
        )
        planned = proposal.plan.get(year, 0.0)
        forecast = _number(found["forecast"]) if found else None
        rows.append(
            {
                "proposal_id": proposal.id,
                "title": proposal.title,
                "directorate": proposal.directorate,
                "portfolio": proposal.portfolio,
                "priority": proposal.priority,
                "owner": proposal.owner,
                "programme": proposal.programme,
                "public": proposal.public,
                "year": year,
                "planned": planned,
                "forecast": forecast,
                "delivered": (_number(found["delivered"]) or 0.0) if found else 0.0,
                "shortfall": max(0.0, planned - forecast) if forecast is not None else None,
                "carried_forward": outstanding,
                "costs": float(sum(proposal.costs.values())),
                "total_planned": proposal.total,
                "as_at": found["as_at"] if found else None,
                "commentary": found.get("commentary") if found else None,
                "status": status,
                "reasons": tuple(reasons),
            }
        )
    return pd.DataFrame(rows, columns=list(SAVING_COLUMNS))


def savings_by_year(
    finance: Finance, delivery: pd.DataFrame, judged: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Each proposal's plan, forecast and delivery for every year it plans (BY_YEAR_COLUMNS).

    Years before this one are what their final return delivered (nothing, without a return);
    this year is the latest forecast (the plan until a return says otherwise); later years are
    the plan.
    """
    this_year = year_start(current_year(today))
    returns = _returns_by_key(delivery)
    status = dict(zip(judged["proposal_id"], judged["status"], strict=True))
    rows = []
    for proposal in finance.proposals:
        for year in sorted(set(proposal.plan) | set(proposal.costs), key=year_start):
            planned = proposal.plan.get(year, 0.0)
            found = returns.get((proposal.id, year))
            delivered = (_number(found["delivered"]) or 0.0) if found else 0.0
            start = year_start(year)
            if start < this_year:
                forecast = delivered
            elif start == this_year:
                given = _number(found["forecast"]) if found else None
                forecast = planned if given is None else given
            else:
                forecast, delivered = planned, 0.0
            rows.append(
                {
                    "proposal_id": proposal.id,
                    "directorate": proposal.directorate,
                    "portfolio": proposal.portfolio,
                    "year": year,
                    "planned": planned,
                    "forecast": forecast,
                    "delivered": delivered,
                    "unrealised": max(0.0, planned - delivered) if start < this_year else 0.0,
                    "costs": proposal.costs.get(year, 0.0),
                    "status": status.get(proposal.id, ON_TRACK),
                }
            )
    return pd.DataFrame(rows, columns=list(BY_YEAR_COLUMNS))
