"""Store and read savings delivery returns, keeping every restated figure as history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import savings_delivery

KEY = ("proposal_id", "financial_year", "as_at")
FIGURES = ("forecast", "delivered", "commentary")
DELIVERY_COLUMNS = [*KEY, *FIGURES]


def _day(value: Any) -> date:
    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, stamp.day)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "proposal_id": str(row["proposal_id"]),
            "financial_year": str(row["financial_year"]),
            "as_at": _day(row["as_at"]),
            "forecast": float(row["forecast"]),
            "delivered": float(row["delivered"]),
            "commentary": _text(row.get("commentary")),
        }
        for row in frame.to_dict("records")
    ]


def load_delivery(
    conn: sa.Connection, frame: pd.DataFrame, *, run_id: int | None, now: datetime
) -> tuple[int, int, int]:
    """Load validated returns inside the caller's transaction; (inserted, restated, unchanged).

    The key is (proposal_id, financial_year, as_at). A return identical to the current row
    changes nothing; a changed forecast, delivered figure or commentary supersedes the current
    row (kept, with `superseded_at` set) and the new one becomes current. Keys must be unique.
    """
    if frame.empty:
        return 0, 0, 0
    incoming = _records(frame)
    proposals = sorted({r["proposal_id"] for r in incoming})
    d = savings_delivery
    current = {
        (row.proposal_id, row.financial_year, row.as_at): row
        for row in conn.execute(
            sa.select(d).where(d.c.superseded_at.is_(None), d.c.proposal_id.in_(proposals))
        )
    }
    fresh: list[dict[str, Any]] = []
    restated: list[int] = []
    unchanged = 0
    for record in incoming:
        held = current.get(tuple(record[k] for k in KEY))
        if held is not None and all(getattr(held, f) == record[f] for f in FIGURES):
            unchanged += 1
            continue
        if held is not None:
            restated.append(held.id)
        fresh.append({**record, "run_id": run_id, "loaded_at": now})
    if restated:
        conn.execute(d.update().where(d.c.id.in_(restated)).values(superseded_at=now))
    if fresh:
        conn.execute(d.insert(), fresh)
    return len(fresh) - len(restated), len(restated), unchanged


def _frame(conn: sa.Connection, query: sa.Select[Any]) -> pd.DataFrame:
    rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=DELIVERY_COLUMNS)
    for column in ("forecast", "delivered"):
        frame[column] = frame[column].astype("float64")
    frame["commentary"] = pd.Series([_text(v) for v in frame["commentary"]], dtype=object)
    frame["as_at"] = [_day(v) for v in frame["as_at"]]
    return frame


def current_delivery(engine: sa.Engine) -> pd.DataFrame:
    """The latest return per proposal and financial year (unsuperseded, latest as_at)."""
    d = savings_delivery
    live = d.c.superseded_at.is_(None)
    latest = (
        sa.select(d.c.proposal_id, d.c.financial_year, sa.func.max(d.c.as_at).label("as_at"))
        .where(live)
        .group_by(d.c.proposal_id, d.c.financial_year)
        .subquery()
    )
    query = (
        sa.select(*(d.c[c] for c in DELIVERY_COLUMNS))
        .join(
            latest,
            sa.and_(
                d.c.proposal_id == latest.c.proposal_id,
                d.c.financial_year == latest.c.financial_year,
                d.c.as_at == latest.c.as_at,
            ),
        )
        .where(live)
        .order_by(d.c.proposal_id, d.c.financial_year)
    )
    with engine.connect() as conn:
        return _frame(conn, query)


def delivery_history(engine: sa.Engine, proposal_id: str) -> pd.DataFrame:
    """Every current return of one proposal, ordered by financial year and month."""
    d = savings_delivery
    query = (
        sa.select(*(d.c[c] for c in DELIVERY_COLUMNS))
        .where(d.c.superseded_at.is_(None), d.c.proposal_id == proposal_id)
        .order_by(d.c.financial_year, d.c.as_at)
    )
    with engine.connect() as conn:
        return _frame(conn, query)
