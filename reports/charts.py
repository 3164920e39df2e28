"""Static chart images for packs: the dashboard's SPC chart, drawn by kaleido in Debian's Chromium.

Kaleido 1.x drives a Chrome-family browser through choreographer. PMF points it at the
system Chromium (never a downloaded browser) and renders every chart of a batch in one
browser session, because starting the browser costs seconds and each chart a fraction of one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from metrics.engine.series import SeriesView

# The one SPC chart builder, shared with the metric page so both draw the same chart
from metrics.figures import Figure, spc_figure
from reports.chromium import BROWSER_ENV, chromium_path

__all__ = ["BROWSER_ENV"]

WIDTH, HEIGHT = 900, 330
ImageFormat = Literal["svg", "png"]
T = TypeVar("T")


class ChartError(RuntimeError):
    """Charts could not be drawn, with what to do about it."""


def browser_path() -> str:
    """The Chromium kaleido drives: $PMF_CHROMIUM, else Debian's /usr/bin/chromium."""
    path = chromium_path()
    if not Path(path).exists():
        raise ChartError(
            f"No browser at {path} to draw the charts. Install Debian's chromium "
            f"('make system-deps'), or set {BROWSER_ENV} to a Chromium executable."
        )
    return path


def measure_figure(view: SeriesView) -> Figure | None:
    """The SPC chart of one measure's series, sized for a printed page (None without SPC)."""
    frame = view.frame
    if view.spc is None or frame.empty:
        return None
    # A printed chart has no hover: who recorded a rebase is not drawn
    figure = spc_figure(view, names=False)
    layout = figure["layout"]
    layout.update(
        width=WIDTH,
        height=HEIGHT,
        hovermode=False,
        margin={"l": 70, "r": 20, "t": 36, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0},
    )
    # The tick labels name the periods; the axis title would crowd the legend on paper
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": ""}}
    if view.metric.unit == "GBP":
        # "£" as the axis title is terse on paper: show £ on the ticks instead
        layout["yaxis"] = {**layout["yaxis"], "tickprefix": "£", "title": {"text": ""}}
    return figure


def render_charts(
    figures: Mapping[str, Figure], *, image_format: ImageFormat = "svg"
) -> dict[str, bytes]:
    """Draw each figure as an image, in one browser session; keys are kept."""
    if not figures:
        return {}
    path = browser_path()

    async def draw() -> dict[str, bytes]:
        import kaleido

        images: dict[str, bytes] = {}
        options = {"format": image_format, "width": WIDTH, "height": HEIGHT}
        # mathjax=False: the default fetches MathJax from a CDN, and packs use no maths
        async with kaleido.Kaleido(n=1, mathjax=False, path=path) as browser:
            for key, figure in figures.items():
                images[key] = await browser.calc_fig(figure, opts=options)
        return images

    try:
        return _run_apart(draw())
    except ChartError:
        raise
    except Exception as exc:
        raise ChartError(f"Chromium at {path} could not draw the charts: {exc}") from exc


def _run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in its own thread.

    The caller may already be inside an event loop (a web server, a notebook), where
    asyncio.run would refuse to start.
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="pmf-charts")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
