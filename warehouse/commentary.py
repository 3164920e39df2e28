"""Commentary on a metric: the thread officers and councillors read beside the chart."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.frames import frame_of
from warehouse.tables import commentary

MAX_LENGTH = 4000


def add_comment(
    engine: sa.Engine,
    *,
    metric_id: str,
    author: str,
    body: str,
    area_code: str | None = None,
    period_start: date | None = None,
    visibility: str = "internal",
    now: datetime | None = None,
) -> int:
    """Store one comment and return its id; blank or over-long text is refused."""
    author, body = author.strip(), body.strip()
    if not author:
        raise ValueError("Give your name so readers know who wrote the comment.")
    if not body:
        raise ValueError("The comment is empty.")
    if len(body) > MAX_LENGTH:
        raise ValueError(f"The comment is {len(body)} characters; the limit is {MAX_LENGTH}.")
    if visibility not in {"public", "internal"}:
        raise ValueError(f"visibility must be 'public' or 'internal', not {visibility!r}")
    with engine.begin() as conn:
        return int(
            conn.execute(
                commentary.insert()
                .values(
                    metric_id=metric_id,
                    area_code=area_code,
                    period_start=period_start,
                    author=author,
                    body=body,
                    visibility=visibility,
                    created_at=now or datetime.now(),
                )
                .returning(commentary.c.id)
            ).scalar_one()
        )


# A drill-down's comments, asked on every view: compiled once (warehouse.compiled)
_COMMENTS = (
    sa.select(commentary)
    .where(commentary.c.metric_id == sa.bindparam("metric_id"))
    .order_by(commentary.c.created_at.desc(), commentary.c.id.desc())
)
_PUBLIC_COMMENTS = _COMMENTS.where(commentary.c.visibility == "public")


def comments_for(engine: sa.Engine, metric_id: str, *, public_only: bool = False) -> pd.DataFrame:
    """A metric's comments, newest first."""
    with engine.connect() as conn:
        return frame_of(conn, _PUBLIC_COMMENTS if public_only else _COMMENTS, metric_id=metric_id)


def set_visibility(engine: sa.Engine, comment_id: int, visibility: str) -> None:
    """Show a comment to the public, or to signed-in readers only."""
    if visibility not in {"public", "internal"}:
        raise ValueError(f"visibility must be 'public' or 'internal', not {visibility!r}")
    with engine.begin() as conn:
        conn.execute(
            commentary.update().where(commentary.c.id == comment_id).values(visibility=visibility)
        )
