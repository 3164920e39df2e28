"""Flags on savings and risks in the flag register: named by their titles, linked to their
pages, and found when the register is filtered by the portfolio they sit in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import sqlalchemy as sa

from metrics.engine.evaluate import evaluate
from metrics.flags.register import register
from metrics.registry.loader import Registry
from tests.engine.test_finance_flags import TODAY, finance, returns


def test_saving_and_risk_flags_are_named_linked_and_kept_to_their_portfolio(
    registry: Registry, engine: sa.Engine
) -> None:
    council = replace(registry, finance=finance())
    returns(
        engine,
        ("S-ASC-01", "2026-27", 2_000_000, 900_000),
        ("S-ASC-02", "2026-27", 1_000_000, 400_000),
        ("S-CS-01", "2025-26", 500_000, 500_000),
        ("S-CS-01", "2026-27", 300_000, 100_000),
        month=date(2026, 10, 31),
    )
    evaluate(council, engine, today=TODAY, now=datetime(2026, 11, 30, 10))

    # Every proposal and risk of the fixture sits in the health and care portfolio
    flags = register(council, engine, portfolio="health-care-wellbeing", today=TODAY)
    named = {
        (str(r["subject_type"]), str(r["subject_id"])): (r["subject_name"], r["href"])
        for r in flags.to_dict("records")
        if r["subject_type"] in ("saving", "risk")
    }
    assert named == {
        ("saving", "S-CS-01"): ("Saving S-CS-01", "/savings/S-CS-01"),
        ("risk", "R1"): ("Risk R1", "/risks?risk=R1#risk-R1"),
        ("risk", "R2"): ("Risk R2", "/risks?risk=R2#risk-R2"),
    }
    elsewhere = register(council, engine, portfolio="finance", today=TODAY)
    assert not elsewhere["subject_type"].isin(["saving", "risk"]).any()
