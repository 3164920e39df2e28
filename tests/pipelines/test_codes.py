"""Codes for columns of few distinct values, against plain pandas on the same columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.codes import codes, key_codes, pair_codes, repeated


def _columns(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 40, rows), "D"))
    days = days.mask(rng.random(rows) < 0.1)  # a tenth missing (NaT)
    choices = np.array(["monthly", "quarterly", None], dtype=object)
    frequency = pd.Series(rng.choice(choices, rows), dtype="category")
    return pd.DataFrame({"frequency": frequency, "day": days})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pair_codes_give_each_row_its_own_pair(seed: int) -> None:
    frame = _columns(5_000, seed)
    found, pairs = pair_codes(frame["frequency"], frame["day"])
    expected = [
        None if pd.isna(f) or pd.isna(d) else (f, d)
        for f, d in zip(frame["frequency"], frame["day"], strict=True)
    ]
    assert [pairs[c] for c in found] == expected
    present = [p for p in pairs if p is not None]
    assert len(present) == len(set(present))  # each pair once


def test_codes_of_a_categorical_are_its_own() -> None:
    series = pd.Series(["b", "a", None, "b"], dtype="category")
    found, values = codes(series)
    assert found.tolist() == series.cat.codes.tolist()
    assert [None if c < 0 else values[c] for c in found] == ["b", "a", None, "b"]


@pytest.mark.parametrize("spread", [10, 10**15])  # a small key space, and one too big to tabulate
def test_repeated_keys_match_pandas(spread: int) -> None:
    rng = np.random.default_rng(7)
    key = rng.integers(0, 2_000, 3_000) * spread
    expected = pd.Series(key).duplicated(keep=False).tolist()
    assert repeated(key).tolist() == expected
    assert repeated(np.zeros(0, dtype=np.int64)).tolist() == []


def test_key_codes_are_equal_exactly_when_the_keys_are() -> None:
    frame = _columns(2_000, 4).assign(area=lambda f: np.resize(["E1", "E2", None], len(f)))
    key = key_codes(frame, ("frequency", "area", "day"))
    as_tuples = [tuple(map(str, row)) for row in frame[["frequency", "area", "day"]].itertuples()]
    # The index is the first element of each tuple: compare the values only
    by_value = pd.Series([t[1:] for t in as_tuples]).factorize()[0]
    assert (pd.Series(key).factorize()[0] == by_value).all()
