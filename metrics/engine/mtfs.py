"""The MTFS view: the funding gap by year against savings planned, forecast and delivered.

Worked out here, once, from each proposal's plan and delivery by year
(metrics.engine.savings.savings_by_year) and its status this year:

- planned, forecast and delivered: summed over proposals (years before this one are what
  their final returns delivered; later years are the plan);
- carried forward: savings planned in earlier years and not delivered, outstanding at the
  start of the year;
- remaining gap: the gap less the forecast (a negative gap is savings beyond the gap);
- stress test "every saving at risk slips one year": a proposal at risk or that will not
  deliver keeps what it has delivered to date this year, and each later year gets the saving
  it planned for the year before (savings pushed beyond the last year drop off the view);
- stress test "only savings on track are delivered": from this year on, only proposals on track
  or delivered count; the others keep only what they have delivered to date.

The gap is the council's; for one directorate or portfolio the savings are shown without it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.engine.savings import AT_RISK, DELIVERED, ON_TRACK, WILL_NOT_DELIVER, current_year
from metrics.registry.finance import Mtfs, year_label, year_start

MTFS_COLUMNS = (
    "year",
    "gap",
    "capital_receipts",
    "planned",
    "forecast",
    "delivered",
    "carried_forward",
    "remaining_gap",
    "slip_forecast",
    "slip_gap",
    "on_track_forecast",
    "on_track_gap",
)
SLIPS = (AT_RISK, WILL_NOT_DELIVER)
COUNTS = (ON_TRACK, DELIVERED)


def _years(mtfs: Mtfs | None, by_year: pd.DataFrame) -> list[int]:
    starts = {year_start(y) for y in by_year["year"]}
    if mtfs is not None:
        starts |= {year_start(y) for y in mtfs.gap}
    return sorted(starts)


def _slipped(by_year: pd.DataFrame, this_year: int) -> pd.Series:
    """What each row counts for under 'every saving at risk slips one year'."""
    starts = by_year["year"].map(year_start)
    slips = by_year["status"].isin(SLIPS)
    # Each plan from this year on, moved to the year after
    later = by_year.loc[starts >= this_year, ["proposal_id", "year", "planned"]]
    later = later.assign(year=[year_label(year_start(y) + 1) for y in later["year"]])
    keys = by_year[["proposal_id", "year"]]
    moved = keys.merge(later, on=["proposal_id", "year"], how="left")["planned"]
    moved = pd.Series(moved.fillna(0.0).to_numpy(dtype="float64"), index=by_year.index)
    moved = moved.where(starts > this_year, by_year["delivered"])
    return by_year["forecast"].where(~slips | (starts < this_year), moved)


def _on_track_only(by_year: pd.DataFrame, this_year: int) -> pd.Series:
    """What each row counts for under 'only savings on track are delivered'."""
    starts = by_year["year"].map(year_start)
    kept = by_year["status"].isin(COUNTS) | (starts < this_year)
    fallback = by_year["delivered"].where(starts == this_year, 0.0)
    return by_year["forecast"].where(kept, fallback)


def mtfs_by_year(mtfs: Mtfs | None, by_year: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per year of the MTFS and the plans (MTFS_COLUMNS); no gap when `mtfs` is None."""
    this_year = year_start(current_year(today))
    years = _years(mtfs, by_year)
    if not years:
        return pd.DataFrame(columns=list(MTFS_COLUMNS))
    frame = by_year.assign(
        slip=_slipped(by_year, this_year) if len(by_year) else 0.0,
        only=_on_track_only(by_year, this_year) if len(by_year) else 0.0,
        start=by_year["year"].map(year_start),
    )
    sums = frame.groupby("start")[["planned", "forecast", "delivered", "slip", "only"]].sum()
    unrealised = frame[frame["start"] < this_year].groupby("start")["unrealised"].sum()
    rows = []
    for start in years:
        gap = mtfs.gap.get(year_label(start)) if mtfs is not None else None
        got = dict.fromkeys(sums.columns, 0.0)
        if start in sums.index:
            got.update({str(k): float(v) for k, v in sums.loc[start].to_dict().items()})
        forecast, slip, only = got["forecast"], got["slip"], got["only"]
        rows.append(
            {
                "year": year_label(start),
                "gap": gap,
                "capital_receipts": (
                    mtfs.capital_receipts.get(year_label(start)) if mtfs is not None else None
                ),
                "planned": got["planned"],
                "forecast": forecast,
                "delivered": got["delivered"],
                "carried_forward": float(unrealised[unrealised.index < start].sum()),
                "remaining_gap": None if gap is None else gap - forecast,
                "slip_forecast": slip,
                "slip_gap": None if gap is None else gap - slip,
                "on_track_forecast": only,
                "on_track_gap": None if gap is None else gap - only,
            }
        )
    return pd.DataFrame(rows, columns=list(MTFS_COLUMNS))


def savings_by_group(
    by_year: pd.DataFrame, judged: pd.DataFrame, group: str, today: date
) -> pd.DataFrame:
    """This year's savings by directorate or portfolio, with both stress tests and the count
    of proposals in each status (`count_at_risk`, ...)."""
    this_year = year_start(current_year(today))
    frame = by_year.assign(
        slip=_slipped(by_year, this_year) if len(by_year) else 0.0,
        only=_on_track_only(by_year, this_year) if len(by_year) else 0.0,
    )
    now = frame[frame["year"] == year_label(this_year)]
    sums = now.groupby(group)[["planned", "forecast", "delivered", "slip", "only"]].sum()
    carried = judged.groupby(group)["carried_forward"].sum()
    counts = judged.pivot_table(
        index=group, columns="status", values="proposal_id", aggfunc="count", fill_value=0
    ).reindex(columns=[WILL_NOT_DELIVER, AT_RISK, ON_TRACK, DELIVERED], fill_value=0)
    # Named apart from the amounts: 'delivered' is both a sum of money and a state
    counts = counts.add_prefix("count_")
    out = pd.concat([sums, carried.rename("carried_forward"), counts], axis=1).fillna(0.0)
    out = out.rename(columns={"slip": "slip_forecast", "only": "on_track_forecast"})
    out["proposals"] = judged.groupby(group).size()
    return out.reset_index().rename(columns={"index": group})


def mtfs_horizon(mtfs: pd.DataFrame, year: str) -> dict[str, float | str] | None:
    """The MTFS from `year` to its last year, added up: the gap, the forecast, the gap left, and
    the gap left under each stress test (in one year the two tests agree by definition; over
    the years ahead they part). None when no year from `year` on has a gap."""
    ahead = mtfs[(mtfs["year"].map(year_start) >= year_start(year)) & mtfs["gap"].notna()]
    if ahead.empty:
        return None
    totals: dict[str, float | str] = {
        column: float(ahead[column].astype("float64").sum())
        for column in ("gap", "planned", "forecast", "remaining_gap", "slip_gap", "on_track_gap")
    }
    totals["first"], totals["last"] = str(ahead["year"].iloc[0]), str(ahead["year"].iloc[-1])
    return totals
