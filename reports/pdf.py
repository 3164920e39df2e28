"""Render a pack's HTML to a tagged PDF with weasyprint (headings, alt text, page numbers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# PDF/UA-1 tags the headings, tables and images (with their alt text) for screen readers
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class PdfError(RuntimeError):
    """The PDF could not be made, with what to do about it."""


@dataclass(frozen=True)
class PageContent:
    """What one laid-out page holds: lines of text and images (charts), and its first line."""

    lines: int
    images: int
    first_line: str = ""


@dataclass(frozen=True)
class PdfResult:
    """A rendered PDF, how many pages it has and what each page holds."""

    data: bytes
    pages: int
    contents: tuple[PageContent, ...] = field(default=(), compare=False)


def render_pdf(html: str) -> PdfResult:
    """Lay out the HTML for A4 paper and write it as PDF bytes."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # weasyprint loads Pango with dlopen when imported
        raise PdfError(
            f"PDF packs need the Pango and HarfBuzz libraries ({exc}). Install them with "
            "'make system-deps' (Debian packages libpango-1.0-0, libpangoft2-1.0-0, "
            "libharfbuzz-subset0), or choose --format html or xlsx."
        ) from exc

    # weasyprint warns about every CSS property it skips (screen-only rules); not news
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, media_type="print").render(**PDF_OPTIONS)
    data = document.write_pdf(**PDF_OPTIONS)
    contents = tuple(page_content(page._page_box) for page in document.pages)
    return PdfResult(data=bytes(data or b""), pages=len(document.pages), contents=contents)


def page_content(page_box: Any) -> PageContent:
    """Count the lines that carry text, and the images, in one page of weasyprint's layout
    (the running header and footer count too: a page with only them is close to empty)."""
    from weasyprint.formatting_structure import boxes

    lines = images = 0
    first = ""
    for box in _descendants(page_box):
        if isinstance(box, boxes.LineBox):
            text = "".join(b.text for b in _descendants(box) if isinstance(b, boxes.TextBox))
            lines += bool(text.strip())
            first = first or text.strip()
        elif isinstance(box, boxes.ReplacedBox):
            images += 1
    return PageContent(lines=lines, images=images, first_line=first)


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child)
