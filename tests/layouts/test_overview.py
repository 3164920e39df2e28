"""The overview on the fixtures warehouse: the headline counts what the viewer may see."""

from __future__ import annotations

from datetime import date

import dash

from metrics.engine.risks import judge_risks
from metrics.registry.loader import load_registry
from tests.conftest import CONFIG
from tests.layouts.conftest import page, text_of, viewing


def test_the_public_headline_counts_published_measures_only(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("overview").layout()
    # Casualties and claimants on target, FOI within tolerance; the caseload is internal
    assert text_of(layout["overview-summary"]) == (
        "Of 3 measures with targets, 2 are on target, 1 within tolerance and 0 off target."
    )
    assert "Children's social worker average caseload" not in text_of(layout)
    assert "Cabinet portfolios" not in text_of(layout)


def test_a_councillor_sees_the_off_target_measure_its_flags_and_the_slipping_milestones(
    app: dash.Dash,
) -> None:
    with viewing(app, "member"):
        layout = page("overview").layout()
    # Three flags on measures and milestones, and one on each risk in the register above the
    # council's appetite (as at 25 Nov 2024 no review is overdue yet)
    risks = judge_risks(load_registry(CONFIG).finance, date(2024, 11, 25))
    flags = 3 + int(risks["above_appetite"].sum())
    assert text_of(layout["overview-summary"]) == (
        "Of 4 measures with targets, 2 are on target, 1 within tolerance and 1 off target. "
        f"{flags} flags need attention; no planned action is overdue. 2 milestones are slipping."
    )
    attention = text_of(layout["attention-list"])
    assert "Children's social worker average caseload" in attention
    # On target or within tolerance needs no attention
    assert "People killed or seriously injured" not in attention
    assert "Freedom of information requests answered on time" not in attention
    assert "Status as at 25 November 2024, 07:00." in text_of(layout)


def test_a_cell_of_the_matrix_lists_its_measures_with_data_or_not(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("overview").layout(priority="safer-supported", enabler="workforce")
    cell = text_of(layout["cell-table"])
    assert "Children's social worker average caseload" in cell
    assert "Children's social worker vacancy rate" in cell  # no data in the fixtures
    # A measure with no data has no direction: it says so rather than failing the page
    assert "No earlier value" in cell or "No data" in cell


def test_needs_attention_gives_each_measure_s_value_target_and_owner(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("overview").layout()
    table = layout["attention-list"]
    headings = [text_of(th) for th in table.children[1].children.children]
    assert headings == [
        "Measure",
        "Latest figure",
        "Target",
        "Status",
        "Why it needs attention",
        "Owner",
    ]
    [row] = [
        r
        for r in table.children[2].children
        if text_of(r).startswith("Children's social worker average caseload")
    ]
    cells = [" ".join(text_of(c).split()) for c in row.children]
    # Caseload: 24.5 in October 2024 against a target of 18, owned by the service's director
    assert cells[1] == "24.5 (Oct 2024)" and cells[2] == "18.0"
    assert "Off target" in cells[3] and "Off target" in cells[4]
    assert cells[5] == "Assistant Director, Children's Social Care"


def test_portfolio_links_come_before_the_matrix(app: dash.Dash) -> None:
    with viewing(app, "member"):
        text = text_of(page("overview").layout())
    assert text.index("Cabinet portfolios") < text.index("Priorities and enablers")
    assert text.index("Select committees") < text.index("Needs attention")
