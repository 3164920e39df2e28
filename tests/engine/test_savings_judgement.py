"""Savings, the MTFS view and risks judged: each status, the carry forward and both stress tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from metrics.engine.mtfs import mtfs_by_year, mtfs_horizon, savings_by_group
from metrics.engine.risks import judge_risks, matrix_counts, rating
from metrics.engine.savings import (
    AT_RISK,
    CARRIED,
    DELIVERED,
    MILESTONE,
    NO_RETURN,
    ON_TRACK,
    RISK,
    UNKNOWN_MILESTONE,
    WILL_NOT_DELIVER,
    judge_savings,
    savings_by_year,
)
from metrics.registry.finance import (
    Appetite,
    Finance,
    Mtfs,
    Risk,
    RiskRegister,
    SavingsProposal,
)

TODAY = date(2026, 11, 30)  # financial year 2026-27


def proposal(ident: str, plan: dict[str, float], **extra: Any) -> SavingsProposal:
    """A proposal in health and care unless told otherwise."""
    first = extra.pop("first_planned", None) or min(plan, key=lambda y: int(y[:4]))
    values: dict[str, Any] = {
        "id": ident,
        "title": f"Saving {ident}",
        "directorate": "health-care",
        "portfolio": "health-care-wellbeing",
        "owner": "Director of Health and Care",
        "programme": "Care transformation",
        "first_planned": first,
        "plan": plan,
    }
    values.update(extra)
    return SavingsProposal.model_validate(values)


def risk(ident: str, likelihood: int, impact: int, **extra: Any) -> Risk:
    """A financial risk reviewed in October 2026."""
    values: dict[str, Any] = {
        "id": ident,
        "title": f"Risk {ident}",
        "category": "financial",
        "directorate": "health-care",
        "portfolio": "health-care-wellbeing",
        "owner": "Director of Finance",
        "cause": "Demand rises",
        "consequence": "Budget overspends",
        "likelihood": likelihood,
        "impact": impact,
        "last_reviewed": date(2026, 10, 1),
        "review_date": date(2027, 1, 1),
    }
    values.update(extra)
    return Risk.model_validate(values)


def returns(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    """Delivery returns: (proposal, year, forecast, delivered)."""
    return pd.DataFrame(
        [
            {
                "proposal_id": p,
                "financial_year": y,
                "as_at": date(int(y[:4]) + 1, 3, 31) if y != "2026-27" else date(2026, 10, 31),
                "forecast": f,
                "delivered": d,
                "commentary": None,
            }
            for p, y, f, d in rows
        ]
    )


def milestones(*rows: tuple[str, str]) -> pd.DataFrame:
    """Tracker milestones with their statuses: (id, status)."""
    return pd.DataFrame([{"id": i, "title": f"Milestone {i}", "status": s} for i, s in rows])


def codes(reasons: Any) -> list[str]:
    """The codes of a proposal's reasons, in order."""
    return [r.code for r in reasons]


NO_MILESTONES = milestones()
NO_RISKS = judge_risks(Finance(), TODAY)
PLAN = {"2026-27": 1_000_000.0}


def status_of(
    item: SavingsProposal,
    delivery: pd.DataFrame,
    tracker: pd.DataFrame = NO_MILESTONES,
    finance: Finance | None = None,
) -> tuple[str, list[str]]:
    """One proposal's status and the codes of its reasons."""
    finance = finance or Finance(proposals=(item,))
    judged = judge_savings(
        finance, delivery, tracker, judge_risks(finance, TODAY), TODAY
    ).set_index("proposal_id")
    return str(judged.at[item.id, "status"]), codes(judged.at[item.id, "reasons"])


def test_a_forecast_within_tolerance_is_on_track_and_beyond_it_is_at_risk() -> None:
    item = proposal("S1", PLAN)
    assert status_of(item, returns(("S1", "2026-27", 960_000, 400_000))) == (ON_TRACK, [])
    assert status_of(item, returns(("S1", "2026-27", 940_000, 400_000)))[0] == AT_RISK


def test_half_the_plan_or_less_will_not_deliver() -> None:
    item = proposal("S1", PLAN)
    assert status_of(item, returns(("S1", "2026-27", 500_000, 0)))[0] == WILL_NOT_DELIVER
    assert status_of(item, returns(("S1", "2026-27", 500_001, 0)))[0] == AT_RISK


def test_delivered_in_full_is_delivered_and_no_return_is_at_risk() -> None:
    item = proposal("S1", PLAN)
    assert status_of(item, returns(("S1", "2026-27", 1_000_000, 1_000_000)))[0] == DELIVERED
    assert status_of(item, returns()) == (AT_RISK, [NO_RETURN])


def test_a_slipped_milestone_puts_an_on_track_saving_at_risk() -> None:
    item = proposal("S1", PLAN, milestones=("cst-04", "hub-01", "gone"))
    delivery = returns(("S1", "2026-27", 1_000_000, 300_000))
    on_time = milestones(("cst-04", "on_track"), ("hub-01", "complete"))
    slipped = milestones(("cst-04", "slipped"), ("hub-01", "complete"))
    assert status_of(item, delivery, on_time) == (ON_TRACK, [UNKNOWN_MILESTONE])
    assert status_of(item, delivery, slipped) == (AT_RISK, [MILESTONE, UNKNOWN_MILESTONE])


def test_a_risk_above_the_appetite_puts_a_saving_at_risk() -> None:
    item = proposal("S1", PLAN, risks=("R1",))
    delivery = returns(("S1", "2026-27", 1_000_000, 300_000))
    appetite = Appetite(default=12, categories={"financial": 10})
    for score, expected in (((2, 5), ON_TRACK), ((3, 4), AT_RISK)):
        register = RiskRegister(appetite=appetite, risks=(risk("R1", *score),))
        finance = Finance(proposals=(item,), risk_register=register)
        status, reasons = status_of(item, delivery, finance=finance)
        assert status == expected
        assert (RISK in reasons) == (expected == AT_RISK)


def test_savings_not_delivered_in_earlier_years_carry_forward() -> None:
    item = proposal("S1", {"2019-20": 500_000.0, "2020-21": 300_000.0, "2026-27": 100_000.0})
    delivery = returns(
        ("S1", "2019-20", 350_000, 350_000), ("S1", "2026-27", 100_000, 20_000)
    )  # 2020-21 has no final return: none of it is evidenced
    finance = Finance(proposals=(item,))
    judged = judge_savings(finance, delivery, NO_MILESTONES, NO_RISKS, TODAY)
    assert judged.at[0, "carried_forward"] == 150_000 + 300_000
    assert judged.at[0, "status"] == ON_TRACK
    assert codes(judged.at[0, "reasons"]) == [CARRIED]
    # With nothing planned this year, what is outstanding is judged instead
    done = proposal("S2", {"2019-20": 500_000.0})
    finance = Finance(proposals=(done,))
    outstanding = judge_savings(
        finance, returns(("S2", "2019-20", 1, 1)), NO_MILESTONES, NO_RISKS, TODAY
    )
    assert outstanding.at[0, "status"] == AT_RISK
    full = judge_savings(
        finance, returns(("S2", "2019-20", 500_000, 500_000)), NO_MILESTONES, NO_RISKS, TODAY
    )
    assert full.at[0, "status"] == DELIVERED


def test_the_mtfs_view_and_both_stress_tests() -> None:
    safe = proposal("S1", {"2026-27": 1_000_000.0, "2027-28": 2_000_000.0})
    risky = proposal(
        "S2",
        {"2025-26": 400_000.0, "2026-27": 600_000.0, "2027-28": 800_000.0},
        directorate="families-communities",
        portfolio="children-young-people",
    )
    mtfs = Mtfs(name="MTFS", gap={"2025-26": 1e6, "2026-27": 3e6, "2027-28": 4e6})
    finance = Finance(proposals=(safe, risky), mtfs=mtfs)
    delivery = returns(
        ("S2", "2025-26", 300_000, 300_000),
        ("S1", "2026-27", 1_000_000, 500_000),
        ("S2", "2026-27", 450_000, 100_000),
    )
    judged = judge_savings(finance, delivery, NO_MILESTONES, NO_RISKS, TODAY)
    assert dict(zip(judged["proposal_id"], judged["status"], strict=True)) == {
        "S1": ON_TRACK,
        "S2": AT_RISK,
    }
    by_year = savings_by_year(finance, delivery, judged, TODAY)
    view = mtfs_by_year(mtfs, by_year, TODAY).set_index("year")
    assert view.at["2025-26", "forecast"] == 300_000  # the final return
    assert view.at["2026-27", "forecast"] == 1_450_000
    assert view.at["2026-27", "carried_forward"] == 100_000
    assert view.at["2027-28", "forecast"] == 2_800_000  # later years: the plan
    assert view.at["2026-27", "remaining_gap"] == 3e6 - 1_450_000
    # S2 slips: this year it keeps what it has delivered; next year gets this year's plan
    assert view.at["2026-27", "slip_forecast"] == 1_000_000 + 100_000
    assert view.at["2027-28", "slip_forecast"] == 2_000_000 + 600_000
    # Only S1 counts from this year on; the past stays as delivered
    assert view.at["2026-27", "on_track_forecast"] == 1_000_000 + 100_000
    assert view.at["2027-28", "on_track_forecast"] == 2_000_000
    assert view.at["2025-26", "on_track_forecast"] == 300_000
    # From this year to the last, the two tests part: a slipped saving still arrives next year
    horizon = mtfs_horizon(mtfs_by_year(mtfs, by_year, TODAY), "2026-27")
    assert horizon == {
        "first": "2026-27",
        "last": "2027-28",
        "gap": 7e6,
        "planned": 4_400_000,
        "forecast": 4_250_000,
        "remaining_gap": 2_750_000,
        "slip_gap": 3_300_000,
        "on_track_gap": 3_900_000,
    }
    groups = savings_by_group(by_year, judged, "directorate", TODAY).set_index("directorate")
    assert groups.at["families-communities", "planned"] == 600_000
    assert groups.at["families-communities", f"count_{AT_RISK}"] == 1
    assert groups.at["health-care", "slip_forecast"] == 1_000_000


def test_risks_are_scored_rated_and_checked_against_appetite_and_review() -> None:
    assert [rating(s) for s in (1, 4, 5, 9, 10, 16, 20, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "very_high",
        "very_high",
    ]
    register = RiskRegister(
        appetite=Appetite(default=12, categories={"safeguarding": 6}),
        risks=(
            risk("R1", 4, 4),
            risk("R2", 2, 4, category="safeguarding", review_date=date(2026, 11, 29)),
            risk("R3", 3, 4, review_date=TODAY),
        ),
    )
    item = proposal("S1", PLAN, risks=("R1",))
    judged = judge_risks(Finance(proposals=(item,), risk_register=register), TODAY)
    assert judged["risk_id"].tolist() == ["R1", "R3", "R2"]
    by_id = judged.set_index("risk_id")
    fields = ["score", "appetite", "above_appetite", "review_overdue", "days_overdue"]
    assert list(by_id.loc["R1", fields]) == [16, 12, True, False, 0]
    assert list(by_id.loc["R2", fields]) == [8, 6, True, True, 1]
    assert not by_id.at["R3", "above_appetite"] and not by_id.at["R3", "review_overdue"]
    assert by_id.at["R1", "savings"] == ("S1",)
    matrix = matrix_counts(judged, 12).set_index(["likelihood", "impact"])
    cells = matrix["risks"]
    assert len(cells) == 25 and cells.sum() == 3 and cells[(4, 4)] == 1
    assert matrix.at[(4, 4), "above_appetite"] and not matrix.at[(3, 4), "above_appetite"]


@pytest.mark.parametrize("bad", ["2019-21", "2019", "19-20"])
def test_a_plan_year_that_is_not_a_financial_year_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a financial year"):
        proposal("S1", {bad: 1.0}, first_planned="2019-20")


def test_an_mtfs_without_proposals_shows_the_whole_gap() -> None:
    mtfs = Mtfs(name="MTFS", gap={"2026-27": 2e6})
    finance = Finance(mtfs=mtfs)
    judged = judge_savings(finance, returns(), NO_MILESTONES, NO_RISKS, TODAY)
    view = mtfs_by_year(mtfs, savings_by_year(finance, returns(), judged, TODAY), TODAY)
    assert view[["year", "gap", "forecast", "remaining_gap"]].values.tolist() == [
        ["2026-27", 2e6, 0.0, 2e6]
    ]
