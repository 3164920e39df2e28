"""Flags on savings and risks in the flag register: named by their titles, linked to their
pages, and found when the register is filtered by the portfolio they sit in."""

from __future__ import annotations

import sqlalchemy as sa

from metrics.flags.register import register
from metrics.registry.loader import Registry
from tests.engine.test_finance_flags import TODAY, evaluated_in_october


def test_saving_and_risk_flags_are_named_linked_and_kept_to_their_portfolio(
    registry: Registry, engine: sa.Engine
) -> None:
    council = evaluated_in_october(registry, engine)

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
