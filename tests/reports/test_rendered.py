"""A small portfolio's pack drawn for real: kaleido charts in Chromium, a weasyprint PDF, and
the HTML checked by axe-core in Chromium (WCAG 2.2 A and AA)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reports.pack import Pack, build_pack
from reports.produce import Rendered, draw_charts, render
from reports.scope import resolve_scope
from tests.browser_support import assert_accessible
from tests.reports.conftest import Sample

# Every test here reads the pack whose charts kaleido drew in Chromium
pytestmark = pytest.mark.browser

PORTFOLIO = "leader"  # five measures: the smallest portfolio, so the charts are quick


@dataclass(frozen=True)
class Leader:
    pack: Pack
    html: str
    pdf: Rendered


@pytest.fixture(scope="module")
def leader(sample: Sample) -> Leader:
    scope = resolve_scope(sample.registry, "portfolio", PORTFOLIO)
    pack = build_pack(sample.registry, sample.engine, scope, sample.as_at)
    charts = draw_charts([pack])[0]
    html = render(pack, "html", charts).data.decode("utf-8")
    return Leader(pack, html, render(pack, "pdf", charts))


def test_every_measure_has_a_chart_with_alt_text(leader: Leader) -> None:
    images = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)">', leader.html)
    assert len(images) == len(leader.pack.sections) == 5
    assert images[0].startswith(
        "SPC chart of Working days lost to sickness in Staffordshire, monthly, from "
    )
    assert "Target 8.50 days. The figures are in the data appendix." in images[0]


def test_the_html_pack_declares_its_language_landmarks_and_headings(leader: Leader) -> None:
    html = leader.html
    assert '<html lang="en-GB">' in html
    assert '<main id="main">' in html and "<header" in html and "<footer" in html
    assert html.count("<h1") == 1
    assert 'id="measure-staff-sickness-days-heading">Working days lost to sickness</h2>' in html
    # status is a symbol and a word, never colour alone
    assert '<span aria-hidden="true">✖</span> Off target</span>' in html


# A page with fewer lines than this (running header and footer included) is near empty: the
# last bullets of a measure pushed over on their own, as a page per measure used to leave
NEAR_EMPTY = 20


def near_empty_pages(pdf: Rendered) -> list[int]:
    """Pages, but the last, holding fewer than NEAR_EMPTY lines of text and no chart."""
    contents = pdf.page_contents[:-1]
    return [i for i, c in enumerate(contents, 1) if c.lines < NEAR_EMPTY and not c.images]


def test_the_pdf_opens_with_the_scorecard_and_has_no_near_empty_page(leader: Leader) -> None:
    pdf = leader.pdf
    assert pdf.data.startswith(b"%PDF-1.7")
    assert len(pdf.page_contents) == pdf.pages
    # Page 1 is the scorecard alone (a line or two per measure, no chart); the contents and
    # summary start page 2
    first = pdf.page_contents[0]
    assert first.images == 0 and first.lines >= 3 * len(leader.pack.sections)
    assert near_empty_pages(pdf) == []
    # Scorecard, summary, measures two to a page or so, milestones, savings and risks, the
    # appendix, glossary
    assert (pdf.pages or 0) <= 13
    assert sum(c.images for c in pdf.page_contents) == len(leader.pack.sections)
    assert len(pdf.data) < 1_000_000


def test_the_demo_committee_s_pack_has_fewer_pages_and_none_near_empty(sample: Sample) -> None:
    """The demo's Children and Young People pack: 22 pages before the scorecard, four of them
    holding one or two bullets, for eight measures; 20 for nine (a manual measure, foster
    carers approved, added its section and its figures in the data appendix); 21 with the
    savings and risks section."""
    scope = resolve_scope(sample.registry, "portfolio", "children-young-people")
    pack = build_pack(sample.registry, sample.engine, scope, sample.as_at)
    pdf = render(pack, "pdf", draw_charts([pack])[0])
    assert near_empty_pages(pdf) == []
    assert (pdf.pages or 0) <= 21


def test_the_html_pack_passes_axe(leader: Leader, browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "pack.html"
    path.write_text(leader.html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        assert page.get_attribute("html", "lang") == "en-GB"
        assert page.locator("img").count() == 5
        assert_accessible(page)
    finally:
        context.close()
