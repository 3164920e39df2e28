"""Produce packs: build, draw the charts, render in a format, write the file and log the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from metrics.registry.loader import Registry
from metrics.words import plural
from reports.charts import measure_figure, render_charts
from reports.html import render_html
from reports.pack import Pack, build_pack
from reports.pdf import PageContent, render_pdf
from reports.public import build_public_pack
from reports.scope import resolve_scope
from reports.xlsx import render_xlsx
from warehouse.report_runs import FAILED, SUCCEEDED, finish_report_run, start_report_run

Format = Literal["html", "pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Charts = dict[str, bytes]


@dataclass(frozen=True)
class Rendered:
    """A pack in one format: its bytes, and its page count when it has pages."""

    data: bytes
    report_format: Format
    pages: int | None = None
    page_contents: tuple[PageContent, ...] = ()  # a PDF's lines and images, page by page

    @property
    def media_type(self) -> str:
        """The MIME type, for a download."""
        return MEDIA_TYPES[self.report_format]


@dataclass(frozen=True)
class Produced:
    """A pack written to a file, and the run that logged it."""

    path: Path
    pack: Pack
    rendered: Rendered
    run_id: int

    def summary(self) -> str:
        """One line for the command line and the logs."""
        pages = f", {plural(self.rendered.pages, 'page')}" if self.rendered.pages else ""
        return (
            f"Wrote {self.path} ({plural(len(self.pack.sections), 'measure')}{pages}, "
            f"as at {self.pack.as_at:%d %b %Y})."
        )


def reports_folder(registry: Registry) -> Path:
    """The `reports_folder` setting, relative to the project (the config folder's parent)."""
    folder = Path(str(registry.settings["reports_folder"]))
    return folder if folder.is_absolute() else registry.config_dir.resolve().parent / folder


def file_name(pack: Pack, report_format: str) -> str:
    """e.g. 'portfolio-finance-2024-11-25.pdf'."""
    return f"{pack.scope.slug}-{pack.as_at:%Y-%m-%d}.{report_format}"


def draw_charts(packs: Sequence[Pack]) -> list[Charts]:
    """Every pack's chart images (keyed by metric id), drawn in one browser session."""
    figures = {
        f"{index}/{section.metric.id}": figure
        for index, pack in enumerate(packs)
        for section in pack.sections
        if (figure := measure_figure(section.view)) is not None
    }
    images = render_charts(figures)
    found: list[Charts] = [{} for _ in packs]
    for key, image in images.items():
        index, metric_id = key.split("/", 1)
        found[int(index)][metric_id] = image
    return found


def render(pack: Pack, report_format: Format, charts: Charts | None = None) -> Rendered:
    """The pack in one format; HTML and PDF draw their charts unless given them."""
    if report_format == "xlsx":
        return Rendered(render_xlsx(pack), "xlsx")
    if report_format not in ("html", "pdf"):
        raise ValueError(f"a pack is html, pdf or xlsx, not {report_format!r}")
    html = render_html(pack, draw_charts([pack])[0] if charts is None else charts)
    if report_format == "html":
        return Rendered(html.encode("utf-8"), "html")
    pdf = render_pdf(html)
    return Rendered(pdf.data, "pdf", pdf.pages, pdf.contents)


def produce(
    registry: Registry,
    engine: sa.Engine,
    kind: str,
    ident: str,
    as_at: date,
    report_format: Format,
    out: Path | None = None,
    *,
    trigger: str = "manual",
    produced_at: datetime | None = None,
    public: bool = False,
) -> Produced:
    """Build one pack, write it to `out` (default: the reports folder) and log the run.

    A ScopeError (unknown id) is raised before anything is logged; any later failure is
    logged as a failed run and raised again.
    """
    scope = resolve_scope(registry, kind, ident)
    run_id = start_report_run(
        engine,
        kind=kind,
        target_id=ident,
        report_format=report_format,
        as_at=as_at,
        trigger=trigger,
    )
    try:
        pack = (
            build_public_pack(registry, engine, scope, as_at, produced_at=produced_at)
            if public
            else build_pack(registry, engine, scope, as_at, produced_at=produced_at)
        )
        rendered = render(pack, report_format)
        path = out or reports_folder(registry) / file_name(pack, report_format)
        write_file(path, rendered.data)
    except Exception as exc:
        finish_report_run(engine, run_id, status=FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    finish_report_run(engine, run_id, status=SUCCEEDED, path=str(path))
    return Produced(path, pack, rendered, run_id)


def write_file(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a reader never opens half a pack."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
