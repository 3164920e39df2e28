"""Unit tests for metrics.engine.spc (XmR charts with Making Data Count rules).

Expected numbers are worked out by hand in the comments. Constants used:
limits = mean +/- 2.66 * mrbar; near (2-sigma) lines = mean +/- 1.77333 * mrbar;
moving ranges >= 3.267 * mrbar are screened out once.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.engine.spc import POINT_TYPES, SpcResult, xmr

IMP = "special_cause_improvement"
CON = "special_cause_concern"
COM = "common_cause"
NEAR = 2.66 * 2 / 3


def flagged(result: SpcResult) -> list[int]:
    """Row positions of special-cause points."""
    return [int(i) for i in np.flatnonzero(result.points["special_cause"].to_numpy())]


def types(result: SpcResult, rows: list[int]) -> set[str]:
    """Distinct point types at the given rows."""
    return set(result.points["point_type"].iloc[rows])


# --- limits -----------------------------------------------------------------

SMALL = [10, 12, 11, 13, 14]
# mean = 60 / 5 = 12; moving ranges 2, 1, 2, 1 -> mrbar = 6 / 4 = 1.5
# (screen threshold 3.267 * 1.5 = 4.9, nothing dropped)
# upl = 12 + 2.66 * 1.5 = 15.99, lpl = 12 - 3.99 = 8.01
# near lines = 12 +/- 1.77333 * 1.5 = 12 +/- 2.66 -> 9.34 and 14.66


def test_limits_on_small_hand_computed_series() -> None:
    r = xmr(SMALL)
    p = r.points
    assert list(p["value"]) == SMALL
    assert p["mean"].tolist() == pytest.approx([12.0] * 5)
    assert p["upl"].tolist() == pytest.approx([15.99] * 5)
    assert p["lpl"].tolist() == pytest.approx([8.01] * 5)
    assert p["near_upper"].tolist() == pytest.approx([14.66] * 5)
    assert p["near_lower"].tolist() == pytest.approx([9.34] * 5)
    assert p["moving_range"].iloc[0] != p["moving_range"].iloc[0]  # NaN: no predecessor
    assert p["moving_range"].iloc[1:].tolist() == [2.0, 1.0, 2.0, 1.0]
    assert (r.mean, r.lpl, r.upl) == pytest.approx((12.0, 8.01, 15.99))
    assert flagged(r) == []
    assert r.variation == COM
    assert p["segment"].tolist() == [0] * 5
    for col in ("outside_limits", "in_run", "in_trend", "two_in_three", "special_cause"):
        assert p[col].dtype == bool


def test_accepts_numpy_and_pandas_input() -> None:
    from_list = xmr(SMALL)
    for values in (np.array(SMALL, dtype=float), pd.Series(SMALL, dtype="Float64")):
        assert xmr(values).upl == pytest.approx(from_list.upl)


JUMP = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40]
# sum = 6*10 + 5*11 + 40 = 155 -> mean = 155 / 12 = 12.9167
# moving ranges: ten 1s and one 30 -> mrbar = 40 / 11 = 3.636
# screen: 30 >= 3.267 * 3.636 = 11.88 is dropped -> mrbar = 10 / 10 = 1
# screened upl = 155/12 + 2.66 = 15.577; unscreened upl = 155/12 + 2.66*40/11 = 22.589


def test_screening_drops_big_moving_range_once() -> None:
    screened = xmr(JUMP)
    raw = xmr(JUMP, screen_outliers=False)
    assert screened.mean == pytest.approx(155 / 12)
    assert raw.mean == pytest.approx(155 / 12)  # screening never moves the process mean
    assert screened.upl == pytest.approx(155 / 12 + 2.66)
    assert screened.lpl == pytest.approx(155 / 12 - 2.66)
    assert raw.upl == pytest.approx(155 / 12 + 2.66 * 40 / 11)
    assert raw.lpl == pytest.approx(155 / 12 - 2.66 * 40 / 11)
    # The moving-range column always shows the unscreened range.
    assert screened.points["moving_range"].iloc[-1] == 30.0


def test_screening_is_not_iterated() -> None:
    # ranges: 1 x8, 5, 40. mrbar = 53/10 = 5.3, threshold 17.3 -> drop 40 only.
    # Second pass would use mrbar = 13/9 = 1.444 (threshold 4.7) and also drop 5;
    # a single pass keeps it: mrbar = 13 / 9.
    values = [0, 1, 0, 1, 0, 1, 0, 1, 0, 5, 45]
    assert xmr(values).upl == pytest.approx(np.mean(values) + 2.66 * 13 / 9)


def test_flat_series_has_zero_width_limits() -> None:
    r = xmr([5.0] * 12)
    assert (r.mean, r.lpl, r.upl) == (5.0, 5.0, 5.0)
    assert flagged(r) == []  # on the mean: no run, no trend, nothing outside


# --- rule 1: outside the limits --------------------------------------------

OUTSIDE = [1, 1, -1, -1] * 3 + [9] + [-1, -1, 1, 1] * 3 + [-9]
# mean = 0 (symmetric). Moving ranges: each 12-point block gives 0,2,0,... = 10,
# plus three jumps of 10 (-1->9, 9->-1, 1->-9): total 50 over 25 -> mrbar 2.
# Screen at 3.267 * 2 = 6.53 drops the three 10s -> mrbar = 20 / 22 = 0.909,
# so upl = 2.418 and lpl = -2.418; near lines +/- 1.612 leave the +/-1s alone.


def test_points_outside_limits_by_direction() -> None:
    r = xmr(OUTSIDE)
    assert r.mean == 0.0
    assert r.upl == pytest.approx(2.66 * 20 / 22)
    assert flagged(r) == [12, 25]
    assert r.points["outside_limits"].iloc[[12, 25]].all()
    assert r.points["point_type"].iloc[12] == IMP
    assert r.points["point_type"].iloc[25] == CON
    assert r.variation == CON

    dec = xmr(OUTSIDE, improvement="decrease")
    assert dec.points["point_type"].iloc[[12, 25]].tolist() == [CON, IMP]
    assert dec.variation == IMP

    neu = xmr(OUTSIDE, improvement="neutral")
    assert neu.points["point_type"].iloc[[12, 25]].tolist() == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]


# --- rule 2: runs -------------------------------------------------------------

RUN7 = [1, -1] * 4 + [2, 1, 2, 1, 2, 1, 2] + [-2, -1, -2, -1, -2, -1, -2]
# mean = 0 (the two runs are mirror images, sums 11 and -11).
# ranges: 7 x 2 = 14, -1->2 = 3, 6 x 1 = 6, 2->-2 = 4, 6 x 1 = 6 -> 33 / 21 = 1.571
# upl = 4.18, near line = 2.79: the 2s are inside both; alternation means no trends.
RUN6 = [1, -1] * 4 + [2, 1, 2, 1, 2, 1] + [-2, -1, -2, -1, -2, -1]
# mean 0; ranges 14 + 3 + 5 + 3 + 5 = 30 / 19 = 1.579, near line 2.80: nothing flagged.


def test_run_of_seven_flagged() -> None:
    r = xmr(RUN7)
    assert r.mean == 0.0
    assert r.upl == pytest.approx(2.66 * 33 / 21)
    assert flagged(r) == list(range(8, 22))
    assert r.points["in_run"].iloc[8:].all()
    assert types(r, list(range(8, 15))) == {IMP}
    assert types(r, list(range(15, 22))) == {CON}
    assert not r.points["in_trend"].any() and not r.points["outside_limits"].any()


def test_run_of_six_not_flagged_unless_run_length_six() -> None:
    assert flagged(xmr(RUN6)) == []
    assert flagged(xmr(RUN6, run_length=6)) == list(range(8, 20))


def test_point_exactly_on_mean_breaks_run() -> None:
    # Middle of each run replaced by 0, which is exactly the mean (sums 10 and -10).
    values = [1, -1] * 4 + [2, 1, 2, 0, 2, 1, 2] + [-2, -1, -2, 0, -2, -1, -2]
    r = xmr(values)
    assert r.mean == 0.0
    assert flagged(r) == []


def test_gap_does_not_break_run() -> None:
    values: list[float | None] = [*RUN7]
    values.insert(11, None)  # inside the high run
    r = xmr(values)
    assert len(r.points) == len(RUN7) + 1
    assert flagged(r) == [i for i in range(8, 23) if i != 11]
    gap = r.points.iloc[11]
    assert math.isnan(gap["value"]) and not gap["special_cause"]
    assert gap["point_type"] == COM


# --- rule 3: trends -----------------------------------------------------------

TREND7 = [3, 7, 3, 7, 1, 2, 3, 4, 5, 6, 7, 3, 7, 3]
# mean = (20 + 28 + 13) / 14 = 61/14 = 4.357
# ranges 4,4,4,6, six 1s, 4,4,4 = 36 / 13 = 2.769 -> upl 11.72, near 9.27, lpl -3.0
# 1..7 is 6 consecutive increases = 7 points; runs are at most 4 long.


def test_increasing_trend_of_seven_flagged() -> None:
    r = xmr(TREND7)
    assert r.mean == pytest.approx(61 / 14)
    assert flagged(r) == list(range(4, 11))
    assert r.points["in_trend"].iloc[4:11].all()
    # Trend points take the trend's direction, even the ones below the mean (1..4).
    assert types(r, list(range(4, 11))) == {IMP}
    assert types(xmr(TREND7, improvement="decrease"), list(range(4, 11))) == {CON}
    assert types(xmr(TREND7, improvement="neutral"), list(range(4, 11))) == {
        "special_cause_neutral_high"
    }


def test_increasing_trend_of_six_not_flagged() -> None:
    values = [3, 7, 3, 7, 1, 2, 3, 4, 5, 6, 3, 7, 3]  # 1..6: five increases
    assert flagged(xmr(values)) == []
    assert flagged(xmr(values, trend_length=6)) == list(range(4, 10))


def test_decreasing_trend_is_concern_when_increase_is_better() -> None:
    values = TREND7[::-1]  # 3,7,3,7,6,5,4,3,2,1,7,3,7,3: 7..1 at rows 3..9
    r = xmr(values)
    assert flagged(r) == list(range(3, 10))
    assert types(r, list(range(3, 10))) == {CON}
    assert types(xmr(values, improvement="decrease"), list(range(3, 10))) == {IMP}


def test_equal_values_break_a_trend() -> None:
    # 1,2,3,4 then 4 again then 4,5,6,7: two 3-step rises, never 6 in a row.
    # mean = 65/15 = 4.33, below-mean run is 1,2,3,4,4 (5 points).
    values = [3, 7, 3, 7, 1, 2, 3, 4, 4, 5, 6, 7, 3, 7, 3]
    assert flagged(xmr(values)) == []
    assert flagged(xmr(values, trend_length=4)) == list(range(4, 12))


PEAK = [9, 5, 9, 5, 9, 5] + [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1] + [9, 5, 9, 5, 9, 5]
# mean = (84 + 49) / 25 = 5.32; ranges 20 + 4 + 12 + 8 + 20 = 64 / 24 = 2.667
# limits 5.32 +/- 7.09, near 5.32 +/- 4.73 (0.59 .. 10.05): nothing outside or near.
# Longest same-side run is 6 (5,1,2,3,4,5), so only trend rules fire: rows 6..12
# rise, rows 12..18 fall, row 12 (the 7) is in both.


def test_trend_direction_classification_and_peak() -> None:
    r = xmr(PEAK)
    assert r.mean == pytest.approx(5.32)
    assert flagged(r) == list(range(6, 19))
    assert not r.points["in_run"].any()
    assert types(r, list(range(6, 12))) == {IMP}  # rising, though below the mean
    assert types(r, list(range(13, 19))) == {CON}  # falling, though 6 is above the mean
    # The peak belongs to both trends, so its side of the mean (7 > 5.32) decides.
    assert r.points["point_type"].iloc[12] == IMP
    assert xmr(PEAK, improvement="decrease").points["point_type"].iloc[12] == CON


def test_run_beats_trend_when_sides_conflict() -> None:
    # Rows 7..13 (-6, -3, ..., -0.5) rise for 7 points while sitting below the mean
    # (3/44 = 0.068), and rows 7..14 form a below-mean run of 8. Run says "low",
    # trend says "high": the side of the mean wins, so they are concerns.
    # ranges: 84 + 3 + 2.5 + 5.5 + 60 = 155 / 21 = 7.38: limits +/- 19.6.
    values = [6, -6] * 4 + [-3, -2.5, -2, -1.5, -1, -0.5, -6] + [6, -6, 6] * 2 + [6]
    r = xmr(values)
    assert r.mean == pytest.approx(3 / 44)
    assert flagged(r) == list(range(7, 15))
    assert r.points["in_trend"].iloc[7:14].all()
    assert types(r, list(range(7, 15))) == {CON}


# --- rule 4: two in three -----------------------------------------------------

TWO_IN_THREE = [1, 1, -1, -1] * 3 + [3, 2, 3] + [-1, -1, 1, 1] * 3 + [-3, -2, -3]
# mean 0. ranges: 10 per 12-point block (x2), -1->3 = 4, 1, 1, 3->-1 = 4,
# 1->-3 = 4, 1, 1 -> 20 + 10 + 6 = 36 over 29 -> mrbar 1.2414
# near lines +/- 1.77333 * 1.2414 = +/- 2.201, limits +/- 3.302:
# each 3 is in the near band, each 2 is not, nothing is outside.


def test_two_in_three_flags_only_points_in_band() -> None:
    r = xmr(TWO_IN_THREE)
    assert r.mean == 0.0
    assert r.points["near_upper"].iloc[0] == pytest.approx(NEAR * 36 / 29)
    assert flagged(r) == [12, 14, 27, 29]  # not the 2 / -2 between them
    assert r.points["two_in_three"].iloc[[12, 14, 27, 29]].all()
    assert r.points["point_type"].iloc[[12, 14, 27, 29]].tolist() == [IMP, IMP, CON, CON]


def test_two_near_points_on_opposite_sides_not_flagged() -> None:
    # 3 then -3 next to each other. ranges: 10 + 4 + 6 + 4 + 10 = 34 / 25 = 1.36;
    # screen at 4.44 drops the 6 -> mrbar = 28 / 24 = 7/6. Near line 2.069 and
    # limit 3.103, so both points are in the band, but on opposite sides.
    values = [1, 1, -1, -1] * 3 + [3, -3] + [1, 1, -1, -1] * 3
    r = xmr(values)
    assert r.points["near_upper"].iloc[0] == pytest.approx(NEAR * 7 / 6)
    assert r.points["value"].iloc[12] > r.points["near_upper"].iloc[12]
    assert r.points["value"].iloc[13] < r.points["near_lower"].iloc[13]
    assert flagged(r) == []


def test_two_near_points_with_middle_across_mean_not_flagged() -> None:
    # 3, -1, 3: two in band on the same side, but the window is not all above the
    # mean. ranges 48 / 29 = 1.655 -> near line 2.935, limit 4.40.
    values = [1, 1, -1, -1] * 3 + [3, -1, 3] + [-1, -1, 1, 1] * 3 + [-3, 1, -3]
    assert flagged(xmr(values)) == []


def test_point_beyond_limit_does_not_count_towards_two_in_three() -> None:
    # Like TWO_IN_THREE but with 6 / -6 in place of the first 3 / -3. Ranges:
    # 20 (blocks) + 7, 4, 1, 4 (around 6,2,3) + 7, 4, 1 (around -6,-2,-3) = 48 / 29;
    # screen at 3.267 * 48/29 = 5.41 drops both 7s -> mrbar 34 / 27 = 1.259:
    # near line 2.233, limit 3.350. So 6 is outside and 3 is in the band.
    # As in NHSRplotthedots, points beyond the limits are not in the near band, so the
    # 6 is special cause on its own and the 3 (alone in the band) stays common cause.
    values = [1, 1, -1, -1] * 3 + [6, 2, 3] + [-1, -1, 1, 1] * 3 + [-6, -2, -3]
    r = xmr(values)
    assert r.upl == pytest.approx(2.66 * 34 / 27)
    assert flagged(r) == [12, 27]
    assert r.points["outside_limits"].iloc[[12, 27]].all()
    assert not r.points["two_in_three"].any()


# --- rebasing, fixing, gaps -------------------------------------------------


def test_rebase_gives_each_segment_its_own_limits() -> None:
    # Segment 0: mean 1.5, ranges all 1; segment 1: mean 11.5, ranges all 1.
    # Without the rebase the 2 -> 11 jump would be a moving range.
    values = [1, 2, 1, 2, 1, 2, 11, 12, 11, 12, 11, 12]
    r = xmr(values, rebase_at=[6])
    p = r.points
    assert p["segment"].tolist() == [0] * 6 + [1] * 6
    assert p["mean"].tolist() == [1.5] * 6 + [11.5] * 6
    assert p["upl"].iloc[0] == pytest.approx(1.5 + 2.66)
    assert p["upl"].iloc[6] == pytest.approx(11.5 + 2.66)
    assert math.isnan(p["moving_range"].iloc[6])
    assert (r.mean, r.upl) == pytest.approx((11.5, 14.16))
    assert flagged(r) == []
    assert flagged(xmr(values)) != []  # one segment: the step change is special cause
    # short segments are reported as trial limits
    assert any(w.startswith("Trial limits from point 1: only 6 points") for w in r.warnings)
    assert r.segments == ((0, 6, 6, 5), (6, 12, 6, 11)) and r.trial


def test_rules_do_not_cross_rebase_boundary() -> None:
    # Rows 4..9 rise (6 points), but the rebase at 7 splits them into 3 + 3.
    values = [3, 7, 3, 7, 1, 2, 3, 4, 5, 6, 3, 7, 3]
    r = xmr(values, rebase_at=[7], trend_length=4)
    assert not r.points["in_trend"].any()


def test_fix_after_n_points_uses_only_baseline() -> None:
    # First 4 points: mean 1.5, ranges 1,1,1 -> mrbar 1 -> upl 4.16.
    # The later 10s do not move the limits and are outside them.
    values = [1, 2, 1, 2, 10, 10, 10]
    r = xmr(values, fix_after_n_points=4)
    assert r.points["mean"].tolist() == [1.5] * 7
    assert r.upl == pytest.approx(4.16)
    assert flagged(r) == [4, 5, 6]
    assert types(r, [4, 5, 6]) == {IMP}


def test_fix_after_n_points_applies_per_segment_and_skips_gaps() -> None:
    # Segment 0 baseline 1,2,1,2 (gap skipped): mean 1.5; segment 1: 5,6,5,6 -> 5.5.
    values = [1, None, 2, 1, 2, 50, 5, 6, 5, 6, 70]
    r = xmr(values, rebase_at=[6], fix_after_n_points=4)
    assert r.points["mean"].tolist() == [1.5] * 6 + [5.5] * 5
    assert r.points["upl"].iloc[-1] == pytest.approx(5.5 + 2.66)


def test_nan_gaps_are_skipped() -> None:
    with_gaps = [10, 12, None, 11, float("nan"), 13, 14]
    r = xmr(with_gaps)
    plain = xmr(SMALL)
    assert len(r.points) == len(with_gaps)
    assert (r.mean, r.lpl, r.upl) == pytest.approx((plain.mean, plain.lpl, plain.upl))
    # 12 -> (gap) -> 11: the range bridges the gap rather than treating it as zero.
    assert r.points["moving_range"].iloc[3] == 1.0
    gaps = r.points.iloc[[2, 4]]
    assert gaps["value"].isna().all()
    assert not gaps["special_cause"].any()
    assert set(gaps["point_type"]) == {COM}
    assert r.warnings == [
        "Trial limits: only 5 points, fewer than 12, so they may move as more figures arrive."
    ]
    assert r.segments == ((0, 7, 5, 6),) and r.trial


# --- assurance ----------------------------------------------------------------
# SMALL has lpl 8.01 and upl 15.99.


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("increase", 8.0, "consistent_pass"),
        ("increase", 16.0, "consistent_fail"),
        ("increase", 12.0, "inconsistent"),
        ("decrease", 16.0, "consistent_pass"),
        ("decrease", 8.0, "consistent_fail"),
        ("decrease", 12.0, "inconsistent"),
        ("neutral", 8.0, None),
        ("increase", None, None),
    ],
)
def test_assurance(improvement: str, target: float | None, expected: str | None) -> None:
    r = xmr(SMALL, improvement=improvement, target=target)
    assert r.assurance == expected
    if target is not None:
        assert r.points["target"].tolist() == [target] * 5


def test_target_exactly_on_a_limit_is_inconsistent() -> None:
    # NHSRplotthedots uses strict < lpl / > upl.
    r = xmr(SMALL)
    assert r.lpl is not None and r.upl is not None
    for direction in ("increase", "decrease"):
        for limit in (r.lpl, r.upl):
            assert xmr(SMALL, improvement=direction, target=limit).assurance == "inconsistent"


def test_assurance_uses_last_segment() -> None:
    # Segment 1 (11.5 +/- 2.66) is entirely above a target of 5.
    values = [1, 2, 1, 2, 1, 2, 11, 12, 11, 12, 11, 12]
    assert xmr(values, rebase_at=[6], target=5).assurance == "consistent_pass"
    assert xmr(values[:6], target=5).assurance == "consistent_fail"


# --- warnings, variation, errors -------------------------------------------


def test_warning_for_fewer_than_twelve_points() -> None:
    r = xmr(list(range(9)))
    assert (
        "Trial limits: only 9 points, fewer than 12, so they may move as more figures arrive."
        in r.warnings
    )
    assert r.trial
    steady = xmr([1, 2] * 6)
    assert steady.warnings == [] and not steady.trial


def test_warning_for_one_point_segment() -> None:
    values = [1, 2] * 6 + [3]
    r = xmr(values, rebase_at=[12])
    assert "The limits from point 13 have 1 point: limits need at least 2." in r.warnings
    assert math.isnan(r.points["upl"].iloc[-1])
    assert r.points["point_type"].iloc[-1] == COM
    assert (r.mean, r.lpl, r.upl, r.assurance) == (3.0, None, None, None)


def test_empty_and_all_gap_input() -> None:
    for values in ([], [None, None]):
        r = xmr(values)
        assert len(r.points) == len(values)
        assert r.variation is None and r.mean is None and r.assurance is None
        assert r.warnings[0].startswith("Only 0 points")
    assert {"value", "mean", "lpl", "upl", "point_type"} <= set(xmr([]).points.columns)


def test_variation_is_last_non_gap_point_type() -> None:
    r = xmr([*OUTSIDE, None])
    assert r.variation == CON == r.points["point_type"].iloc[-2]
    assert r.points["point_type"].iloc[-1] == COM
    assert set(r.points["point_type"]) <= set(POINT_TYPES)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"improvement": "up"},
        {"run_length": 1},
        {"trend_length": 1},
        {"run_length": 7.0},
        {"rebase_at": [12]},
        {"rebase_at": [-1]},
        {"rebase_at": ["3"]},
        {"fix_after_n_points": 1},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        xmr(SMALL * 2 + [1, 2], **kwargs)  # type: ignore[arg-type]


def test_result_is_frozen() -> None:
    r = xmr(SMALL)
    with pytest.raises(AttributeError):
        r.variation = "x"  # type: ignore[misc]


# --- cross-check against a literal, loop-based reading of the rules ---------


def naive_rules(
    values: list[float], run_length: int = 7, trend_length: int = 7
) -> dict[str, list[bool]]:
    """Straightforward window-by-window reading of the rules: one segment, no gaps."""
    n = len(values)
    mean = sum(values) / n
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, n)]
    mrbar = sum(ranges) / len(ranges)
    kept = [x for x in ranges if x < 3.267 * mrbar] if mrbar > 0 else ranges
    mrbar = sum(kept) / len(kept)
    side = [(x > mean) - (x < mean) for x in values]
    rules = {
        "outside_limits": [abs(x - mean) > 2.66 * mrbar for x in values],
        "in_run": [False] * n,
        "in_trend": [False] * n,
        "two_in_three": [False] * n,
    }
    for i in range(n - run_length + 1):
        window = side[i : i + run_length]
        if window[0] != 0 and all(s == window[0] for s in window):
            rules["in_run"][i : i + run_length] = [True] * run_length
    for i in range(n - trend_length + 1):
        w = values[i : i + trend_length]
        steps = [b - a for a, b in zip(w, w[1:], strict=False)]
        if all(s > 0 for s in steps) or all(s < 0 for s in steps):
            rules["in_trend"][i : i + trend_length] = [True] * trend_length
    for i in range(n - 2):
        for sgn in (1, -1):
            near = [
                sgn * (values[j] - mean) > NEAR * mrbar and not rules["outside_limits"][j]
                for j in range(i, i + 3)
            ]
            if all(side[j] == sgn for j in range(i, i + 3)) and sum(near) >= 2:
                for j, is_near in zip(range(i, i + 3), near, strict=True):
                    rules["two_in_three"][j] |= is_near
    return rules


def test_matches_naive_implementation_on_random_series() -> None:
    rng = np.random.default_rng(42)
    for _ in range(300):
        n = int(rng.integers(3, 60))
        # Rounding creates ties; level shifts and ramps make the rules fire.
        values = rng.normal(0, 1, n).round(1)
        values += np.repeat(rng.normal(0, 1.5, 3), -(-n // 3))[:n]
        if rng.random() < 0.3:
            values += np.linspace(0, 6, n)
        run_length, trend_length = int(rng.integers(3, 9)), int(rng.integers(3, 9))
        expected = naive_rules(values.tolist(), run_length, trend_length)
        got = xmr(values, run_length=run_length, trend_length=trend_length).points
        for rule, flags in expected.items():
            assert got[rule].tolist() == flags, rule
        combined = [any(f) for f in zip(*expected.values(), strict=True)]
        assert got["special_cause"].tolist() == combined


def test_rebased_series_equals_separate_series() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(10, 2, 30).round(1), rng.normal(20, 2, 25).round(1)
    whole = xmr(np.concatenate([a, b]), rebase_at=[30]).points
    for part, rows in ((a, slice(0, 30)), (b, slice(30, 55))):
        alone = xmr(part).points
        for col in ("mean", "upl", "special_cause", "point_type"):
            assert whole[col].iloc[rows].tolist() == alone[col].tolist()


def test_gaps_match_series_without_them() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(0, 1, 80).round(1) + np.linspace(0, 3, 80)
    gappy: list[float | None] = values.tolist()
    holes = [5, 6, 30, 79]
    for i in holes:
        gappy[i] = None
    kept = [i for i in range(80) if i not in holes]
    with_gaps = xmr(gappy).points.iloc[kept]
    without = xmr(values[kept]).points
    for col in ("upl", "special_cause", "point_type"):
        assert with_gaps[col].tolist() == without[col].tolist()
