"""Savings and risks on a real warehouse: flags raised and cleared by evaluation, and the read
model published to the public without what is internal."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.engine.evaluate import evaluate
from metrics.engine.savings import AT_RISK, ON_TRACK, WILL_NOT_DELIVER
from metrics.flags.finance_rules import (
    RISK_ABOVE_APPETITE,
    RISK_REVIEW_OVERDUE,
    SAVING_MILESTONE,
    SAVING_SHORTFALL,
)
from metrics.readmodel.finance import HIDDEN_RISK, finance_view
from metrics.registry.finance import Appetite, Finance, Mtfs, RiskRegister
from metrics.registry.loader import Registry
from tests.engine.test_savings_judgement import proposal, risk
from warehouse.flags import read_flags
from warehouse.milestones import upsert_milestones
from warehouse.savings import load_delivery

TODAY = date(2026, 11, 30)


def finance() -> Finance:
    """Three proposals (one public) and two risks (one public, one internal above appetite)."""
    return Finance(
        proposals=(
            proposal("S-ASC-01", {"2026-27": 2_000_000.0}, public=True, risks=("R2",)),
            proposal("S-ASC-02", {"2026-27": 1_000_000.0}, milestones=("cst-04",)),
            proposal("S-CS-01", {"2025-26": 500_000.0, "2026-27": 800_000.0}),
        ),
        mtfs=Mtfs(name="MTFS", gap={"2025-26": 1e6, "2026-27": 5e6}),
        risk_register=RiskRegister(
            appetite=Appetite(default=12),
            risks=(
                risk("R1", 2, 3, public=True, review_date=date(2026, 11, 1)),
                risk("R2", 4, 4),
            ),
        ),
    )


def returns(engine: sa.Engine, *rows: tuple[str, str, float, float], month: date) -> None:
    """Load one month's delivery returns."""
    frame = pd.DataFrame(
        [
            {
                "proposal_id": p,
                "financial_year": y,
                "as_at": month if y == "2026-27" else date(2026, 3, 31),
                "forecast": f,
                "delivered": d,
                "commentary": "Per the finance business partner.",
            }
            for p, y, f, d in rows
        ]
    )
    with engine.begin() as conn:
        load_delivery(conn, frame, run_id=None, now=datetime(2026, 11, 30, 9))


def tracker(engine: sa.Engine, forecast: date) -> None:
    """The one milestone a saving depends on, due 1 Jan 2027, forecast for `forecast`."""
    frame = pd.DataFrame(
        [
            {
                "id": "cst-04",
                "title": "Caseload management tool live",
                "programme": "Children's services transformation",
                "priority": None,
                "enabler": None,
                "portfolio": "children-young-people",
                "owner": "Assistant Director",
                "baseline_date": date(2027, 1, 1),
                "forecast_date": forecast,
                "completed_date": None,
                "status_note": None,
            }
        ]
    )
    with engine.begin() as conn:
        upsert_milestones(
            conn, frame, run_id=None, source_ref="tracker.xlsx", now=datetime(2026, 11, 30, 9)
        )


# October's returns: S-ASC-01 forecasts 95% of its plan (within tolerance), S-CS-01 a shortfall
OCTOBER = (
    ("S-ASC-01", "2026-27", 1_900_000, 900_000),
    ("S-ASC-02", "2026-27", 1_000_000, 400_000),
    ("S-CS-01", "2025-26", 500_000, 500_000),
    ("S-CS-01", "2026-27", 300_000, 100_000),
)


def evaluated_in_october(registry: Registry, engine: sa.Engine) -> Registry:
    """The registry with the fixture's finance, evaluated once October's returns are loaded."""
    council = replace(registry, finance=finance())
    returns(engine, *OCTOBER, month=date(2026, 10, 31))
    evaluate(council, engine, today=TODAY, now=datetime(2026, 11, 30, 10))
    return council


def rules_by_subject(engine: sa.Engine) -> dict[str, set[str]]:
    """The rules of every open flag on a saving or a risk, by subject."""
    found: dict[str, set[str]] = {}
    for kind in ("saving", "risk"):
        flags = read_flags(engine, open_only=True, subject_type=kind, today=TODAY)
        for subject, reasons in zip(flags["subject_id"], flags["reasons"], strict=True):
            found.setdefault(str(subject), set()).update(
                r["rule"] for r in json.loads(str(reasons or "[]"))
            )
    return found


def test_evaluation_raises_and_clears_saving_and_risk_flags(
    registry: Registry, engine: sa.Engine
) -> None:
    tracker(engine, date(2027, 4, 1))  # slipped by 90 days
    council = evaluated_in_october(registry, engine)
    assert rules_by_subject(engine) == {
        "S-ASC-02": {SAVING_MILESTONE},
        "S-CS-01": {SAVING_SHORTFALL},
        "R1": {RISK_REVIEW_OVERDUE},
        "R2": {RISK_ABOVE_APPETITE},
    }
    view = finance_view(council, engine, today=TODAY)
    status = dict(zip(view.savings["proposal_id"], view.savings["status"], strict=True))
    # S-ASC-01 is within tolerance but its risk R2 is above appetite
    assert status == {"S-ASC-01": AT_RISK, "S-ASC-02": AT_RISK, "S-CS-01": WILL_NOT_DELIVER}

    # Next month the milestone is back on plan and S-CS-01 recovers: their conditions clear
    tracker(engine, date(2027, 1, 1))
    returns(engine, ("S-CS-01", "2026-27", 800_000, 450_000), month=date(2026, 11, 30))
    evaluate(council, engine, today=TODAY, now=datetime(2026, 11, 30, 11))
    still = read_flags(engine, open_only=True, subject_type="saving", today=TODAY)
    cleared = still[still["condition_cleared_at"].notna()]
    assert set(cleared["subject_id"]) == {"S-ASC-02", "S-CS-01"}
    view = finance_view(council, engine, today=TODAY)
    recovered = view.proposal("S-CS-01") or {}
    assert (recovered["status"], recovered["delivered"]) == (ON_TRACK, 450_000)


def test_the_public_see_only_public_savings_and_risks(
    registry: Registry, engine: sa.Engine
) -> None:
    council = replace(registry, finance=finance())
    returns(engine, ("S-ASC-01", "2026-27", 2_000_000, 900_000), month=date(2026, 10, 31))
    internal = finance_view(council, engine, today=TODAY)
    public = finance_view(council, engine, today=TODAY, audience="public")
    assert len(internal.savings) == 3 and len(internal.mtfs) == 2
    assert public.savings["proposal_id"].tolist() == ["S-ASC-01"]
    assert public.risks["risk_id"].tolist() == ["R1"]
    assert public.mtfs.empty and public.proposal("S-ASC-02") is None
    # The judgement is the same; only the name of the internal risk is withheld
    shown = public.proposal("S-ASC-01") or {}
    assert shown["status"] == AT_RISK
    texts = [r.text for r in shown["reasons"]]
    assert texts == [HIDDEN_RISK]
    assert "R2" not in " ".join(texts)
