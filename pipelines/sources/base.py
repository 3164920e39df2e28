"""What every source hands the pipeline: batches of text rows, and the sources left unchanged."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from warehouse.runs import SourceState

LastState = Callable[[str], SourceState | None]


class SourceError(Exception):
    """A source that cannot be read: missing, unreachable, refused or malformed."""


@dataclass(frozen=True)
class Batch:
    """One source unit (a file, a response, a query result) read as text rows."""

    ref: str
    frame: pd.DataFrame
    row_numbers: np.ndarray
    state: SourceState
    row_label: str = "row"

    def where(self, row_number: int) -> str:
        """A reference an officer can follow: 'waste/2023.csv row 14'."""
        return f"{self.ref} {self.row_label} {row_number}"


@dataclass(frozen=True)
class SourceRead:
    """What a source produced this run: new or changed batches, and refs skipped as unchanged."""

    batches: list[Batch] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    note: str | None = None


def content_hash(data: bytes) -> str:
    """SHA-256 of the bytes, as hex."""
    return hashlib.sha256(data).hexdigest()
