"""Tables on a real DuckDB file: idempotent creation, loads with revision history."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.observations import current_observations, load_observations, revision_history
from warehouse.schema import create_tables
from warehouse.tables import observations

REQUIRED = {
    "observations",
    "pipeline_runs",
    "rejected_rows",
    "milestones",
    "flags",
    "flag_events",
    "commentary",
}


def test_tables_are_created_idempotently(engine: sa.Engine) -> None:
    names = create_tables(engine)
    assert REQUIRED <= set(names)
    create_tables(engine)  # a second run changes nothing and does not fail
    inspector = sa.inspect(engine)
    assert REQUIRED <= set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("observations")}
    assert {
        "metric_id",
        "area_code",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "source_ref",
        "run_id",
        "loaded_at",
        "superseded_at",
    } <= columns


def _frame(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric_id": "claimant-rate",
            "area_code": "E10000028",
            "period_start": [date(2024, m, 1) for m in range(1, len(values) + 1)],
            "period_end": [date(2024, m, 28) for m in range(1, len(values) + 1)],
            "value": values,
        }
    )


def test_restated_value_supersedes_and_keeps_the_old_row(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        first = load_observations(conn, _frame([2.5, 2.6, 2.7]), run_id=1, now=datetime(2024, 5, 1))
    assert (first.loaded, first.superseded, first.unchanged) == (3, 0, 0)
    with engine.begin() as conn:
        again = load_observations(conn, _frame([2.5, 2.6, 2.7]), run_id=2, now=datetime(2024, 5, 2))
    assert (again.loaded, again.superseded, again.unchanged) == (0, 0, 3)
    with engine.begin() as conn:
        restated = load_observations(
            conn, _frame([2.5, 2.9, 2.7]), run_id=3, now=datetime(2024, 5, 3)
        )
    assert (restated.loaded, restated.superseded, restated.unchanged) == (1, 1, 2)

    current = current_observations(engine, ["claimant-rate"])
    assert current["value"].tolist() == [2.5, 2.9, 2.7]
    history = revision_history(engine, "claimant-rate")
    feb = history[pd.to_datetime(history["period_start"]) == pd.Timestamp(2024, 2, 1)]
    assert sorted(feb["value"].tolist()) == [2.6, 2.9]
    old = feb[feb["value"] == 2.6].iloc[0]
    assert old["superseded_at"] == pd.Timestamp(datetime(2024, 5, 3))


def _pipeline_frame(values: list[float | None], numerators: list[float | None]) -> pd.DataFrame:
    """Rows as a pipeline hands them over: codes and the file's name as categories."""
    months = range(1, len(values) + 1)
    return pd.DataFrame(
        {
            "metric_id": pd.Categorical(["claimant-rate"] * len(values)),
            "area_code": pd.Categorical(["E10000028"] * len(values)),
            "period_start": pd.to_datetime([date(2024, m, 1) for m in months]),
            "period_end": pd.to_datetime([date(2024, m, 28) for m in months]),
            "value": pd.array(values, dtype="float64"),
            "numerator": pd.array(numerators, dtype="float64"),
            "denominator": pd.array([None if n is None else 100.0 for n in numerators], "float64"),
            "is_benchmark": False,
            "source_ref": pd.Categorical(["return.csv"] * len(values)),
        }
    )


def test_one_load_of_new_restated_and_unchanged_rows_counts_each(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        load_observations(
            conn,
            _pipeline_frame([2.5, 2.6, None], [None, 26.0, 30.0]),
            run_id=1,
            now=datetime(2024, 5, 1),
        )
    # January and March unchanged (blank figures compare equal), February restated, April new
    with engine.begin() as conn:
        counts = load_observations(
            conn,
            _pipeline_frame([2.5, 2.9, None, 3.1], [None, 29.0, 30.0, None]),
            run_id=2,
            now=datetime(2024, 6, 1),
        )
    assert (counts.loaded, counts.superseded, counts.unchanged) == (2, 1, 2)
    current = current_observations(engine, ["claimant-rate"])
    assert current["value"].tolist()[:2] == [2.5, 2.9] and current["value"].isna().tolist()[2]
    assert current["numerator"].isna().tolist() == [True, False, False, True]
    assert current["source_ref"].tolist() == ["return.csv"] * 4
    history = revision_history(engine, "claimant-rate")
    assert len(history) == 5
    superseded = history[history["superseded_at"].notna()]
    assert superseded["value"].tolist() == [2.6]
    assert superseded["superseded_at"].tolist() == [pd.Timestamp(datetime(2024, 6, 1))]
    assert sorted(history["run_id"].tolist()) == [1, 1, 1, 2, 2]


def test_older_history_loads_whole_and_a_later_file_across_both_spans_still_revises(
    engine: sa.Engine,
) -> None:
    recent = _frame([2.5, 2.6, 2.7])
    older = recent.assign(
        period_start=[date(2023, m, 1) for m in (1, 2, 3)],
        period_end=[date(2023, m, 28) for m in (1, 2, 3)],
        value=[1.1, 1.2, 1.3],
    )
    with engine.begin() as conn:
        load_observations(conn, recent, run_id=1, now=datetime(2024, 5, 1))
    # Nothing current in 2023 yet: every row is new, and nothing of 2024 is touched
    with engine.begin() as conn:
        counts = load_observations(conn, older, run_id=2, now=datetime(2024, 5, 2))
    assert (counts.loaded, counts.superseded, counts.unchanged) == (3, 0, 0)
    # One file over both years: one figure restated in each, the rest unchanged
    both = pd.concat([older.assign(value=[1.1, 9.2, 1.3]), recent.assign(value=[2.5, 2.6, 9.7])])
    with engine.begin() as conn:
        counts = load_observations(conn, both, run_id=3, now=datetime(2024, 5, 3))
    assert (counts.loaded, counts.superseded, counts.unchanged) == (2, 2, 4)
    current = current_observations(engine, ["claimant-rate"])
    assert current["value"].tolist() == [1.1, 9.2, 1.3, 2.5, 2.6, 9.7]
    history = revision_history(engine, "claimant-rate")
    assert sorted(history.loc[history["superseded_at"].notna(), "value"]) == [1.2, 2.7]
    # A year whose only stored rows were superseded has nothing current: a load there is new
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE observations SET superseded_at = :at WHERE period_start < :cut"),
            {"at": datetime(2024, 5, 4), "cut": date(2024, 1, 1)},
        )
    with engine.begin() as conn:
        counts = load_observations(conn, older, run_id=4, now=datetime(2024, 5, 5))
    assert (counts.loaded, counts.superseded, counts.unchanged) == (3, 0, 0)
    assert current_observations(engine, ["claimant-rate"])["value"].tolist() == [
        1.1,
        1.2,
        1.3,
        2.5,
        2.6,
        9.7,
    ]


def test_failed_transaction_leaves_warehouse_unchanged(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        load_observations(conn, _frame([1.0, 2.0]), run_id=1, now=datetime(2024, 5, 1))
    try:
        with engine.begin() as conn:
            load_observations(conn, _frame([5.0, 6.0]), run_id=2, now=datetime(2024, 5, 2))
            raise RuntimeError("the source died half way")
    except RuntimeError:
        pass
    assert current_observations(engine)["value"].tolist() == [1.0, 2.0]
    assert len(revision_history(engine, "claimant-rate")) == 2


def _national(months: range, year: int, metrics: int, areas: int = 330) -> pd.DataFrame:
    """`metrics` measures for every English council in `months` of `year`."""
    keys = pd.MultiIndex.from_product(
        [
            [f"m-{m:02d}" for m in range(metrics)],
            [f"E07{a:06d}" for a in range(areas)],
            [pd.Timestamp(year, month, 1) for month in months],
        ],
        names=["metric_id", "area_code", "period_start"],
    ).to_frame(index=False)
    starts = keys["period_start"]
    return keys.assign(
        period_end=starts + pd.offsets.MonthEnd(0),
        value=(keys.index % 997).astype(float),
        source_ref=f"national-{year}.csv",
    )


def test_every_stored_row_has_its_own_id_and_its_own_figures_however_it_was_loaded(
    engine: sa.Engine,
) -> None:
    # Enough rows for DuckDB to store each load on several threads; PostgreSQL's way is one
    metrics = 40 if engine.dialect.name == "duckdb" else 2
    recent = _national(range(1, 13), 2024, metrics)
    older = _national(range(1, 13), 2023, metrics)
    restated = recent[recent["period_start"] == pd.Timestamp(2024, 12, 1)].assign(value=-1.0)
    loads = [(recent, (len(recent), 0, 0)), (older, (len(older), 0, 0))]
    loads.append((restated, (len(restated), len(restated), 0)))
    for run_id, (frame, counts) in enumerate(loads, start=1):
        with engine.begin() as conn:
            done = load_observations(conn, frame, run_id=run_id, now=datetime(2025, 1, run_id))
        assert (done.loaded, done.superseded, done.unchanged) == counts
    # A row written one at a time, as a form does, draws its id from the same sequence
    with engine.begin() as conn:
        conn.execute(
            observations.insert().values(
                metric_id="m-00",
                area_code="E10000028",
                period_start=date(2024, 1, 1),
                period_end=date(2024, 1, 31),
                value=1.0,
                loaded_at=datetime(2025, 1, 9),
            )
        )
        ids = conn.execute(sa.select(observations.c.id)).scalars().all()
    assert len(ids) == 2 * len(recent) + len(restated) + 1 == len(set(ids))
    # However DuckDB's threads stored them, each row keeps its own figures and its own id
    key = ["metric_id", "area_code", "period_start"]
    stored = current_observations(engine).set_index(key)
    kept = recent[recent["period_start"] < restated["period_start"].min()]
    wanted = pd.concat([older, kept, restated]).set_index(key)
    assert len(stored) == len(wanted) + 1
    joined = wanted.join(stored, suffixes=("", "_stored"), how="inner")
    assert len(joined) == len(wanted)
    assert (joined["value"] == joined["value_stored"]).all()
    assert (joined["source_ref"] == joined["source_ref_stored"]).all()
