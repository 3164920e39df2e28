"""Other councils' figures read apart from the council's own: the same comparisons as one read."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.engine.comparison_choice import comparison_choice
from metrics.readmodel.judged import read_model
from metrics.registry.loader import Registry
from warehouse.observations import benchmark_figures, current_observations, load_observations

METRIC = "asc-info-ease-users"  # annual, compared with the nearest neighbours
OWN = "E10000028"
OTHERS = ["E10000007", "E10000018", "E10000019", "E06000016", "E08000001"]


def _rows(values: dict[str, list[float]], benchmark: bool) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "metric_id": METRIC,
                "area_code": code,
                "period_start": date(2019 + n, 4, 1),
                "period_end": date(2020 + n, 3, 31),
                "value": value,
                "is_benchmark": benchmark,
                "source_ref": "oflog.csv",
            }
            for code, figures in values.items()
            for n, value in enumerate(figures)
        ]
    )


def in_key_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by area and period (a comparison's rows carry no order of their own)."""
    return frame.sort_values(["area_code", "period_start"], kind="stable").reset_index(drop=True)


def test_benchmark_figures_are_the_other_councils_current_rows_of_the_one_read(
    engine: sa.Engine, registry: Registry
) -> None:
    """Restated figures, a period after the as-at day and a copy of the council's own row
    as a benchmark row: the read model compares exactly what one read of every row gave."""
    others = {code: [60.0 + k, 61.5, 59.0 + k / 2, 70.0] for k, code in enumerate(OTHERS)}
    with engine.begin() as conn:
        load_observations(
            conn,
            pd.concat(
                [_rows({OWN: [62.0, 63.0, 64.0, 65.0]}, False), _rows(others, True)],
                ignore_index=True,
            ),
            run_id=None,
            now=datetime(2024, 1, 1),
        )
        restated = _rows({OTHERS[0]: [58.0, 61.5]}, True)
        load_observations(conn, restated, run_id=None, now=datetime(2024, 2, 1))

    found = benchmark_figures(engine, [METRIC])

    every = current_observations(engine, [METRIC], include_benchmark=True)
    expected = every[every["is_benchmark"]].reset_index(drop=True)
    # The same rows, in whatever order the database keeps them (DuckDB: as loaded)
    pd.testing.assert_frame_equal(
        in_key_order(found), expected[list(found.columns)], check_dtype=False
    )
    restated_rows = in_key_order(found)
    assert restated_rows.loc[restated_rows["area_code"] == OTHERS[0], "value"].iloc[0] == 58.0

    day = date(2023, 1, 1)  # the last period (ending March 2023) had not ended
    model = read_model(registry, engine, [METRIC], day, "internal")
    metric = registry.metric(METRIC)
    one_read = every[every["period_end"] <= pd.Timestamp(day)]
    choice = comparison_choice(registry, metric, model.compared)
    before = comparison_choice(registry, metric, one_read)
    assert [c.group.id for c in choice.comparisons] == [c.group.id for c in before.comparisons]
    for ours, theirs in zip(choice.comparisons, before.comparisons, strict=True):
        pd.testing.assert_frame_equal(ours.by_period, theirs.by_period)
        pd.testing.assert_frame_equal(
            in_key_order(ours.values), in_key_order(theirs.values), check_dtype=False
        )
    assert len(choice.comparisons[0].by_period) == 3


def test_a_measure_without_a_benchmark_reads_no_other_council(
    engine: sa.Engine, registry: Registry
) -> None:
    """Other councils' rows of a measure that is never compared are not read: it offers no
    comparison either way."""
    metric = registry.metric("looked-after-children-rate")
    assert metric.benchmark is None
    rows = pd.concat(
        [_rows({OWN: [60.0, 61.0]}, False), _rows({OTHERS[0]: [50.0, 51.0]}, True)],
        ignore_index=True,
    ).assign(metric_id=metric.id)
    with engine.begin() as conn:
        load_observations(conn, rows, run_id=None, now=datetime(2024, 1, 1))

    model = read_model(registry, engine, [metric.id], date(2024, 1, 1), "internal")

    assert model.benchmarks.empty
    assert len(model.observations) == 2
    every = current_observations(engine, [metric.id], include_benchmark=True)
    assert comparison_choice(registry, metric, every).comparisons == ()
    assert comparison_choice(registry, metric, model.compared).comparisons == ()


def test_one_measures_rows_read_alike_however_many_measures_are_asked_for(
    engine: sa.Engine,
) -> None:
    """On DuckDB a read of one measure leaves out the columns every row shares and puts them
    back: the same frame, column for column and type for type, as a read naming two."""
    others = {code: [60.0 + k, 61.5, 59.0 + k / 2] for k, code in enumerate(OTHERS)}
    with engine.begin() as conn:
        load_observations(
            conn,
            pd.concat(
                [_rows({OWN: [62.0, 63.0, 64.0]}, False), _rows(others, True)],
                ignore_index=True,
            ),
            run_id=None,
            now=datetime(2024, 1, 1),
        )
    for read in (
        lambda ids: current_observations(engine, ids),
        lambda ids: current_observations(engine, ids, include_benchmark=True),
        lambda ids: current_observations(engine, ids, area_codes=[OWN, OTHERS[0]]),
        lambda ids: benchmark_figures(engine, ids),
    ):
        one = read([METRIC])
        assert len(one) and set(one["metric_id"]) == {METRIC}
        pd.testing.assert_frame_equal(one, read([METRIC, "no-such-measure"]))
        # Nothing found, or nothing asked for: the same empty frame every way
        nothing = read(["no-such-measure"])
        pd.testing.assert_frame_equal(nothing, read(["no-such-measure", "nor-this"]))
        pd.testing.assert_frame_equal(nothing, read([]))
    mixed = current_observations(engine, [METRIC], include_benchmark=True)
    assert mixed["is_benchmark"].sum() == len(OTHERS) * 3 and (~mixed["is_benchmark"]).sum() == 3
