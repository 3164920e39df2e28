"""Which periods the SPC limits come from: the window shown, rebases, trial limits, and the
chart that says so (ticks by the measure's frequency, one legend entry for the limits)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from metrics.engine.periods import add_months, period_label
from metrics.engine.series import SPC_WINDOW, Rebase, series_view
from metrics.engine.series_layout import series_layout
from metrics.engine.series_words import limits_note, limits_sentences, shown_words
from metrics.engine.snapshot import spc_table
from metrics.engine.spc import xmr
from metrics.figures import period_ticks, spc_figure
from metrics.registry.loader import Registry

COUNTY = "E10000028"
MONTHLY = "claimant-rate"  # monthly, lower is better, no rebase in its definition
ANNUAL = "principal-roads-condition"  # financial years


def observations(metric_id: str, starts: list[date], values: list[float]) -> pd.DataFrame:
    """One series' current observations, as the warehouse returns them."""
    return pd.DataFrame(
        {
            "metric_id": metric_id,
            "area_code": COUNTY,
            "period_start": pd.to_datetime(starts),
            "value": values,
        }
    )


def months(count: int, first: date = date(2016, 4, 1)) -> list[date]:
    return [add_months(first, i) for i in range(count)]


# Ten years of a monthly rate: high in the early years, settled lower in the last five, so limits
# over the whole history would put the mean above every recent point
RISING = [6.0 + (i % 3) * 0.1 for i in range(60)] + [3.0 + (i % 4) * 0.1 for i in range(60)]


def test_the_default_window_is_the_latest_sixty_figures_and_the_limits_come_from_them(
    registry: Registry,
) -> None:
    metric = registry.metric(MONTHLY)
    starts = months(len(RISING))
    view = series_view(metric, observations(MONTHLY, starts, RISING), COUNTY, county=COUNTY)
    assert len(view.frame) == SPC_WINDOW
    assert view.frame["period_start"].iloc[0] == starts[-SPC_WINDOW]
    assert view.spc is not None
    assert view.spc.mean == pytest.approx(np.mean(RISING[-SPC_WINDOW:]))
    assert view.spc.variation == "common_cause"  # over the whole history: a long run below
    assert xmr(RISING, improvement="decrease").variation == "special_cause_improvement"
    assert limits_note(view) == "Mean and limits from Apr 2021 to Mar 2026 (60 points)"
    assert shown_words(view) == "Showing 60 points, Apr 2021 to Mar 2026."
    every = series_view(
        metric, observations(MONTHLY, starts, RISING), COUNTY, county=COUNTY, whole=True
    )
    assert len(every.frame) == len(RISING)
    assert limits_note(every) == "Mean and limits from Apr 2016 to Mar 2026 (120 points)"


def test_the_snapshot_reading_uses_the_same_window_as_the_chart(registry: Registry) -> None:
    metric = registry.metric(MONTHLY)
    starts = months(len(RISING))
    frame = observations(MONTHLY, starts, RISING).assign(target=np.nan)
    row = spc_table(registry, series_layout(frame)).iloc[0]
    view = series_view(metric, observations(MONTHLY, starts, RISING), COUNTY, county=COUNTY)
    assert view.spc is not None
    assert (row["variation"], row["lpl"], row["upl"]) == (
        view.spc.variation,
        pytest.approx(view.spc.lpl),
        pytest.approx(view.spc.upl),
    )


def test_a_range_ending_early_counts_the_points_drawn_and_does_not_call_the_last_the_latest(
    registry: Registry,
) -> None:
    metric = registry.metric(ANNUAL)
    starts = [date(2017 + i, 4, 1) for i in range(8)]  # 2017-18 to 2024-25
    values = [4.0, 4.2, 3.9, 4.1, 4.0, 4.3, 4.1, 3.8]
    rows = observations(ANNUAL, starts, values)
    view = series_view(metric, rows, COUNTY, date(2019, 4, 1), date(2023, 4, 1), county=COUNTY)
    assert view.frame["period"].tolist() == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert not view.shows_latest and view.latest_period == "2024-25"
    assert shown_words(view) == "Showing 5 points, 2019-20 to 2023-24."
    assert view.spc is not None and view.spc.trial
    assert view.spc.warnings[0].startswith("Trial limits: only 5 points")
    assert limits_note(view) == "Mean and trial limits from 2019-20 to 2023-24 (5 points)"
    assert limits_sentences(view)[-1] == (
        "Trial limits are worked out from fewer than 12 points, so they may move as more "
        "figures arrive."
    )


def test_a_recorded_rebase_starts_new_limits_with_who_and_why(registry: Registry) -> None:
    metric = registry.metric(MONTHLY)
    starts = months(len(RISING))
    rebase = Rebase(starts[90], "New work coach model", "Jo Bloggs", datetime(2026, 4, 2, 9, 30), 7)
    view = series_view(
        metric,
        observations(MONTHLY, starts, RISING),
        COUNTY,
        county=COUNTY,
        rebases={(MONTHLY, COUNTY): (rebase,)},
    )
    first, second = view.segments
    assert (first.first, first.last, first.points) == (starts[60], starts[89], 30)
    assert (second.first, second.points, second.rebase) == (starts[90], 30, rebase)
    assert view.frame["segment"].tolist() == [0] * 30 + [1] * 30
    assert view.spc is not None
    assert view.spc.mean == pytest.approx(np.mean(RISING[90:]))
    assert limits_sentences(view)[:3] == [
        "Mean and limits from Apr 2021 to Sep 2023 (30 points).",
        "Limits recalculated from Oct 2023: New work coach model (recorded by Jo Bloggs, "
        "2 Apr 2026).",
        "Mean and limits from Oct 2023 to Mar 2026 (30 points).",
    ]
    assert "Jo Bloggs" not in " ".join(limits_sentences(view, names=False))
    # A rebase before the periods shown changes nothing in them
    early = Rebase(starts[10], "Old change", "Jo Bloggs", None, 8)
    before = series_view(
        metric,
        observations(MONTHLY, starts, RISING),
        COUNTY,
        county=COUNTY,
        rebases={(MONTHLY, COUNTY): (early,)},
    )
    assert len(before.segments) == 1 and before.segments[0].rebase is None


def test_the_snapshot_uses_recorded_rebases(registry: Registry) -> None:
    starts = months(len(RISING))
    frame = observations(MONTHLY, starts, RISING).assign(target=np.nan)
    rebase = Rebase(starts[110], "Change", "Jo Bloggs")
    plain = spc_table(registry, series_layout(frame)).iloc[0]
    rebased = spc_table(registry, series_layout(frame), {(MONTHLY, COUNTY): (rebase,)}).iloc[0]
    assert rebased["upl"] != pytest.approx(plain["upl"])
    assert rebased["upl"] == pytest.approx(xmr(RISING[110:]).upl)


def test_ticks_follow_the_frequency() -> None:
    years = [date(2010 + i, 4, 1) for i in range(15)]
    labels = [period_label("annual", s) for s in years]
    ticks = period_ticks("annual", years, labels)
    assert ticks == [f"{y}-{(y + 1) % 100:02d}" for y in range(2010, 2025, 2)]
    quarters = [add_months(date(2019, 4, 1), 3 * i) for i in range(20)]
    labels = [period_label("quarterly", s) for s in quarters]
    assert period_ticks("quarterly", quarters, labels) == [
        "Q1 2019-20",
        "Q1 2020-21",
        "Q1 2021-22",
        "Q1 2022-23",
        "Q1 2023-24",
    ]
    monthly = months(60, date(2021, 4, 1))
    labels = [period_label("monthly", s) for s in monthly]
    assert period_ticks("monthly", monthly, labels) == [
        "Apr 2021",
        "Apr 2022",
        "Apr 2023",
        "Apr 2024",
        "Apr 2025",
    ]


def test_the_chart_names_its_limits_once_breaks_at_a_rebase_and_says_where_limits_come_from(
    registry: Registry,
) -> None:
    metric = registry.metric(MONTHLY)
    starts = months(len(RISING))
    rebase = Rebase(starts[90], "New work coach model", "Jo Bloggs", None, 7)
    view = series_view(
        metric,
        observations(MONTHLY, starts, RISING),
        COUNTY,
        county=COUNTY,
        rebases={(MONTHLY, COUNTY): (rebase,)},
    )
    figure = spc_figure(view)
    legend = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert legend.count("Process limits") == 1 and legend.count("Mean") == 1
    assert "Upper process limit" not in legend and "Limits recalculated" in legend
    limits = [t for t in figure["data"] if t["name"] == "Process limits"]
    assert len(limits) == 4  # upper and lower, for each set of limits: a break between them
    assert limits[0]["x"][-1] == "Sep 2023" and limits[2]["x"][0] == "Oct 2023"
    (shape,) = figure["layout"]["shapes"]
    assert shape["x0"] == 29.5  # between the last point of the old limits and the first new one
    notes = [a["text"] for a in figure["layout"]["annotations"]]
    assert notes == [
        "Limits recalculated",
        "Mean and limits from Apr 2021 to Sep 2023 (30 points); then mean and limits from "
        "Oct 2023 to Mar 2026 (30 points)",
    ]
    marker = next(t for t in figure["data"] if t["name"] == "Limits recalculated")
    assert marker["hovertext"] == [
        "Limits recalculated from Oct 2023: New work coach model (recorded by Jo Bloggs)"
    ]
    xaxis = figure["layout"]["xaxis"]
    assert xaxis["type"] == "category" and xaxis["ticktext"][0] == "Apr 2021"


def test_trial_limits_are_drawn_and_named_as_such(registry: Registry) -> None:
    metric = registry.metric(ANNUAL)
    starts = [date(2017 + i, 4, 1) for i in range(6)]
    view = series_view(
        metric,
        observations(ANNUAL, starts, [4.0, 4.2, 3.9, 4.1, 4.0, 4.3]),
        COUNTY,
        county=COUNTY,
    )
    figure = spc_figure(view)
    legend = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert "Trial limits" in legend and "Process limits" not in legend
    trial = next(t for t in figure["data"] if t["name"] == "Trial limits")
    assert trial["line"]["dash"] == "dot"
    assert figure["layout"]["xaxis"]["tickvals"] == [
        "2017-18",
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
    ]
