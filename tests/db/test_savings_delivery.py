"""Savings delivery returns in a real warehouse: restated months keep their history."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.savings import current_delivery, delivery_history, load_delivery
from warehouse.tables import savings_delivery

FIRST = datetime(2026, 11, 5, 9, 0)
SECOND = datetime(2026, 12, 4, 9, 0)


def returns(*rows: tuple[str, str, date, float, float, str | None]) -> pd.DataFrame:
    columns = ["proposal_id", "financial_year", "as_at", "forecast", "delivered", "commentary"]
    return pd.DataFrame(list(rows), columns=columns)


OCTOBER = returns(
    ("S-ASC-01", "2025-26", date(2026, 3, 31), 900_000, 900_000, "Outturn."),
    ("S-ASC-01", "2026-27", date(2026, 9, 30), 1_000_000, 400_000, None),
    ("S-ASC-01", "2026-27", date(2026, 10, 31), 950_000, 480_000, "Slower take-up."),
    ("S-HWY-02", "2026-27", date(2026, 10, 31), 250_000, 250_000, "Delivered in full."),
)


def test_returns_load_and_read_back_latest_per_year(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert load_delivery(conn, OCTOBER, run_id=1, now=FIRST) == (4, 0, 0)
    current = current_delivery(engine)
    assert current.to_dict("records") == [
        {
            "proposal_id": "S-ASC-01",
            "financial_year": "2025-26",
            "as_at": date(2026, 3, 31),
            "forecast": 900_000.0,
            "delivered": 900_000.0,
            "commentary": "Outturn.",
        },
        {
            "proposal_id": "S-ASC-01",
            "financial_year": "2026-27",
            "as_at": date(2026, 10, 31),
            "forecast": 950_000.0,
            "delivered": 480_000.0,
            "commentary": "Slower take-up.",
        },
        {
            "proposal_id": "S-HWY-02",
            "financial_year": "2026-27",
            "as_at": date(2026, 10, 31),
            "forecast": 250_000.0,
            "delivered": 250_000.0,
            "commentary": "Delivered in full.",
        },
    ]
    history = delivery_history(engine, "S-ASC-01")
    assert history["as_at"].tolist() == [date(2026, 3, 31), date(2026, 9, 30), date(2026, 10, 31)]
    assert history["commentary"].tolist()[1] is None


def test_a_restated_month_supersedes_and_keeps_the_old_figure(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        load_delivery(conn, OCTOBER, run_id=1, now=FIRST)
    restated = returns(
        ("S-ASC-01", "2025-26", date(2026, 3, 31), 900_000, 900_000, "Outturn."),
        ("S-ASC-01", "2026-27", date(2026, 10, 31), 900_000, 480_000, "Care package review late."),
        ("S-HWY-02", "2026-27", date(2026, 10, 31), 250_000, 250_000, "Delivered in full."),
        ("S-HWY-02", "2026-27", date(2026, 11, 30), 250_000, 250_000, "Delivered in full."),
    )
    with engine.begin() as conn:
        assert load_delivery(conn, restated, run_id=2, now=SECOND) == (1, 1, 2)
    with engine.begin() as conn:  # the same file again changes nothing
        assert load_delivery(conn, restated, run_id=3, now=SECOND) == (0, 0, 4)

    latest = current_delivery(engine).set_index(["proposal_id", "financial_year"])
    assert latest.loc[("S-ASC-01", "2026-27"), "forecast"] == 900_000
    assert latest.loc[("S-ASC-01", "2026-27"), "commentary"] == "Care package review late."
    assert latest.loc[("S-HWY-02", "2026-27"), "as_at"] == date(2026, 11, 30)
    with engine.connect() as conn:
        october = conn.execute(
            sa.select(savings_delivery)
            .where(
                savings_delivery.c.proposal_id == "S-ASC-01",
                savings_delivery.c.as_at == date(2026, 10, 31),
            )
            .order_by(savings_delivery.c.id)
        ).all()
    # Nothing overwritten: the first October return is kept, superseded when restated
    assert [(r.forecast, r.run_id, r.superseded_at) for r in october] == [
        (950_000, 1, SECOND),
        (900_000, 2, None),
    ]
    assert len(delivery_history(engine, "S-ASC-01")) == 3


def test_an_empty_warehouse_has_no_delivery(engine: sa.Engine) -> None:
    assert current_delivery(engine).empty
    assert list(delivery_history(engine, "S-ASC-01").columns) == [
        "proposal_id",
        "financial_year",
        "as_at",
        "forecast",
        "delivered",
        "commentary",
    ]
