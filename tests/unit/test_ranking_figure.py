"""The ranked bar of a group: a labelled bar per council in a small group; a caterpillar (one
thin upright bar per council, best first, this council dark, hatched and labelled) in a group
of hundreds, so the chart keeps a page's height."""

from __future__ import annotations

import pandas as pd

from metrics.figures import LABELLED_BARS, ranking_figure


def ranking(size: int, own_place: int) -> pd.DataFrame:
    """`size` councils ranked best first, this council at `own_place` (from 1)."""
    return pd.DataFrame(
        {
            "name": [f"Council {n}" for n in range(1, size + 1)],
            "value": [100.0 - n for n in range(size)],
            "rank": list(range(1, size + 1)),
            "is_own": [n == own_place for n in range(1, size + 1)],
        }
    )


def test_a_small_group_has_a_labelled_bar_per_council() -> None:
    figure = ranking_figure(ranking(16, 4), own_name="Staffordshire", unit_title="%")
    (bars,) = figure["data"]
    assert bars["orientation"] == "h" and len(bars["y"]) == 16
    assert bars["y"][3] == "Council 4 (this council)"
    assert bars["marker"]["pattern"]["shape"][3] == "/"
    assert figure["layout"]["height"] == 24 * 16 + 80


def test_every_english_council_is_a_caterpillar_of_a_pages_height() -> None:
    size = 320
    assert size > LABELLED_BARS
    figure = ranking_figure(ranking(size, 57), own_name="Staffordshire", unit_title="%")
    others, ours = figure["data"]
    assert figure["layout"]["height"] <= 400
    # Every council has its bar, in its place, best first
    assert sorted(others["x"] + ours["x"]) == list(range(1, size + 1))
    assert ours["x"] == [57] and ours["y"] == [100.0 - 56]
    assert ours["text"] == ["Council 57 (this council)"]
    assert ours["marker"]["color"] == "#0b0c0c" and ours["marker"]["pattern"]["shape"] == "/"
    assert "Council 58" in others["text"] and "Council 57" not in others["text"]
    (label,) = figure["layout"]["annotations"]
    assert label["text"] == "Staffordshire (this council)" and label["x"] == 57
    assert figure["layout"]["xaxis"]["title"]["text"] == "Place among 320 councils, best first"


def test_a_caterpillar_without_this_council_s_figure_has_no_label() -> None:
    figure = ranking_figure(ranking(60, 0), own_name="Staffordshire", unit_title="%")
    others, ours = figure["data"]
    assert ours["x"] == [] and len(others["x"]) == 60
    assert figure["layout"]["annotations"] == []
