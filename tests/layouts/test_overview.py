"""The overview on the fixtures warehouse: the headline counts what the viewer may see."""

from __future__ import annotations

import dash

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
    assert text_of(layout["overview-summary"]) == (
        "Of 4 measures with targets, 2 are on target, 1 within tolerance and 1 off target. "
        "3 flags need attention; no planned action is overdue. 2 milestones are slipping."
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
