"""SQL sources: a parameterised query against a line-of-business database."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pipelines.source_config import SqlSource
from pipelines.sources.base import Batch, LastState, SourceError, SourceRead, content_hash
from pipelines.tabular import cell_text, tidy
from warehouse.runs import SourceState


def source_url(source: SqlSource) -> str:
    """The database URL, from the YAML or from the named environment variable."""
    if source.url is not None:
        return source.url
    url = os.environ.get(source.url_env or "")
    if not url:
        raise SourceError(
            f"environment variable {source.url_env} is not set; it should hold the database URL"
        )
    return url


def sql_ref(source: SqlSource) -> str:
    """How the query is named in the run log (never with a password)."""
    try:
        shown = sa.engine.make_url(source_url(source)).render_as_string(hide_password=True)
    except (SourceError, sa.exc.ArgumentError):
        shown = source.url_env or "?"
    query = " ".join(source.query.split())
    return f"{shown} :: {query[:160]}"


def read_sql(source: SqlSource, last_state: LastState, force: bool) -> SourceRead:
    """Run the query; the same result as last time means unchanged."""
    ref = sql_ref(source)
    try:
        engine = sa.create_engine(source_url(source))
    except sa.exc.ArgumentError as exc:
        raise SourceError(f"not a valid database URL for the SQL source: {exc}") from None
    except ImportError as exc:
        raise SourceError(f"no database driver for the SQL source: {exc}") from None
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(source.query), source.params)
            columns = [str(c) for c in result.keys()]
            rows = [[cell_text(v) for v in row] for row in result]
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise SourceError(f"the SQL source query failed: {detail}") from None
    finally:
        engine.dispose()
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    digest = content_hash(frame.to_csv(index=False).encode("utf-8"))
    previous = None if force else last_state(ref)
    if previous is not None and previous.content_hash == digest:
        return SourceRead(unchanged=[ref])
    table = tidy(frame, np.arange(1, len(frame) + 1, dtype=np.int64), notes=False)
    state = SourceState(digest, None, None)
    return SourceRead([Batch(ref, table.frame, table.row_numbers, state, "result row")])
