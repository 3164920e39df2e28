"""The periods in which anything can be hidden from the public: every current own-area row of a
measure and period where some own figure or numerator is small, read alike however many
measures are asked for, and nothing at all (with every column) where no figure is small."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.observations import (
    SMALL_ROWS,
    current_observations,
    load_observations,
    periods_with_small_figures,
)

AREAS = ["E10000028", "E07000192", "E07000199"]
MONTHS = [date(2026, m, 1) for m in (6, 7, 8)]
BELOW = 5.0


def _rows(metric_id: str, values: list[list[float]], *, benchmark: bool = False) -> pd.DataFrame:
    """One row per area (`values` outer) and month (inner), a numerator the value's double."""
    codes = ["E10000007", "E10000018", "E06000016"] if benchmark else AREAS
    return pd.DataFrame(
        [
            {
                "metric_id": metric_id,
                "area_code": code,
                "period_start": month,
                "period_end": month.replace(day=28),
                "value": value,
                "numerator": value * 2,
                "denominator": 100.0,
                "is_benchmark": benchmark,
                "source_ref": "test.csv",
            }
            for code, figures in zip(codes, values, strict=True)
            for month, value in zip(MONTHS, figures, strict=True)
        ]
    )


def _load(engine: sa.Engine, *frames: pd.DataFrame, at: datetime) -> None:
    with engine.begin() as conn:
        load_observations(conn, pd.concat(frames, ignore_index=True), run_id=None, now=at)


def _oracle(engine: sa.Engine, metric_ids: list[str]) -> pd.DataFrame:
    """Every figure read, and the (measure, period) groups with a small one kept whole."""
    rows = current_observations(engine, metric_ids)
    small = (rows["value"] < BELOW) | (rows["numerator"] < BELOW)
    groups = rows.loc[small, ["metric_id", "period_start"]].drop_duplicates()
    kept = rows.merge(groups, on=["metric_id", "period_start"])
    ordered = kept.sort_values(["metric_id", "area_code", "period_start"])
    return ordered[list(SMALL_ROWS)].reset_index(drop=True)


def _same(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(found.columns) == list(SMALL_ROWS)
    assert [tuple(r) for r in found.astype(object).values] == [
        tuple(r) for r in expected.astype(object).values
    ]


BIG = [[40.0, 41.0, 42.0], [30.0, 31.0, 32.0], [20.0, 21.0, 22.0]]


def test_no_small_figure_reads_no_rows_but_every_column(engine: sa.Engine) -> None:
    # Small figures of other councils, and a small figure later restated, hide nothing
    _load(
        engine,
        _rows("rate", BIG),
        _rows("rate", [[1.0, 2.0, 3.0]] * 3, benchmark=True),
        _rows("count", [[40.0, 41.0, 42.0], [30.0, 2.0, 32.0], [20.0, 21.0, 22.0]]),
        at=datetime(2026, 9, 1),
    )
    _load(engine, _rows("count", BIG), at=datetime(2026, 10, 1))
    found = periods_with_small_figures(engine, ["rate", "count"], BELOW)
    assert found.empty
    assert {name: str(kind) for name, kind in found.dtypes.items()} == SMALL_ROWS


def test_a_small_figure_reads_its_period_for_every_area_of_the_measures_asked(
    engine: sa.Engine,
) -> None:
    # July's count is small in one district (its value) and August's in another (numerator)
    count = [[40.0, 41.0, 42.0], [30.0, 3.0, 32.0], [20.0, 21.0, 2.4]]
    _load(engine, _rows("rate", BIG), _rows("count", count), at=datetime(2026, 9, 1))
    found = periods_with_small_figures(engine, ["rate", "count"], BELOW)
    _same(found, _oracle(engine, ["rate", "count"]))
    assert len(found) == 6 and set(found["metric_id"]) == {"count"}
    assert {d.month for d in found["period_start"]} == {7, 8}
    # A measure not asked for is not read, though its periods hold the small figures
    assert periods_with_small_figures(engine, ["rate"], BELOW).empty
    # Asked among many measures (as the public overview asks for a whole register)
    many = [f"measure-{n:03d}" for n in range(300)] + ["count"]
    _same(periods_with_small_figures(engine, many, BELOW), _oracle(engine, ["count"]))
