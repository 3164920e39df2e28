"""Where every return of a cycle stands, and how complete the cycle is by directorate and
portfolio: one read, shared by `pmf cycle status`, the cycle page and the reminder emails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from cycle.states import counts_as_returned, is_late
from metrics.registry.loader import Registry
from warehouse.returns import read_returns

# `pmf cycle status --format csv`: exactly these columns, in this order
CSV_COLUMNS = ["period", "metric_id", "area_code", "owner", "approver", "state", "due", "late"]


def cycle_status(
    registry: Registry,
    engine: sa.Engine,
    periods: Iterable[str] | None = None,
    *,
    today: date | None = None,
    owner: str | None = None,
    approver: str | None = None,
) -> pd.DataFrame:
    """Every return of the given periods (default: every open cycle), judged as at `today`.

    Columns: the CSV's, then returned, approved, the measure's name, directorate and
    portfolio, the area's name, the figures, commentary and note, and the return's id.
    """
    today = today or date.today()
    frame = read_returns(
        engine,
        periods=None if periods is None else list(periods),
        open_only=periods is None,
        owner=owner,
        approver=approver,
    )
    if frame.empty:
        return pd.DataFrame(columns=[*CSV_COLUMNS, "returned", "approved", "metric_name"])
    frame["due"] = pd.to_datetime(frame["due_date"]).dt.date
    frame["late"] = [
        is_late(state, due, today) for state, due in zip(frame["state"], frame["due"], strict=True)
    ]
    had_figure = frame["value"].notna() & frame["run_id"].notna()
    frame["returned"] = [
        counts_as_returned(s, bool(f)) for s, f in zip(frame["state"], had_figure, strict=True)
    ]
    frame["approved"] = had_figure.to_numpy(dtype=bool)
    names = {m.id: m for m in registry.metrics}

    def fact(metric_id: str, attribute: str) -> str:
        metric = names.get(metric_id)
        value = getattr(metric, attribute, None) if metric is not None else None
        return str(value) if value else ""

    frame["metric_name"] = [fact(m, "name") or m for m in frame["metric_id"]]
    frame["directorate"] = [fact(m, "directorate") for m in frame["metric_id"]]
    frame["portfolio"] = [fact(m, "portfolio") for m in frame["metric_id"]]
    frame["frequency"] = [fact(m, "frequency") for m in frame["metric_id"]]
    frame["area_name"] = [registry.area_name(code) for code in frame["area_code"]]
    return frame.rename(columns={"id": "return_id"})


def as_csv_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The status in the CSV's columns, with due as YYYY-MM-DD and late as true/false."""
    out = frame.reindex(columns=CSV_COLUMNS).copy()
    out["due"] = [d.isoformat() for d in out["due"]]
    out["late"] = np.where(out["late"].astype(bool), "true", "false")
    return out


def completeness(registry: Registry, frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """How complete the cycle is for each directorate or portfolio: returns, and the share
    returned, approved and late (0 to 1)."""
    if by not in ("directorate", "portfolio"):
        raise ValueError("completeness is by 'directorate' or 'portfolio'")
    if frame.empty:
        return pd.DataFrame(columns=[by, "name", "returns", "returned", "approved", "late"])
    grouped = frame.groupby(frame[by].replace("", "(none)"), sort=True).agg(
        returns=("state", "size"),
        returned=("returned", "mean"),
        approved=("approved", "mean"),
        late=("late", "mean"),
    )
    grouped = grouped.reset_index()
    grouped.insert(1, "name", [registry.name_of(by + "s", ident) or ident for ident in grouped[by]])
    total = pd.DataFrame(
        [
            {
                by: "",
                "name": "All returns",
                "returns": len(frame),
                "returned": float(frame["returned"].mean()),
                "approved": float(frame["approved"].mean()),
                "late": float(frame["late"].mean()),
            }
        ]
    )
    return pd.concat([grouped, total], ignore_index=True)
