"""The catalogue search callback: the words find measures, and only those the viewer may see."""

from __future__ import annotations

import dash

from tests.layouts.conftest import page, plain, viewing


def search(app: dash.Dash, role: str, words: str | None) -> tuple[list[dict[str, str]], str]:
    """The rows and the count sentence the search box's callback returns to `role`."""
    with viewing(app, role):
        rows, count = plain(page("catalogue").filter_catalogue)(words)
    return rows, count


def test_search_finds_the_measures_that_match(app: dash.Dash) -> None:
    rows, count = search(app, "public", "road")
    assert "road-casualties-ksi" in {row["id"] for row in rows}
    assert count.startswith(f"Showing {len(rows)} of ") and count.endswith("matching “road”.")


def test_the_public_never_finds_an_internal_measure(app: dash.Dash) -> None:
    rows, count = search(app, "public", "social worker")
    assert rows == [] and count.startswith("Showing 0 of ")
    everything, _ = search(app, "public", None)
    assert everything and {row["visibility"] for row in everything} == {"public"}


def test_a_councillor_finds_internal_measures(app: dash.Dash) -> None:
    rows, count = search(app, "member", "social worker")
    assert "cs-social-worker-caseload" in {row["id"] for row in rows}
    assert count.startswith(f"Showing {len(rows)} of ")


def test_every_measure_in_the_catalogue_links_to_its_page(app: dash.Dash) -> None:
    rows, count = search(app, "member", None)
    assert rows and count == f"Showing {len(rows)} of {len(rows)} measures."
    for row in rows:
        assert row["link"].endswith(f"](/metric/{row['id']})")
        assert row["link"].startswith("[")


def test_a_measure_name_cannot_break_its_link() -> None:
    from layouts.catalogue import measure_link

    assert measure_link("Rate [draft] (per 1,000)", "a-b") == (
        r"[Rate \[draft\] \(per 1,000\)](/metric/a-b)"
    )
