"""The status snapshot reads alike on every backend, however it is fetched: dates as dates (None
where a row has none), whole numbers as int64, in metric and area order, as pandas reads it
through SQLAlchemy; read through its kept queries (compiled once), it frames exactly as the same
query built and compiled on every call does; the snapshot's version is the first markers of the
page version, which also says whether any figure is loaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from warehouse.frames import read_frame
from warehouse.observations import has_observations, load_observations
from warehouse.snapshot import (
    DATE_COLUMNS,
    INTEGER_COLUMNS,
    figures_loaded,
    page_version,
    read_snapshot,
    replace_snapshot,
    snapshot_version,
)
from warehouse.tables import status_snapshot


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric_id": ["rate", "count", "rate"],
            "area_code": ["E07000001", "E10000001", "E10000001"],
            "period_start": [date(2026, 9, 1), None, date(2026, 9, 1)],
            "period_end": [date(2026, 9, 30), None, date(2026, 9, 30)],
            "value": [12.5, None, 11.0],
            "target": [10.0, None, None],
            "rag": ["red", "no_data", "no_target"],
            "direction": ["worsening", None, "improving"],
            "direction_year": [None, None, "improving"],
            "ytd_value": [None, None, 40.0],
            "variation": ["special_cause_concern", None, "common_cause"],
            "assurance": [None, None, "consistent_fail"],
            "freshness": ["fresh", None, "stale"],
            "due_by": [date(2026, 11, 14), None, None],
            "open_flags": [2, 0, 0],
            "derived": [False, False, True],
        }
    )


def test_the_snapshot_reads_as_pandas_reads_it_through_sqlalchemy(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        replace_snapshot(conn, _rows(), computed_at=datetime(2026, 11, 30, 9, 15))
    read = read_snapshot(engine)
    s = status_snapshot
    with engine.connect() as conn:
        plain = pd.read_sql(sa.select(s).order_by(s.c.metric_id, s.c.area_code), conn)
    pd.testing.assert_frame_equal(read, plain)
    assert list(read["metric_id"]) == ["count", "rate", "rate"]
    assert read.at[0, "period_start"] is None and read.at[0, "due_by"] is None
    assert read.at[1, "due_by"] == date(2026, 11, 14)
    assert read["open_flags"].dtype == "int64"
    # Some areas only, as the overview reads the council's own rows
    county = read_snapshot(engine, area_codes=["E10000001"])
    assert list(county["metric_id"]) == ["count", "rate"]


def _built_each_time(
    engine: sa.Engine,
    metric_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The snapshot as read before its queries were kept: the query built and compiled anew,
    then dates made dates and whole numbers int64."""
    s = status_snapshot
    query = sa.select(s).order_by(s.c.metric_id, s.c.area_code)
    if metric_ids is not None:
        query = query.where(s.c.metric_id.in_(list(metric_ids)))
    if area_codes is not None:
        query = query.where(s.c.area_code.in_(list(area_codes)))
    with engine.connect() as conn:
        frame = read_frame(conn, query)
    for column in DATE_COLUMNS:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            days = frame[column].dt.date.astype(object)
            frame[column] = days.where(frame[column].notna(), None).astype(object)
    for column in INTEGER_COLUMNS:
        if pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = frame[column].astype("int64")
    return frame


ASKED: list[tuple[list[str] | None, list[str] | None]] = [
    (None, None),  # every row, as the data page reads it
    (None, ["E10000001"]),  # the council's own rows, as the overview reads them
    (None, ["E07000001"]),  # other values for the same query; NULL throughout some columns
    (["rate"], ["E10000001"]),  # some measures in the council's area, as a committee's page
    (["rate", "count"], None),
    (["count", "rate"], ["E10000001", "E07000001"]),
    (["nothing"], ["E10000001"]),  # none match
    ([], None),  # nothing asked for
    (None, []),
]


@pytest.mark.parametrize("stored", [False, True], ids=["empty", "rows"])
def test_the_kept_queries_frame_as_the_query_built_each_time(
    engine: sa.Engine, stored: bool
) -> None:
    if stored:
        with engine.begin() as conn:
            replace_snapshot(conn, _rows(), computed_at=datetime(2026, 11, 30, 9, 15))
    for metric_ids, area_codes in ASKED:
        read = read_snapshot(engine, metric_ids, area_codes)
        plain = _built_each_time(engine, metric_ids, area_codes)
        pd.testing.assert_frame_equal(read, plain, check_exact=True)
        # Missing alike too: a column with nothing in it holds None, not NaN, as it did
        for column in read.columns:
            assert [type(v) for v in read[column]] == [type(v) for v in plain[column]], column
        assert list(read.columns) == [c.name for c in status_snapshot.columns]
    if stored:
        # A second call with other values has its own rows, not the first call's
        assert list(read_snapshot(engine, area_codes=["E10000001"])["metric_id"]) == [
            "count",
            "rate",
        ]
        other = read_snapshot(engine, area_codes=["E07000001"])
        assert list(other["area_code"]) == ["E07000001"]
        assert other.at[0, "period_start"] == date(2026, 9, 1)


def test_the_snapshot_version_is_the_start_of_the_page_version(engine: sa.Engine) -> None:
    before = snapshot_version(engine)
    assert before == page_version(engine)[: len(before)]
    with engine.begin() as conn:
        replace_snapshot(conn, _rows(), computed_at=datetime(2026, 11, 30, 9, 15))
    after = snapshot_version(engine)
    assert after != before
    assert after == page_version(engine)[: len(after)]


def test_figures_count_as_loaded_once_any_is(engine: sa.Engine) -> None:
    assert not figures_loaded(engine) and not has_observations(engine)
    frame = pd.DataFrame(
        {
            "metric_id": ["rate"],
            "area_code": ["E10000001"],
            "period_start": [date(2026, 9, 1)],
            "period_end": [date(2026, 9, 30)],
            "value": [12.5],
        }
    )
    with engine.begin() as conn:
        load_observations(conn, frame, run_id=None, now=datetime(2026, 11, 30, 9))
    assert figures_loaded(engine) and has_observations(engine)


def test_the_snapshot_reads_in_key_order_however_its_rows_were_stored(engine: sa.Engine) -> None:
    # Rows written straight into the table, out of order (as a snapshot written before the
    # order was kept would lie): read in metric and area order all the same
    rows = _rows().assign(computed_at=datetime(2026, 11, 30, 9, 15))
    shuffled = rows.iloc[[2, 0, 1]]
    with engine.begin() as conn:
        conn.execute(status_snapshot.delete())
        for record in shuffled.astype(object).where(shuffled.notna(), None).to_dict("records"):
            conn.execute(status_snapshot.insert(), [{str(k): v for k, v in record.items()}])
    read = read_snapshot(engine)
    assert list(zip(read["metric_id"], read["area_code"], strict=True)) == [
        ("count", "E10000001"),
        ("rate", "E07000001"),
        ("rate", "E10000001"),
    ]
    assert list(read.index) == [0, 1, 2]
    assert list(read_snapshot(engine, area_codes=["E10000001"])["metric_id"]) == ["count", "rate"]
    # Replaced by the engine, the rows are stored in that order and read back as they lie
    with engine.begin() as conn:
        replace_snapshot(conn, _rows().iloc[[2, 1, 0]], computed_at=datetime(2026, 12, 1, 9))
    again = read_snapshot(engine)
    assert list(again["metric_id"]) == ["count", "rate", "rate"]
    assert list(again["area_code"]) == ["E10000001", "E07000001", "E10000001"]
