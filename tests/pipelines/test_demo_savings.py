"""The demo finance team's savings workbook: loaded through the real pipeline, with a picture
of delivery a finance business partner would recognise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from demo.savings import demo_delivery
from metrics.registry.finance import Finance, SavingsProposal, year_label
from metrics.registry.loader import Registry
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import runs
from warehouse.savings import current_delivery, delivery_history

AS_OF = date(2024, 11, 25)
TOLERANCE, WILL_NOT_DELIVER = 0.95, 0.5


def this_year(registry: Registry, as_of: date) -> pd.DataFrame:
    """Each proposal's latest return for the year of `as_of`, with its plan for the year."""
    frame = demo_delivery(registry.finance, as_of)
    year = year_label(as_of.year if as_of.month >= 4 else as_of.year - 1).replace("-", "/")
    rows = frame[frame["Financial year"] == year]
    return rows.groupby("Ref").tail(1).set_index("Ref")


def test_the_demo_year_has_proposals_on_track_at_risk_failing_and_delivered(
    registry: Registry,
) -> None:
    assert registry.finance.proposals, "the demo config has savings proposals"
    # The last month reported is the last to end by as_of: October, then November
    for as_of, last in ((AS_OF, 10), (date(2026, 11, 30), 11)):
        latest = this_year(registry, as_of)
        share = latest["Forecast £"] / latest["Planned £"]
        delivered = latest["Delivered to date £"] >= latest["Planned £"]
        will_not = share < WILL_NOT_DELIVER
        at_risk = (share < TOLERANCE) & ~will_not
        on_track = ~(will_not | at_risk | delivered)
        assert will_not.sum() == 1, as_of
        assert 2 <= at_risk.sum() <= 4, as_of
        assert 1 <= delivered.sum() <= 2, as_of
        assert on_track.sum() > len(latest) / 2, as_of
        # Every month end from April to the last by as_of has a return
        months = demo_delivery(registry.finance, as_of)
        months = months[months["Ref"] == latest.index[0]]["Month"].tail(last - 3)
        assert [m.month for m in months] == list(range(4, last + 1))


def test_earlier_years_are_outturns_and_some_fell_short(registry: Registry) -> None:
    frame = demo_delivery(registry.finance, AS_OF)
    earlier = frame[frame["Financial year"] != "2024/25"]
    assert (earlier["Forecast £"] == earlier["Delivered to date £"]).all()
    assert {(m.month, m.day) for m in earlier["Month"]} == {(3, 31)}
    short = earlier[earlier["Delivered to date £"] < earlier["Planned £"]]
    assert 0 < short["Ref"].nunique() < len(registry.finance.proposals) / 2
    assert short["Commentary"].str.contains("carries forward").all()
    # The same day always gives the same workbook
    pd.testing.assert_frame_equal(frame, demo_delivery(registry.finance, AS_OF))


def test_a_proposal_the_demo_does_not_know_gets_the_default_profile() -> None:
    new = SavingsProposal(
        id="S-NEW-09",
        title="A saving added after the demo was written",
        directorate="corporate-services",
        portfolio="leader",
        owner="Director of Finance",
        programme="Fit for the Future",
        first_planned="2023-24",
        plan={"2023-24": 100_000.0, "2024-25": 240_000.0},
    )
    frame = demo_delivery(Finance(proposals=(new,)), AS_OF)
    assert frame["Financial year"].tolist() == ["2023/24"] + ["2024/25"] * 7
    latest = frame.iloc[-1]
    assert (latest["Forecast £"], latest["Delivered to date £"]) == (240_000, 140_000)


def test_the_demo_workbook_loads_through_the_savings_pipeline(
    registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    from demo.savings import SAVINGS_PIPELINE, write_demo_delivery
    from pipelines.config import load_pipelines

    frame = demo_delivery(registry.finance, AS_OF)
    pipeline = load_pipelines(registry)[SAVINGS_PIPELINE]
    path = write_demo_delivery(frame, pipeline, tmp_path / "drops")
    assert path == tmp_path / "drops" / "savings" / "demo.xlsx"
    result = run_pipeline(registry, engine, pipeline, drop_folder=tmp_path / "drops")
    assert result.status == "succeeded", result.summary()
    assert (result.rows_loaded, result.rows_rejected) == (len(frame), 0)
    assert runs(engine).iloc[-1]["rows_loaded"] == len(frame)

    current = current_delivery(engine)
    assert len(current) == frame.groupby(["Ref", "Financial year"]).ngroups
    history = delivery_history(engine, "S-SEND-01")
    assert history["financial_year"].iloc[-1] == "2024-25"
    assert history["as_at"].iloc[-1] == date(2024, 10, 31)
    assert "Will not deliver in year" in str(history["commentary"].iloc[-1])
