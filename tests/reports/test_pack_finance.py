"""The packs' "Savings and risks" section, on a hand-made warehouse holding one month of
delivery returns and the shipped savings plan, MTFS and risk register."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from metrics.registry.loader import Registry
from reports.finance_section import build_finance_section
from reports.html import render_html
from reports.pack import Pack, build_pack
from reports.scope import resolve_scope
from reports.xlsx import render_xlsx
from warehouse.savings import load_delivery

AS_AT = date(2026, 11, 30)


@pytest.fixture
def returned(engine: sa.Engine) -> sa.Engine:
    """October's returns for the finance portfolio: one delivered, one on course."""
    frame = pd.DataFrame(
        [
            ("S-CS-03", "2026-27", date(2026, 10, 31), 800_000.0, 800_000.0, "Done."),
            ("S-CS-01", "2026-27", date(2026, 10, 31), 1_500_000.0, 600_000.0, "On course."),
        ],
        columns=["proposal_id", "financial_year", "as_at", "forecast", "delivered", "commentary"],
    )
    with engine.begin() as conn:
        load_delivery(conn, frame, run_id=None, now=datetime(2026, 11, 5, 9))
    return engine


def pack(registry: Registry, engine: sa.Engine, kind: str, ident: str, **kw: str) -> Pack:
    scope = resolve_scope(registry, kind, ident)
    return build_pack(registry, engine, scope, AS_AT, **kw)  # type: ignore[arg-type]


def test_a_portfolio_pack_has_its_savings_and_the_risks_needing_attention(
    registry: Registry, returned: sa.Engine
) -> None:
    section = pack(registry, returned, "portfolio", "finance").finance
    assert section.year == "2026-27"
    lines = {s.id: s for s in section.savings}
    assert list(lines) == ["S-CS-01", "S-CS-02", "S-CS-03"]
    assert lines["S-CS-03"].status_word == "Delivered"
    assert lines["S-CS-03"].money("delivered") == "£800k"
    assert lines["S-CS-02"].forecast is None and lines["S-CS-02"].money("forecast") == "–"
    assert all(s.portfolio == "Finance and Resources" for s in section.savings)
    risks = {r.id: r for r in section.risks}
    assert {"R-FIN-01", "R-FIN-02", "R-DIG-01"} <= set(risks)
    # Within appetite and reviewed on time: not listed; another portfolio's risk: not listed
    assert "R-DIG-02" not in risks and "R-CS-01" not in risks
    assert all(r.above_appetite or r.review_overdue for r in section.risks)
    assert risks["R-FIN-01"].why == "Risk above appetite"
    text = " ".join(p.full for p in section.paras)
    assert "3 savings proposals in this pack's scope plan to save £3.3m" in text
    assert "Medium Term Financial Strategy gap for 2026-27 is £30.0m" in text
    assert "if every proposal at risk or that will not deliver slipped a year" in text


def test_the_section_is_in_the_html_and_the_workbook(
    registry: Registry, returned: sa.Engine
) -> None:
    finance = pack(registry, returned, "portfolio", "finance")
    html = render_html(finance)
    assert '<h2 id="finance-heading">Savings and risks</h2>' in html
    assert '<a href="#finance-heading">Savings and risks</a>' in html
    assert "Senior management restructure and vacancy management" in html
    assert "MTFS savings not delivered in full" in html
    book = load_workbook(io.BytesIO(render_xlsx(finance)))
    values = list(book["Savings"].iter_rows(values_only=True))
    savings = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    delivered = next(s for s in savings if s["Proposal id"] == "S-CS-03")
    assert delivered["Delivered (£)"] == 800_000 and delivered["Status"] == "Delivered"
    assert book["Savings"]["F2"].number_format == '"£"#,##0'
    risk_ids = [row[1] for row in book["Risks"].iter_rows(min_row=2, values_only=True)]
    assert risk_ids == [r.id for r in finance.finance.risks]


def test_a_public_pack_has_only_published_savings_and_risks_and_no_mtfs(
    registry: Registry, returned: sa.Engine
) -> None:
    section = pack(registry, returned, "portfolio", "finance", audience="public").finance
    assert [s.id for s in section.savings] == ["S-CS-02"]
    assert [r.id for r in section.risks] == ["R-FIN-01"]
    text = " ".join(p.full for p in section.paras)
    assert "Medium Term Financial Strategy" not in text and "stress" not in text
    html = render_html(pack(registry, returned, "portfolio", "finance", audience="public"))
    assert "Cyber attack" not in html and "Senior management restructure" not in html


def test_a_committee_pack_takes_the_portfolios_of_its_measures(
    registry: Registry, returned: sa.Engine
) -> None:
    scope = resolve_scope(registry, "committee", "health-care")
    section = build_finance_section(registry, returned, scope, AS_AT, "internal")
    portfolios = {m.portfolio for m in scope.metrics}
    expected = [p.id for p in registry.finance.proposals if p.portfolio in portfolios]
    assert [s.id for s in section.savings] == expected
    assert any(s.id.startswith("S-ASC") for s in section.savings)
    # A priority pack takes the proposals serving that priority
    scope = resolve_scope(registry, "priority", "jobs-growth")
    section = build_finance_section(registry, returned, scope, AS_AT, "internal")
    assert [s.id for s in section.savings] == [
        p.id for p in registry.finance.proposals if p.priority == "jobs-growth"
    ]
