"""Savings delivery, one proposal and the risk register on the fixtures warehouse with a few
hand-made delivery returns: what officers and the public see, the filters, the download, and an
unknown or unpublished proposal.

On the shipped config (sixteen proposals, S-CS-02 among the few public ones, and the risk
register); returns are loaded for three proposals this financial year:

- S-CS-01 (internal): forecast £400k of the £1.5m planned, so it will not deliver; its
  commentary begins '=' as a spreadsheet formula would;
- S-CS-02 (public): two monthly returns, forecast £700k of £1m, so it is at risk;
- S-CS-03 (internal): delivered in full.

Counts that follow from the shipped register are taken from the read model, which the pages
must show as it is.
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

from layouts._runtime import CONFIG_KEY
from metrics.engine.savings import current_year
from metrics.readmodel.finance import FinanceView, finance_view
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
    ("S-CS-02", date(START, 5, 31), 700_000.0, 400_000.0, "One sale delayed to spring"),
    ("S-CS-03", date(START, 5, 31), 800_000.0, 800_000.0, "Restructure complete"),
)
INTERNAL_PROPOSAL = ("S-CS-01", "Digital First - transactions moved online")
PUBLIC_PROPOSAL = ("S-CS-02", "Property rationalisation and shared buildings")


def judged(app: dash.Dash, audience: str = "internal") -> FinanceView:
    """What the read model says today, for the app's registry and warehouse."""
    registry = app.server.config[CONFIG_KEY].registry
    return finance_view(registry, engine_of(app), today=date.today(), audience=audience)  # type: ignore[arg-type]


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
    at_risk = int((judged(app).savings["status"] == "at_risk").sum())
    assert f"▲ At risk {at_risk}" in counts
    # The MTFS chart has its table beside it, and both stress tests are explained in words
    assert find(layout, "mtfs-chart") is not None
    assert YEAR in " ".join(rows(find(layout, "mtfs-table")))
    tests = text_of(find(layout, "stress-tests"))
    assert "every saving at risk slips one year" in tests
    assert "only savings on track are delivered" in tests
    # Over the years ahead the two tests part, and the page adds them up in words
    horizon = " ".join(text_of(find(layout, "mtfs-horizon")).split())
    assert horizon.startswith(f"Added up from {YEAR} to ")
    assert "under stress test 1" in horizon and "under stress test 2" in horizon
    table = find(layout, "savings-table")
    assert len(rows(table)) == len(judged(app).savings) == 16
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
    published = sorted(judged(app, "public").savings["proposal_id"])
    assert PUBLIC_PROPOSAL[0] in published and INTERNAL_PROPOSAL[0] not in published
    assert sorted(r.split()[0] for r in rows(table)) == published
    assert INTERNAL_PROPOSAL[1] not in words
    assert find(layout, "mtfs-chart") is None and find(layout, "mtfs-table") is None
    assert find(layout, "savings-public-note") is not None
    # No internal risk is named, even where it threatens a published saving
    risks = judged(app).risks
    assert not [r for r in risks[~risks["public"].astype(bool)]["risk_id"] if r in words]


def test_filters_narrow_the_table_and_show_the_group_s_savings_by_year(app: dash.Dash) -> None:
    layout = savings(app, "officer", directorate="corporate-services", status="at_risk")
    table_rows = rows(find(layout, "savings-table"))
    assert [r.split()[0] for r in table_rows] == ["S-CS-02"]
    # The chart shows the directorate's savings by year, without the council's gap
    mtfs = find(layout, "mtfs-table")
    headings = text_of(mtfs.children[1])
    assert "Planned" in headings and "MTFS gap" not in headings
    assert find(layout, "mtfs-horizon") is None  # the gap is the council's, not a group's
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
    assert "short of the £1,000,000 planned" in text_of(find(layout, "proposal-reasons"))
    plan = rows(find(layout, "proposal-plan-table"))
    assert plan[0].startswith("2020-21 £1.0m £400k")
    assert find(layout, "proposal-plan-chart") is not None
    history = rows(find(layout, "proposal-history-table"))
    assert history[0].startswith(f"May {START} £700k £400k One sale delayed")
    assert len(history) == 2 and find(layout, "proposal-history-chart") is not None
    assert "hub-04: not in the programme tracker" in text_of(find(layout, "proposal-milestones"))
    threats = judged(app).risks
    named = [
        r for r, s in zip(threats["risk_id"], threats["savings"], strict=True) if "S-CS-02" in s
    ]
    assert links(find(layout, "proposal-risks")) == [f"/risks?risk={r}#risk-{r}" for r in named]
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
    # A public proposal's internal risks are not listed
    public_risks = set(judged(app, "public").risks["risk_id"])
    assert all(h.split("=")[1] in public_risks for h in links(find(shown, "proposal-risks")))
    missing = proposal(app, "officer", "S-NONE-99")
    assert text_of(find(missing, "proposal-title")) == "Savings proposal not found"
    assert "/savings" in links(missing)


def test_the_register_shows_the_heat_map_and_every_risk_to_officers(app: dash.Dash) -> None:
    layout = risks(app, "officer")
    everything = judged(app).risks
    register = rows(find(layout, "risk-register"))
    # Highest score first, as the read model orders them
    assert [r.split()[0] for r in register] == list(everything["risk_id"])
    assert len(register) == 22
    # Likelihood 5 first, impact 1 to 5 across; cells above the appetite of 12 are marked
    body = find(layout, "risk-heat-table").children[2].children
    for likelihood, row in zip(range(5, 0, -1), body, strict=True):
        for impact, cell in enumerate(row.children[1:], start=1):
            here = everything[
                (everything["likelihood"] == likelihood) & (everything["impact"] == impact)
            ]
            words = " ".join(text_of(cell).split())
            assert words.split()[0] == str(len(here))
            assert ("above appetite" in words) == (likelihood * impact > 12)
    words = text_of(layout)
    first = everything.iloc[0]
    assert str(first["title"]) in words and "Cause" in words
    linked = next(s for s in everything["savings"] if s)
    assert f"/savings/{linked[0]}" in links(layout)


def test_register_filters_and_the_public_view(app: dash.Dash) -> None:
    above = rows(find(risks(app, "officer", above="yes"), "risk-register"))
    assert above and all("▲ Above" in r for r in above)
    assert len(above) == int(judged(app).risks["above_appetite"].sum())
    overdue = risks(app, "officer", overdue="yes")
    late = int(judged(app).risks["review_overdue"].sum())
    if late:
        assert len([r for r in rows(find(overdue, "risk-register")) if "Overdue" in r]) == late
    else:
        assert find(overdue, "risks-none") is not None
    safeguarding = risks(app, "officer", category="safeguarding")
    assert "above 6, the appetite for safeguarding risks" in text_of(safeguarding)
    one = risks(app, "officer", risk="R-FIN-02")
    assert [r.split()[0] for r in rows(find(one, "risk-register"))] == ["R-FIN-02"]
    assert find(one, "risk-R-FIN-02").open is True
    everything = judged(app).risks
    hidden = everything[~everything["public"].astype(bool)]
    public = risks(app, "public")
    words = text_of(public)
    shown = [r.split()[0] for r in rows(find(public, "risk-register"))]
    assert shown == list(judged(app, "public").risks["risk_id"]) and shown
    assert not [t for t in hidden["title"] if t in words]


def test_navigation_lists_savings_and_risks_for_everyone(app: dash.Dash) -> None:
    from access.identity import ANONYMOUS
    from layouts._components.shell import shell

    frame = shell("Council", "Plan", ANONYMOUS)
    assert {"/savings", "/risks"} <= set(links(frame))


def test_a_new_return_is_seen_on_the_next_load(writable_app: dash.Dash) -> None:
    def counts() -> str:
        return " ".join(text_of(find(savings(writable_app, "officer"), "savings-counts")).split())

    assert "✔ Delivered 0" in counts()
    frame = pd.DataFrame(
        [
            {
                "proposal_id": "S-EIS-01",
                "financial_year": YEAR,
                "as_at": date(START, 5, 31),
                "forecast": 1_500_000.0,
                "delivered": 1_500_000.0,
                "commentary": None,
            }
        ]
    )
    with engine_of(writable_app).begin() as conn:
        load_delivery(conn, frame, run_id=None, now=datetime(START, 6, 5, 9))
    assert "✔ Delivered 1" in counts()


def test_an_unknown_proposal_is_a_404_and_a_known_one_is_a_page(app: dash.Dash) -> None:
    from access.not_found import page_exists
    from layouts._runtime import CONFIG_KEY

    registry = app.server.config[CONFIG_KEY].registry
    assert page_exists("/savings", registry) and page_exists("/risks", registry)
    assert page_exists(f"/savings/{INTERNAL_PROPOSAL[0]}", registry)
    assert not page_exists("/savings/S-NONE-99", registry)
