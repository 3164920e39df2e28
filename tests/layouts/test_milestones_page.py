"""The milestones page on the fixtures warehouse: its filters come from the query string."""

from __future__ import annotations

import dash

from tests.layouts.conftest import page, text_of, viewing


def test_the_milestones_page_shows_only_the_state_chosen(app: dash.Dash) -> None:
    with viewing(app, "member"):
        everything = page("milestones").layout()
        overdue = page("milestones").layout(status="overdue", programme="Fixtures programme")
    assert text_of(everything["milestones-summary"]).startswith("3 milestones: ")
    assert text_of(overdue["milestones-summary"]).startswith("1 milestone: ")
    shown = text_of(overdue["milestones-table"])
    assert "Caseload tool live in every team" in shown
    assert "New family hubs open" not in shown
    assert "Road safety partnership plan agreed" not in shown
    assert overdue["milestones-status"].value == "overdue"


def test_the_milestones_page_says_when_nothing_matches(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("milestones").layout(programme="No such programme")
    assert text_of(layout["milestones-summary"]) == "No milestones match these filters."
