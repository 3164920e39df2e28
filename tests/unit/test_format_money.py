"""Money in words: the one formatter pages, packs and the CLI use for pounds."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.format import format_money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_234_567, "£1.2m"),
        (35_000_000.0, "£35.0m"),
        (25_000, "£25k"),
        (9_999, "£9,999"),
        (0, "£0"),
        (-450_000, "-£450k"),
    ],
)
def test_pounds_are_written_as_people_read_them(value: float, text: str) -> None:
    assert format_money(value) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "not a figure"])
def test_no_figure_is_a_dash_or_what_the_caller_asks(missing: object) -> None:
    assert format_money(missing) == "–"
    assert format_money(missing, "-") == "-"
