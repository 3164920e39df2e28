"""Render a pack's HTML to a tagged PDF with weasyprint (headings, alt text, page numbers)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

# PDF/UA-1 tags the headings, tables and images (with their alt text) for screen readers
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class PdfError(RuntimeError):
    """The PDF could not be made, with what to do about it."""


@dataclass(frozen=True)
class PdfResult:
    """A rendered PDF and how many pages it has."""

    data: bytes
    pages: int


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
    return PdfResult(data=bytes(data or b""), pages=len(document.pages))
