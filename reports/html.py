"""Render a pack as one self-contained, accessible HTML file (charts inlined as data URIs)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from metrics.words import RAG, rag_word
from reports.glossary import glossary_rows
from reports.narrative import day_text
from reports.pack import Pack
from reports.sections import APPENDIX_PERIODS

MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        day=day_text,
        short=lambda d: f"{d.day} {d:%b %Y}" if isinstance(d, date) else "–",
        rag_word=rag_word,
        rag_symbol=lambda rag: RAG.get(rag, RAG["no_data"])[0],
        rag_css=lambda rag: RAG.get(rag, RAG["no_data"])[2],
    )
    return env


def data_uri(image: bytes, image_format: str = "svg") -> str:
    """An image as a data: URI, so the HTML file needs nothing beside it."""
    encoded = base64.b64encode(image).decode("ascii")
    return f"data:{MEDIA_TYPES[image_format]};base64,{encoded}"


def render_html(
    pack: Pack, charts: Mapping[str, bytes] | None = None, *, image_format: str = "svg"
) -> str:
    """The pack as HTML; `charts` maps metric ids to images (a measure without one has none)."""
    env = _environment()
    css = (env.loader.get_source(env, "pack.css")[0]) if env.loader else ""
    template = env.get_template("pack.html.j2")
    return template.render(
        pack=pack,
        charts={key: data_uri(image, image_format) for key, image in (charts or {}).items()},
        css=Markup(css),
        glossary=glossary_rows(),
        appendix_periods=APPENDIX_PERIODS,
    )
