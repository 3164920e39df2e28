"""Integer codes for columns of few distinct values, so each value is judged once.

A million rows of a return hold a few hundred metrics, areas and periods. Checks and loads
work out a fact once per distinct value (or pair of values) and spread it back by code,
in numpy, rather than once per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# A table of every possible pair or key is used when it is at most this many times the rows
# (plus a small floor); beyond that the codes are hashed instead
DENSE_FACTOR = 4
DENSE_FLOOR = 65_536


def codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A code per row (-1 where missing) and the distinct values the codes stand for.

    A categorical already holds its codes; anything else is hashed once.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.int64), series.cat.categories
    found, values = pd.factorize(series)
    return found.astype(np.int64, copy=False), pd.Index(values)


def _dense(combined: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 for non-negative integers below `size`, and the integer each code is."""
    if size <= DENSE_FACTOR * len(combined) + DENSE_FLOOR:
        present = np.zeros(size, dtype=bool)
        present[combined] = True
        found = np.flatnonzero(present)
        lookup = np.zeros(size, dtype=np.int64)
        lookup[found] = np.arange(len(found), dtype=np.int64)
        return lookup[combined], found
    dense, found = pd.factorize(combined)
    return dense.astype(np.int64, copy=False), np.asarray(found)


def pair_codes(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """A code per row for its pair of values, and each code's pair (None if either is missing)."""
    a_codes, a_values = codes(first)
    b_codes, b_values = codes(second)
    width = len(b_values) + 1
    # Shifted by one so a missing value (-1) has a slot of its own
    combined = (a_codes + 1) * width + (b_codes + 1)
    dense, found = _dense(combined, (len(a_values) + 1) * width)
    firsts, seconds = list(a_values), list(b_values)
    pairs: list[Any] = []
    for value in found.tolist():
        a, b = divmod(value, width)
        pairs.append(None if a == 0 or b == 0 else (firsts[a - 1], seconds[b - 1]))
    return dense, pairs


def key_codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """One integer per row standing for its values in `columns` (equal keys, equal integers)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        found, values = codes(frame[column])
        key = key * (len(values) + 1) + found + 1
    return key


def repeated(key: np.ndarray) -> np.ndarray:
    """Per row, whether another row has the same key."""
    if not len(key):
        return np.zeros(0, dtype=bool)
    size = int(key.max()) + 1
    if size <= DENSE_FACTOR * len(key) + DENSE_FLOOR:
        return np.bincount(key, minlength=size)[key] > 1
    return pd.Series(key).duplicated(keep=False).to_numpy()
