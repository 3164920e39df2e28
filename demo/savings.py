"""The demo finance team's savings delivery workbook: a return per proposal, year and month.

Earlier financial years have one row, the year's outturn (what was delivered is final, and a
few proposals fell short, so their savings carry forward). The current year has one row per
month end up to `as_of`, the forecast and the saving delivered to date growing through the
year. Each proposal in config/savings has a delivery profile by its id: most are on track,
some forecast a shortfall beyond the MTFS tolerance, one will deliver under half its plan and
two are already delivered in full. A proposal not listed here gets the on-track profile, so
the demo never breaks when the proposals change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from demo.drops import demo_path
from metrics.engine.periods import financial_year_start, month_end
from metrics.registry.finance import Finance, SavingsProposal, year_label, year_start
from pipelines.config import SAVINGS_HEADINGS, Pipeline
from pipelines.source_config import FileSource

SAVINGS_PIPELINE = "savings-delivery"
WORKBOOK_COLUMNS = [
    "Ref",
    "Saving",
    "Directorate",
    "Financial year",
    "Month",
    "Planned £",
    "Forecast £",
    "Delivered to date £",
    "Commentary",
]


@dataclass(frozen=True)
class Profile:
    """How a proposal delivers in the current year, month by month (month 1 is April)."""

    forecast: Callable[[int], float]  # share of the year's plan forecast, after n months
    delivered: Callable[[int], float]  # share of the year's plan delivered to date
    notes: tuple[str, str, str]  # commentary for April, May to September, and after


def _on_track(reason: str) -> Profile:
    return Profile(
        forecast=lambda n: 1.0,
        delivered=lambda n: n / 12,
        notes=(
            "Delivery plan agreed with the service; savings profiled evenly across the year.",
            f"On track. {reason}",
            f"On track to deliver in full. {reason}",
        ),
    )


def _at_risk(shortfall: float, reason: str, mitigation: str) -> Profile:
    return Profile(
        # Starts the year at plan, slipping over the first four months as the risk shows
        forecast=lambda n: 1.0 - shortfall * min(1.0, n / 4),
        delivered=lambda n: (1.0 - shortfall * min(1.0, n / 4)) * n / 12 * 0.9,
        notes=(
            "Early months behind profile; the service is reviewing the delivery plan.",
            f"Forecast shortfall of {shortfall:.0%}. {reason}",
            f"Forecast shortfall of {shortfall:.0%} against plan. {reason} Mitigation: "
            f"{mitigation}",
        ),
    )


def _will_not_deliver(reason: str, mitigation: str) -> Profile:
    return Profile(
        forecast=lambda n: max(0.4, 1.0 - 0.2 * n),
        delivered=lambda n: max(0.4, 1.0 - 0.2 * n) * n / 12 * 0.8,
        notes=(
            f"Forecast reduced. {reason}",
            f"Will not deliver in year: under half the planned saving is now forecast. {reason}",
            f"Will not deliver in year. {reason} Mitigation: {mitigation} The shortfall is "
            "reported to Cabinet in the budget monitoring report.",
        ),
    )


def _delivered(reason: str) -> Profile:
    return Profile(
        forecast=lambda n: 1.0,
        delivered=lambda n: 1.0 if n >= 2 else 0.5,
        notes=(
            f"Half the saving secured in April. {reason}",
            f"Delivered in full. {reason} Budgets reduced permanently.",
            f"Delivered in full. {reason} Budgets reduced permanently.",
        ),
    )


DEFAULT = _on_track("Savings tracked through the monthly budget monitoring.")
PROFILES: dict[str, Profile] = {
    "S-CS-01": _on_track("Online transactions at 71% against a 70% milestone."),
    "S-CS-02": _on_track("Two office disposals completed; tenancy income as planned."),
    "S-CS-03": _delivered("Senior management restructure effective from 1 April."),
    "S-EIS-01": _on_track("Contract efficiencies agreed with the highways provider."),
    "S-EIS-02": _delivered("Recycling centres contract re-let with the saving in the price."),
    "S-EIS-03": _at_risk(
        0.15,
        "Demand-responsive bus patronage below plan in two districts.",
        "two routes re-tendered from January; a further review at Cabinet in February.",
    ),
    "S-CF-01": _at_risk(
        0.12,
        "Agency social workers still 18% of the workforce; international recruits arrive late.",
        "the recruitment and retention package extended; a cap on agency rates.",
    ),
    "S-CF-02": _on_track("Edge-of-care team has prevented 14 high-cost placements."),
    "S-SEND-01": _will_not_deliver(
        "Home to school transport policy change delayed by the legal challenge to the "
        "consultation.",
        "route optimisation from January and a one-off drawdown from the SEND reserve.",
    ),
    "S-SEND-02": _on_track("New special school places open in September as planned."),
    "S-COM-01": _on_track("Nine libraries now community-managed."),
    "S-ASC-01": _on_track("Reablement outcomes above target; long-term admissions down."),
    "S-ASC-02": _on_track("Strengths-based reviews ahead of the review programme."),
    "S-ASC-03": _at_risk(
        0.18,
        "Care home fee uplift above the MTFS assumption; framework rates apply to new "
        "placements only.",
        "fee negotiations with the largest providers and more block-booked beds.",
    ),
    "S-ASC-04": _on_track("Twelve people moved into supported living since April."),
    "S-ASC-05": _on_track("Technology-enabled care packages in place for 640 people."),
}
# Earlier years that fell short: (proposal, share of the plan delivered at outturn)
SHORT_OUTTURNS: dict[str, float] = {
    "S-ASC-02": 0.85,
    "S-ASC-03": 0.8,
    "S-CF-01": 0.9,
    "S-SEND-01": 0.7,
}


def _pounds(amount: float) -> float:
    # Finance returns are to the nearest thousand pounds
    return float(round(amount / 1000) * 1000)


def _workbook_year(year: str) -> str:
    return year.replace("-", "/")  # the finance team writes 2026/27


def _row(
    proposal: SavingsProposal,
    year: str,
    as_at: date,
    planned: float,
    forecast: float,
    delivered: float,
    note: str,
) -> dict[str, object]:
    return {
        "Ref": proposal.id,
        "Saving": proposal.title,
        "Directorate": proposal.directorate.replace("-", " ").capitalize(),
        "Financial year": _workbook_year(year),
        "Month": datetime(as_at.year, as_at.month, as_at.day),
        "Planned £": planned,
        "Forecast £": _pounds(forecast),
        "Delivered to date £": _pounds(delivered),
        "Commentary": note,
    }


def _outturn(proposal: SavingsProposal, year: str, current: int) -> dict[str, object] | None:
    planned = proposal.plan.get(year, 0.0)
    if not planned:
        return None
    # Shortfalls in the two years before this one: the recent slippage behind today's risk
    share = SHORT_OUTTURNS.get(proposal.id, 1.0) if year_start(year) >= current - 2 else 1.0
    delivered = planned * share
    if share < 1.0:
        short = _pounds(planned - delivered)
        note = (
            f"Outturn: £{_pounds(delivered):,.0f} delivered of £{planned:,.0f} planned; the "
            f"£{short:,.0f} shortfall carries forward into {year_label(year_start(year) + 1)}."
        )
    else:
        note = "Outturn: delivered in full."
    year_end = date(year_start(year) + 1, 3, 31)
    return _row(proposal, year, year_end, planned, delivered, delivered, note)


def _this_year(proposal: SavingsProposal, current: int, as_of: date) -> list[dict[str, object]]:
    year = year_label(current)
    planned = proposal.plan.get(year, 0.0)
    if not planned:
        return []
    profile = PROFILES.get(proposal.id, DEFAULT)
    rows = []
    for month in range(1, 13):
        as_at = month_end(date(current + (month + 2) // 12, (month + 2) % 12 + 1, 1))
        if as_at > as_of:
            break
        stage = 0 if month == 1 else 1 if month <= 6 else 2  # April, to September, after
        rows.append(
            _row(
                proposal,
                year,
                as_at,
                planned,
                planned * profile.forecast(month),
                planned * profile.delivered(month),
                profile.notes[stage],
            )
        )
    return rows


def demo_delivery(finance: Finance, as_of: date) -> pd.DataFrame:
    """The finance team's savings delivery workbook as at `as_of`, one row per return."""
    current = financial_year_start(as_of).year
    rows: list[dict[str, object]] = []
    for proposal in finance.proposals:
        for start in range(year_start(proposal.first_planned), current):
            found = _outturn(proposal, year_label(start), current)
            if found is not None:
                rows.append(found)
        rows += _this_year(proposal, current, as_of)
    return pd.DataFrame(rows, columns=WORKBOOK_COLUMNS)


def demo_returns(finance: Finance, as_of: date) -> pd.DataFrame:
    """The same returns as `demo_delivery`, in the shape the warehouse stores them
    (warehouse.savings.load_delivery), for a warehouse built without the pipeline."""
    book = demo_delivery(finance, as_of)
    return pd.DataFrame(
        {
            "proposal_id": book["Ref"],
            "financial_year": [str(y).replace("/", "-") for y in book["Financial year"]],
            "as_at": [pd.Timestamp(m).date() for m in book["Month"]],
            "forecast": book["Forecast £"].astype("float64"),
            "delivered": book["Delivered to date £"].astype("float64"),
            "commentary": book["Commentary"],
        }
    )


def write_demo_delivery(frame: pd.DataFrame, pipeline: Pipeline, root: Path) -> Path:
    """Write the demo savings workbook where the savings pipeline reads it."""
    from openpyxl import Workbook

    assert isinstance(pipeline.source, FileSource)
    path = demo_path(pipeline.source, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A pipeline that maps a field to another heading reads it there
    headings = {h: pipeline.columns.get(field, h) for field, h in SAVINGS_HEADINGS.items()}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(pipeline.source.sheet or "Savings delivery")
    for _ in range(1, pipeline.source.header_row):
        sheet.append([])
    sheet.append([headings.get(c, c) for c in frame.columns])
    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
        sheet.append(list(row))
    book.save(path)
    return path
