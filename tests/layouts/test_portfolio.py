"""The portfolio holder's week on the fixtures warehouse: what is off target first, a short
summary of the week, and a week chooser that moves the cards and milestones to that week."""

from __future__ import annotations

from typing import Any

import dash

from tests.layouts.conftest import page, text_of, viewing

PORTFOLIO = "children-young-people"  # caseload (off target) and the three fixture milestones


def find(component: Any, ident: str) -> Any:
    """The component with this id anywhere in the tree."""
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, ident)
            if found is not None:
                return found
    return None


def portfolio(app: dash.Dash, week: str = "") -> Any:
    with viewing(app, "member"):
        return page("portfolio").layout(portfolio_id=PORTFOLIO, week=week)


def card_of(layout: Any, name: str) -> str:
    cards = find(layout, "portfolio-cards").children
    return next(text_of(c) for c in cards if text_of(c).startswith(name))


def test_off_target_cards_come_before_the_week_s_changes(app: dash.Dash) -> None:
    layout = portfolio(app, "2024-11-25")
    text = text_of(layout)
    assert text.index("Measures, off target first") < text.index("What changed in the week")
    first = text_of(find(layout, "portfolio-cards").children[0])
    assert first.startswith("Children's social worker average caseload")
    assert "Off target" in first
    assert "1 measure is off target." in text_of(find(layout, "portfolio-as-at"))


def test_the_week_is_summed_up_in_counts_not_a_sentence_per_figure(app: dash.Dash) -> None:
    counts = text_of(find(portfolio(app, "2024-11-25"), "portfolio-week-counts"))
    # The fixtures' figures were all loaded on Monday 25 November 2024
    assert counts.startswith("New figures arrived for 1 of the 8 measures;")
    assert "new flag" in counts and "due in the next four weeks or overdue" in counts
    # A week with nothing new says so in the same few words
    quiet = text_of(find(portfolio(app, "2024-11-18"), "portfolio-week-counts"))
    assert quiet.startswith("New figures arrived for 0 of the 8 measures; 0 changes of status;")


def test_the_week_chooser_moves_the_cards_to_that_week(app: dash.Dash) -> None:
    late = card_of(portfolio(app, "2024-11-25"), "Children's social worker average caseload")
    assert "24.5" in late and "Oct 2024" in late
    # As at Sunday 1 September 2024 the latest month that had ended was August
    early_layout = portfolio(app, "2024-08-26")
    early = card_of(early_layout, "Children's social worker average caseload")
    assert "23.0" in early and "Aug 2024" in early and "24.5" not in early
    assert "at the end of Sunday 01 September 2024" in text_of(
        find(early_layout, "portfolio-as-at")
    )
    chooser = find(early_layout, "portfolio-week")
    assert chooser.value == "2024-08-26"


def test_the_week_chooser_moves_the_milestones_to_that_week(app: dash.Dash) -> None:
    def milestones(week: str) -> str:
        return " ".join(text_of(find(portfolio(app, week), "portfolio-milestones")).split())

    # "Caseload tool live in every team" was due by 31 October 2024
    assert "Caseload tool live in every team" in milestones("2024-10-14")
    assert "Overdue" not in milestones("2024-10-14")
    assert "Caseload tool live in every team ■ Overdue" in milestones("2024-11-25")


def test_each_sparkline_draws_the_target_and_says_so(app: dash.Dash) -> None:
    layout = portfolio(app, "2024-11-25")
    cards = _walk(find(layout, "portfolio-cards"))
    images = [c for c in cards if str(getattr(c, "src", "")).startswith("data:image/svg")]
    caseload = next(i for i in images if i.alt.startswith("Children's social worker average"))
    assert "target 18.0 (dashed line)" in caseload.alt
    assert "stroke-dasharray" in caseload.src


def _walk(component: Any) -> list[Any]:
    out = [component]
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            out.extend(_walk(child))
    return out


def test_an_earlier_week_says_the_flags_are_today_s(app: dash.Dash) -> None:
    # The register keeps no weekly copy: an earlier week says its flags are as they are today
    earlier = text_of(find(portfolio(app, "2024-08-26"), "portfolio-flag-counts"))
    assert earlier.endswith("These are the flags as they stand today.")
    from datetime import date, timedelta

    this_week = date.today() - timedelta(days=date.today().weekday())
    current = text_of(find(portfolio(app, this_week.isoformat()), "portfolio-flag-counts"))
    assert "as they stand today" not in current
