"""Times as the console shows them."""

from __future__ import annotations

from typing import Any

import pandas as pd


def when(value: Any) -> str:
    """A timestamp as YYYY-MM-DD HH:MM, or '-' when there is none."""
    if value is None or pd.isna(value):
        return "-"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
