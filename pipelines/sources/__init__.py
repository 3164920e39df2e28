"""Sources: file drops, HTTP endpoints and SQL queries, each read as batches of text rows."""

from __future__ import annotations

from pathlib import Path

from pipelines.source_config import FileSource, HttpSource, SqlSource
from pipelines.sources.base import Batch, LastState, SourceError, SourceRead
from pipelines.sources.files import read_files
from pipelines.sources.http import read_http
from pipelines.sources.sql import read_sql

__all__ = ["Batch", "SourceError", "SourceRead", "read_source"]


def read_source(
    source: FileSource | HttpSource | SqlSource,
    *,
    drop_root: Path,
    last_state: LastState,
    force: bool = False,
    numeric: tuple[str, ...] = (),
) -> SourceRead:
    """Read whatever is new at a source; `last_state` says what was loaded before.

    `numeric` names the columns the mapping reads as numbers, so CSV can parse them fast.
    """
    if isinstance(source, FileSource):
        return read_files(source, drop_root, last_state, force, numeric)
    if isinstance(source, HttpSource):
        return read_http(source, last_state, force, numeric)
    return read_sql(source, last_state, force)
