"""Risks on the measure and portfolio pages, and the portfolio's savings, on the fixtures
warehouse with the shipped savings plan and risk register."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc

from tests.fixtures.warehouse import KSI
from tests.layouts.conftest import page, text_of, viewing
from tests.layouts.test_portfolio import find

DIGITAL = "mystaffs-digital-share"  # public, threatened by two internal risks


def links(component: Any) -> dict[str, str]:
    """Every link's words and address in a tree."""
    found: dict[str, str] = {}
    if isinstance(component, dcc.Link):
        found[text_of(component)] = str(getattr(component, "href", ""))
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found.update(links(child))
    return found


def test_a_measure_lists_the_risks_that_threaten_it(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("metric").layout(metric_id=DIGITAL)
    section = find(layout, "metric-risks-section")
    assert section is not None
    table = find(section, "metric-risks")
    rows = [text_of(r) for r in table.children[2].children]
    # Highest score first: the cyber attack (3 x 5) before residents staying offline (3 x 3)
    assert rows[0].startswith("Cyber attack takes systems offline 15 High Above (12)")
    assert rows[1].startswith("Residents do not move online as planned 9 Medium Within (12)")
    assert (
        links(section)["Cyber attack takes systems offline"] == "/risks?risk=R-DIG-01#risk-R-DIG-01"
    )
    assert "2 risks in the register: 1 above the council's appetite" in text_of(section)


def test_the_public_see_no_internal_risk(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("metric").layout(metric_id=DIGITAL)
    assert find(layout, "metric-risks-section") is None
    assert "Cyber attack" not in text_of(layout)


def test_a_measure_without_risks_says_so_to_a_councillor(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("metric").layout(metric_id=KSI)
    assert text_of(find(layout, "metric-risks-none")) == (
        "No risk in the register threatens this measure."
    )


def test_the_portfolio_page_has_its_savings_and_risks(app: dash.Dash) -> None:
    with viewing(app, "member"):
        layout = page("portfolio").layout(portfolio_id="children-young-people")
    savings = find(layout, "portfolio-savings-section")
    words = text_of(find(savings, "portfolio-savings"))
    assert words.startswith("2 savings proposals in ")
    statuses = text_of(find(savings, "portfolio-savings-statuses"))
    assert "Will not deliver" in statuses and "Delivered" in statuses
    assert list(links(savings).values()) == ["/savings?portfolio=children-young-people"]
    risks = find(layout, "portfolio-risks-section")
    titles = links(find(risks, "portfolio-risks"))
    assert titles["Children's placement costs keep rising"] == "/risks?risk=R-CS-01#risk-R-CS-01"
    assert set(titles.values()) == {
        "/risks?risk=R-CS-01#risk-R-CS-01",
        "/risks?risk=R-CS-02#risk-R-CS-02",
        "/risks?risk=R-CS-03#risk-R-CS-03",
        "/risks?risk=R-CS-04#risk-R-CS-04",
    }
    text = text_of(layout)
    assert text.index("Savings ") < text.index("Risks") < text.index("Flags and actions")
