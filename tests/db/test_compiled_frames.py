"""The small reads a page view asks, compiled once (warehouse.frames.frame_of), frame exactly
what the same questions asked the plain way do (compiled by SQLAlchemy on every call), on
DuckDB and PostgreSQL: the same columns, dtypes, values and order, with rows, with NULLs and
with none; and a second call with other values gets its own rows, not the first call's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.flags.register import describe, metric_flags
from metrics.registry.loader import Registry
from warehouse.commentary import add_comment, comments_for
from warehouse.flags import OPEN_STATUSES, open_flags_of, read_flags
from warehouse.frames import read_frame
from warehouse.milestones import read_milestones
from warehouse.observations import restated_values
from warehouse.spc_rebases import REBASE_COLUMNS, read_rebases
from warehouse.tables import commentary, flags, milestones, observations, spc_rebases

TODAY = date(2026, 6, 15)
AT = datetime(2026, 3, 4, 5, 6, 7, 123456)


def _same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_exact=True)


# -- flags --------------------------------------------------------------------------------


def _add_flags(engine: sa.Engine) -> None:
    rows = [
        # (subject_type, subject_id, area, status, detail, due_date, owner, action, minutes)
        ("metric", "alpha", None, "open", None, None, None, None, 1),
        ("metric", "alpha", "E1", "action_planned", "late", date(2026, 1, 1), "Jo", "Fix", 2),
        ("metric", "alpha", "E2", "action_planned", "on time", date(2027, 1, 1), "Sam", "Do", 3),
        ("metric", "alpha", "E3", "acknowledged", "seen", None, "Jo", None, 4),
        ("metric", "alpha", "E4", "closed", "done", date(2025, 1, 1), "Jo", "Did", 5),
        ("metric", "alpha", "E5", "resolved", "fixed", None, None, None, 6),
        ("milestone", "alpha", None, "open", "same id, other kind", None, None, None, 7),
        ("metric", "beta", "E1", "open", "beta's", None, None, None, 8),
        ("metric", "gamma", "E1", "closed", "only closed", None, None, None, 9),
    ]
    with engine.begin() as conn:
        for kind, subject, area, status, detail, due, owner, action, minutes in rows:
            raised = datetime(2026, 2, 1, 9, minutes)
            conn.execute(
                flags.insert().values(
                    subject_type=kind,
                    subject_id=subject,
                    area_code=area,
                    rule="red_status",
                    status=status,
                    detail=detail,
                    raised_at=raised,
                    due_date=due,
                    owner=owner,
                    action=action,
                    updated_at=raised,
                    closed_at=raised if status == "closed" else None,
                )
            )


def test_one_subjects_open_flags_frame_as_read_flags_does(engine: sa.Engine) -> None:
    _add_flags(engine)
    for subject_type, subject in [
        ("metric", "alpha"),  # open, planned (overdue and not), acknowledged; NULLs
        ("metric", "beta"),  # one
        ("metric", "gamma"),  # only a closed flag: none
        ("metric", "nothing"),  # none ever
        ("milestone", "alpha"),  # the same id for another kind of subject
    ]:
        new = open_flags_of(engine, subject_type, subject, TODAY)
        old = read_flags(
            engine,
            open_only=True,
            subject_type=subject_type,
            subject_ids=[subject],
            today=TODAY,
        )
        _same(new, old)
    alpha = open_flags_of(engine, "metric", "alpha", TODAY)
    assert set(alpha["status"]) == set(OPEN_STATUSES)
    assert list(alpha["action_overdue"]) == [False, False, True, False]
    assert alpha["is_open"].all()
    assert list(open_flags_of(engine, "metric", "beta", TODAY)["detail"]) == ["beta's"]
    # Inside a caller's transaction, its own writes are seen
    with engine.begin() as conn:
        conn.execute(flags.delete().where(flags.c.subject_id == "beta"))
        assert open_flags_of(conn, "metric", "beta", TODAY).empty


def test_a_measures_flags_on_its_drill_down_are_as_before(
    engine: sa.Engine, registry: Registry
) -> None:
    _add_flags(engine)
    for subject in ["alpha", "beta", "nothing"]:
        old = read_flags(
            engine, open_only=True, subject_type="metric", subject_ids=[subject], today=TODAY
        )
        _same(metric_flags(registry, engine, subject, TODAY), describe(registry, engine, old))


def test_a_read_that_finds_nothing_hands_each_caller_a_frame_of_its_own(
    engine: sa.Engine, registry: Registry
) -> None:
    """The empty frames are made once and copied: what one caller does to its frame (a
    column added, another dropped) never shows in the next read's."""
    at = datetime(2026, 6, 16)
    for read in (
        lambda: metric_flags(registry, engine, "nothing", TODAY),
        lambda: open_flags_of(engine, "metric", "nothing", TODAY),
        lambda: read_rebases(engine, ["nothing"], in_force_at=at),
    ):
        first = read()
        expected = first.copy()
        first["scribbled"] = 1
        first.drop(columns=first.columns[0], inplace=True)
        _same(read(), expected)


# -- comments -----------------------------------------------------------------------------


def _plain_comments(engine: sa.Engine, metric_id: str, public_only: bool) -> pd.DataFrame:
    query = sa.select(commentary).where(commentary.c.metric_id == metric_id)
    if public_only:
        query = query.where(commentary.c.visibility == "public")
    with engine.connect() as conn:
        return pd.read_sql_query(
            query.order_by(commentary.c.created_at.desc(), commentary.c.id.desc()), conn
        )


def test_comments_frame_as_the_plain_query_does(engine: sa.Engine) -> None:
    add_comment(engine, metric_id="alpha", author="Jo", body="internal", now=AT)
    add_comment(
        engine,
        metric_id="alpha",
        author="Sam",
        body="public, with an area",
        area_code="E1",
        period_start=date(2026, 4, 1),
        visibility="public",
        now=datetime(2026, 3, 5),
    )
    add_comment(engine, metric_id="alpha", author="Al", body="public", visibility="public", now=AT)
    add_comment(engine, metric_id="beta", author="Jo", body="beta's", now=AT)
    for metric_id in ["alpha", "beta", "nothing"]:
        for public_only in [False, True]:
            new = comments_for(engine, metric_id, public_only=public_only)
            _same(new, _plain_comments(engine, metric_id, public_only))
    assert list(comments_for(engine, "alpha")["body"]) == [
        "public, with an area",
        "public",
        "internal",
    ]
    assert list(comments_for(engine, "alpha", public_only=True)["author"]) == ["Sam", "Al"]
    assert list(comments_for(engine, "beta")["body"]) == ["beta's"]
    assert comments_for(engine, "beta", public_only=True).empty


# -- rebases ------------------------------------------------------------------------------


def _plain_rebases(
    engine: sa.Engine, metric_ids: Sequence[str], in_force_at: datetime
) -> pd.DataFrame:
    table = spc_rebases
    query = (
        sa.select(*(table.c[name] for name in REBASE_COLUMNS))
        .where(
            table.c.metric_id.in_(list(metric_ids)),
            table.c.recorded_at < in_force_at,
            sa.or_(table.c.withdrawn_at.is_(None), table.c.withdrawn_at >= in_force_at),
        )
        .order_by(table.c.id)
    )
    with engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    if frame.empty:
        return pd.DataFrame(columns=REBASE_COLUMNS)
    frame["period_start"] = [pd.Timestamp(v).date() for v in frame["period_start"]]
    return frame


def test_one_measures_rebases_frame_as_the_plain_query_does(engine: sa.Engine) -> None:
    rows = [
        # (metric, area, recorded, withdrawn)
        ("alpha", "E1", datetime(2026, 1, 1), None),
        ("alpha", "E2", datetime(2026, 1, 2), datetime(2026, 2, 1)),  # withdrawn before
        ("alpha", "E3", datetime(2026, 1, 3), datetime(2026, 9, 1)),  # withdrawn after
        ("alpha", "E4", datetime(2026, 8, 1), None),  # recorded after
        ("beta", "E1", datetime(2026, 1, 4), None),
    ]
    with engine.begin() as conn:
        for metric, area, recorded, withdrawn in rows:
            conn.execute(
                spc_rebases.insert().values(
                    metric_id=metric,
                    area_code=area,
                    period_start=date(2025, 4, 1),
                    reason="New service model",
                    recorded_by="Jo",
                    recorded_at=recorded,
                    withdrawn_by="Sam" if withdrawn else None,
                    withdrawn_at=withdrawn,
                )
            )
    moments = [datetime(2026, 6, 16), datetime(2026, 10, 1), datetime(2025, 12, 31)]
    for metric_id in ["alpha", "beta", "nothing"]:
        for at in moments:
            new = read_rebases(engine, [metric_id], in_force_at=at)
            _same(new, _plain_rebases(engine, [metric_id], at))
    assert list(read_rebases(engine, ["alpha"], in_force_at=moments[0])["area_code"]) == [
        "E1",
        "E3",
    ]
    assert list(read_rebases(engine, ["beta"], in_force_at=moments[0])["area_code"]) == ["E1"]
    assert list(read_rebases(engine, ["alpha"], in_force_at=moments[1])["area_code"]) == [
        "E1",
        "E4",
    ]
    assert read_rebases(engine, ["alpha"], in_force_at=moments[2]).empty
    # Several measures still take the general way, and agree
    both = read_rebases(engine, ["alpha", "beta"], in_force_at=moments[0])
    _same(both, _plain_rebases(engine, ["alpha", "beta"], moments[0]))


# -- milestones ---------------------------------------------------------------------------


def _plain_milestones(engine: sa.Engine) -> pd.DataFrame:
    query = sa.select(milestones).order_by(milestones.c.programme, milestones.c.baseline_date)
    with engine.connect() as conn:
        return pd.read_sql_query(query, conn)


def test_milestones_frame_as_the_plain_query_does(engine: sa.Engine) -> None:
    _same(read_milestones(engine), _plain_milestones(engine))  # none stored
    with engine.begin() as conn:
        conn.execute(
            milestones.insert().values(
                id="m-2",
                title="Open the hub",
                programme="Libraries",
                priority="communities",
                owner="Jo",
                baseline_date=date(2026, 9, 1),
                forecast_date=date(2026, 10, 1),
                completed_date=None,
                run_id=3,
                updated_at=AT,
            )
        )
        conn.execute(
            milestones.insert().values(
                id="m-1",
                title="Sign the contract",
                programme="Libraries",
                baseline_date=date(2026, 3, 1),
                updated_at=AT,
            )
        )
        conn.execute(
            milestones.insert().values(
                id="m-3",
                title="Consult",
                programme="Adult care",
                baseline_date=date(2026, 5, 1),
                completed_date=date(2026, 4, 20),
                status_note="Done early",
                updated_at=AT,
            )
        )
    read = read_milestones(engine)
    _same(read, _plain_milestones(engine))
    assert list(read["id"]) == ["m-3", "m-1", "m-2"]


# -- restated values ----------------------------------------------------------------------


def _plain_restated(engine: sa.Engine, metric_id: str) -> pd.DataFrame:
    o = observations
    query = (
        sa.select(o)
        .where(o.c.metric_id == metric_id, o.c.superseded_at.is_not(None))
        .order_by(o.c.superseded_at.desc(), o.c.area_code, o.c.period_start.desc())
    )
    with engine.connect() as conn:
        return read_frame(conn, query)


def test_restated_values_frame_as_the_plain_query_does(engine: sa.Engine) -> None:
    rows = [
        # (metric, area, month, value, numerator, superseded)
        ("alpha", "E1", 4, 10.0, 5.0, datetime(2026, 6, 1)),
        ("alpha", "E1", 4, 11.0, None, None),  # the current value
        ("alpha", "E2", 5, None, None, datetime(2026, 6, 2)),
        ("alpha", "E1", 5, 12.5, 7.0, datetime(2026, 6, 2)),
        ("beta", "E1", 4, 3.0, 1.0, datetime(2026, 6, 3)),
        ("gamma", "E1", 4, 3.0, 1.0, None),  # never restated
    ]
    with engine.begin() as conn:
        for n, (metric, area, month, value, numerator, superseded) in enumerate(rows):
            conn.execute(
                observations.insert().values(
                    metric_id=metric,
                    area_code=area,
                    period_start=date(2026, month, 1),
                    period_end=date(2026, month, 28),
                    value=value,
                    numerator=numerator,
                    denominator=None,
                    is_benchmark=n % 2 == 0,
                    source_ref=None if n % 2 else f"drop-{n}.csv",
                    run_id=n or None,
                    loaded_at=AT,
                    superseded_at=superseded,
                )
            )
    for metric_id in ["alpha", "beta", "gamma", "nothing"]:
        _same(restated_values(engine, metric_id), _plain_restated(engine, metric_id))
    alpha = restated_values(engine, "alpha")
    assert list(zip(alpha["area_code"], alpha["value"].fillna(-1), strict=True)) == [
        ("E1", 12.5),
        ("E2", -1),
        ("E1", 10.0),
    ]
    assert list(restated_values(engine, "beta")["value"]) == [3.0]
    assert restated_values(engine, "gamma").empty
