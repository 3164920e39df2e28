"""Savings delivery, one proposal and the risk register on the fixtures warehouse with a few
hand-made delivery returns: what officers and the public see, the filters, the download, and an
unknown or unpublished proposal.

The shipped config has sixteen proposals (three public: S-CS-02, S-COM-01, S-ASC-01) and
twenty-two risks (three public); returns are loaded for three proposals this financial year:

- S-CS-01 (internal): forecast £400k of the £1.5m planned, so it will not deliver; its
  commentary begins '=' as a spreadsheet formula would;
- S-CS-02 (public): two monthly returns, forecast £950k of £1m; at risk from an internal risk;
- S-CS-03 (internal): delivered in full.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest

from metrics.engine.savings import current_year
from metrics.registry.finance import year_start
from tests.conftest import BACKENDS
from tests.layouts.conftest import _app_on_copy, engine_of, page, plain, text_of, viewing
from tests.layouts.test_dead_ends import links
from tests.layouts.test_portfolio import find
from warehouse.engine import dispose_engine
from warehouse.savings import load_delivery

YEAR = current_year(date.today())
START = year_start(YEAR)
RETURNS = (
    ("S-CS-01", date(START, 5, 31), 400_000.0, 100_000.0, '=HYPERLINK("http://x")'),
    ("S-CS-02", date(START, 4, 30), 1_000_000.0, 100_000.0, "Two buildings on the market"),
    ("S-CS-02", date(START, 5, 31), 950_000.0, 400_000.0, "One sale delayed to spring"),
    ("S-CS-03", date(START, 5, 31), 800_000.0, 800_000.0, "Restructure complete"),
)
INTERNAL_PROPOSAL = ("S-CS-01", "Digital First - transactions moved online")
PUBLIC_PROPOSAL = ("S-CS-02", "Property rationalisation and shared buildings")
INTERNAL_RISK = "Children's placement costs keep rising"  # R-CS-01
PUBLIC_RISK = "MTFS savings not delivered in full"  # R-FIN-01


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fixtures_file: Path
) -> Iterator[dash.Dash]:
    """The app on a copy of the fixtures warehouse with this year's returns for three proposals."""
    served, url = _app_on_copy(request, fixtures_file, tmp_path_factory.mktemp("savings"))
    frame = pd.DataFrame(
        [
            {
                "proposal_id": p,
                "financial_year": YEAR,
                "as_at": at,
                "forecast": forecast,
                "delivered": delivered,
                "commentary": words,
            }
            for p, at, forecast, delivered, words in RETURNS
        ]
    )
    with engine_of(served).begin() as conn:
        load_delivery(conn, frame, run_id=None, now=datetime(START, 6, 5, 9))
    yield served
    dispose_engine(url)


def savings(app: dash.Dash, role: str, **filters: str) -> Any:
    with viewing(app, role):
        return page("savings").layout(**filters)


def proposal(app: dash.Dash, role: str, proposal_id: str) -> Any:
    with viewing(app, role):
        return page("proposal").layout(proposal_id=proposal_id)


def risks(app: dash.Dash, role: str, **filters: str) -> Any:
    with viewing(app, role):
        return page("risks").layout(**filters)


def rows(table: Any) -> list[str]:
    """Each body row of a captioned table as its words."""
    body = table.children[2]
    return [" ".join(text_of(r).split()) for r in body.children]


def test_officers_see_this_year_s_figures_the_mtfs_and_every_proposal(app: dash.Dash) -> None:
    layout = savings(app, "officer")
    assert text_of(find(layout, "headline-delivered")) == "£1.3m"  # 100k + 400k + 800k
    counts = " ".join(text_of(find(layout, "savings-counts")).split())
    assert "✖ Will not deliver 1" in counts and "✔ Delivered 1" in counts
    assert "▲ At risk 14" in counts
    # The MTFS chart has its table beside it, and both stress tests are explained in words
    assert find(layout, "mtfs-chart") is not None
    assert YEAR in " ".join(rows(find(layout, "mtfs-table")))
    tests = text_of(find(layout, "stress-tests"))
    assert "every saving at risk slips one year" in tests
    assert "only savings on track are delivered" in tests
    table = find(layout, "savings-table")
    assert len(rows(table)) == 16
    # Most serious first: the one that will not deliver heads the table, the delivered one ends it
    assert rows(table)[0].startswith("S-CS-01 " + INTERNAL_PROPOSAL[1])
    assert "27% of the £1,500,000" in rows(table)[0]
    assert rows(table)[-1].startswith("S-CS-03")
    assert f"/savings/{INTERNAL_PROPOSAL[0]}" in links(table)
    assert find(layout, "savings-by-directorate") is not None
    assert find(layout, "savings-by-portfolio") is not None


def test_the_public_sees_only_published_proposals_and_no_mtfs(app: dash.Dash) -> None:
    layout = savings(app, "public")
    words = text_of(layout)
    table = find(layout, "savings-table")
    assert sorted(r.split()[0] for r in rows(table)) == ["S-ASC-01", "S-COM-01", "S-CS-02"]
    assert INTERNAL_PROPOSAL[1] not in words
    assert find(layout, "mtfs-chart") is None and find(layout, "mtfs-table") is None
    assert find(layout, "savings-public-note") is not None
    # An internal risk threatening a public saving is not named
    assert "R-FIN-02" not in words and "internal register" in words


def test_filters_narrow_the_table_and_show_the_group_s_savings_by_year(app: dash.Dash) -> None:
    layout = savings(app, "officer", directorate="corporate-services", status="at_risk")
    table_rows = rows(find(layout, "savings-table"))
    assert [r.split()[0] for r in table_rows] == ["S-CS-02"]
    # The chart shows the directorate's savings by year, without the council's gap
    mtfs = find(layout, "mtfs-table")
    headings = text_of(mtfs.children[1])
    assert "Planned" in headings and "MTFS gap" not in headings
    assert "Corporate Services" in text_of(find(layout, "mtfs-heading"))
    assert find(layout, "savings-status").value == "at_risk"
    none = savings(app, "officer", status="on_track", directorate="corporate-services")
    assert find(none, "savings-none") is not None


def test_the_download_is_the_table_shown_with_formula_text_made_safe(app: dash.Dash) -> None:
    with viewing(app, "officer"):
        sent = plain(page("savings").download_proposals)(
            1, {"directorate": "corporate-services", "portfolio": "", "status": ""}
        )
    table = list(csv.DictReader(io.StringIO(sent["content"])))
    assert [r["id"] for r in table] == ["S-CS-01", "S-CS-02", "S-CS-03"]
    assert table[0]["status"] == "✖ Will not deliver" and table[0]["planned"] == "1500000.0"
    with viewing(app, "public"):
        public = plain(page("savings").download_proposals)(1, {})
    assert INTERNAL_PROPOSAL[0] not in public["content"]


def test_a_proposal_s_page_gives_its_state_plan_trend_milestones_and_risks(app: dash.Dash) -> None:
    layout = proposal(app, "officer", PUBLIC_PROPOSAL[0])
    assert text_of(find(layout, "proposal-title")) == PUBLIC_PROPOSAL[1]
    facts = " ".join(text_of(find(layout, "proposal-facts")).split())
    assert "Owner Head of Strategic Property" in facts and "First planned 2020-21" in facts
    assert "At risk" in text_of(find(layout, "proposal-status"))
    assert "R-FIN-02" in text_of(find(layout, "proposal-reasons"))
    plan = rows(find(layout, "proposal-plan-table"))
    assert plan[0].startswith("2020-21 £1.0m £400k")
    assert find(layout, "proposal-plan-chart") is not None
    history = rows(find(layout, "proposal-history-table"))
    assert history[0].startswith(f"May {START} £950k £400k One sale delayed")
    assert len(history) == 2 and find(layout, "proposal-history-chart") is not None
    assert "hub-04: not in the programme tracker" in text_of(find(layout, "proposal-milestones"))
    assert "/risks?risk=R-FIN-02" in links(find(layout, "proposal-risks"))
    assert find(layout, "proposal-flags") is not None


def test_the_public_gets_sign_in_for_an_internal_proposal_and_not_found_for_none(
    app: dash.Dash,
) -> None:
    hidden = text_of(proposal(app, "public", INTERNAL_PROPOSAL[0]))
    assert "Sign in to see this page" in hidden
    assert INTERNAL_PROPOSAL[1] not in hidden and "Head of Digital" not in hidden
    shown = proposal(app, "public", PUBLIC_PROPOSAL[0])
    assert text_of(find(shown, "proposal-title")) == PUBLIC_PROPOSAL[1]
    assert find(shown, "proposal-flags") is None
    # A public proposal's internal risk is not listed
    assert "R-FIN-02" not in text_of(shown)
    missing = proposal(app, "officer", "S-NONE-99")
    assert text_of(find(missing, "proposal-title")) == "Savings proposal not found"
    assert "/savings" in links(missing)


def test_the_register_shows_the_heat_map_and_every_risk_to_officers(app: dash.Dash) -> None:
    layout = risks(app, "officer")
    register = rows(find(layout, "risk-register"))
    assert len(register) == 22 and register[0].split()[0] in {"R-CS-01", "R-FIN-01", "R-SEND-01"}
    cells = rows(find(layout, "risk-heat-table"))
    # Likelihood 5 first; cells scoring above the council's appetite of 12 are marked
    above = "▲ (above appetite)"
    assert cells[0] == f"5 (almost certain) 0 0 0 {above} 2 {above} 0 {above}"
    body = find(layout, "risk-heat-table").children[2].children
    counts = [int(text_of(c).split()[0]) for r in body for c in r.children[1:]]
    assert len(counts) == 25 and sum(counts) == 22
    words = text_of(layout)
    assert INTERNAL_RISK in words and "Cause" in words
    assert "/savings/S-CF-02" in links(layout)


def test_register_filters_and_the_public_view(app: dash.Dash) -> None:
    above = rows(find(risks(app, "officer", above="yes"), "risk-register"))
    assert above and all("▲ Yes" in r for r in above)
    assert len(above) == 8
    overdue = risks(app, "officer", overdue="yes")
    assert all("Overdue" in r for r in rows(find(overdue, "risk-register")))
    safeguarding = risks(app, "officer", category="safeguarding")
    assert "above 6, the appetite for safeguarding risks" in text_of(safeguarding)
    one = risks(app, "officer", risk="R-FIN-02")
    assert [r.split()[0] for r in rows(find(one, "risk-register"))] == ["R-FIN-02"]
    assert find(one, "risk-R-FIN-02").open is True
    public = risks(app, "public")
    words = text_of(public)
    assert PUBLIC_RISK in words and INTERNAL_RISK not in words
    assert len(rows(find(public, "risk-register"))) == 3


def test_navigation_lists_savings_and_risks_for_everyone(app: dash.Dash) -> None:
    from access.identity import ANONYMOUS
    from layouts._components.shell import shell

    frame = shell("Council", "Plan", ANONYMOUS)
    assert {"/savings", "/risks"} <= set(links(frame))
