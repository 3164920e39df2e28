"""What the built-in pipelines (`returns`, `derived`) share: figures PMF holds itself, put
through a pipeline's mapping, checks and load as if a file had sent them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.config import Pipeline
from pipelines.sources.base import Batch, content_hash
from warehouse.runs import SourceState


def built_in_pipeline(
    pipeline_id: str,
    name: str,
    description: str,
    path: str,
    metrics: tuple[str, ...],
    figures: tuple[str, ...],
) -> Pipeline:
    """A built-in pipeline of `metrics` reading a batch of metric, area, period and `figures`."""
    return Pipeline.model_validate(
        {
            "id": pipeline_id,
            "name": name,
            "description": description,
            "owner": "Performance team",
            "source": {"kind": "file", "path": path},
            # A pipeline names at least one measure, even when none is entered or derived
            "metrics": metrics or ("none",),
            "lag_days": 30,
            "mapping": {
                "metric": {"column": "metric"},
                "area": {"column": "area"},
                "period": {"column": "period", "format": "date"},
                **{figure: figure for figure in figures},
            },
        }
    )


def text_batch(frame: pd.DataFrame, ref: str, row_label: str) -> Batch:
    """A batch of text rows PMF made itself, numbered from 1 and known by its content's hash."""
    digest = content_hash(frame.to_csv(index=False).encode())
    return Batch(
        ref=ref,
        frame=frame,
        row_numbers=np.arange(1, len(frame) + 1),
        state=SourceState(digest, None, None),
        row_label=row_label,
    )
