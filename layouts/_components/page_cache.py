"""A page's layout, built once for each person, address and version of what pages show.

Between two changes to the warehouse (a pipeline run, an evaluation, a flag moved, a comment,
a milestone, a pack) a page built for one person is the same every time they load it: it is
kept in memory and handed to Dash again, instead of reading and judging everything anew on
each load. The key names the viewer (their role and account), the page's arguments, the
version of the warehouse (warehouse.snapshot.page_version: one small query, kept in memory on
a DuckDB file until this process next writes) and the day, so a change is seen on the very
next load and nothing built for one person reaches another.

A kept page is also turned into JSON once, the first time Dash writes it out: Dash would
otherwise walk its thousands of components again on every load to send the same text.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable
from datetime import date
from math import isfinite
from typing import Any

from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

from layouts._runtime import Cache, runtime
from warehouse.snapshot import page_version

CACHED_PAGES = 256
_PAGES: Cache[Any] = Cache(CACHED_PAGES)


def cached_page(layout: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a page's `layout` function so that repeated loads are served from memory."""

    @functools.wraps(layout)
    def cached(**arguments: Any) -> Any:
        rt = runtime()
        key = (
            layout.__module__,
            rt.engine.url.render_as_string(hide_password=True),
            id(rt.engine),
            rt.viewer.username,
            rt.viewer.role,
            rt.audience,
            tuple(sorted((str(k), repr(v)) for k, v in arguments.items())),
            page_version(rt.engine),
            date.today(),
        )
        return _PAGES.get(key, lambda: serialised_once(layout(**arguments)))

    return cached


def serialised_once(page: Any) -> Any:
    """The same page, which hands Dash its JSON form made the first time Dash asks for it
    (as it writes out the answer) and kept, rather than made anew on every load."""
    if isinstance(page, Component):
        # Exactly what Dash's encoder would make of it (plotly's, NaN already as null), kept
        # as plain lists and dicts, which the encoder writes out without visiting components
        # (with the encoder engine the app chose for every answer: see app.create_app)
        page.to_plotly_json = _MadeOnce(page)  # type: ignore[method-assign]
    return page


class _MadeOnce:
    """A page's `to_plotly_json`: its plain form, made at the first call and then kept. It
    holds the page weakly, so a page let go of by the cache is freed at once rather than left
    in a cycle for the garbage collector."""

    def __init__(self, page: Component) -> None:
        self._page = weakref.ref(page)
        self._made: Any = None

    def __call__(self) -> Any:
        if self._made is None:  # two answers at once may both make it: the same either way
            page = self._page()
            assert page is not None, "asked for the JSON of a page no longer held"
            self._made = _component_json(page)
        return self._made


_WILDCARDS = ("data-", "aria-")
_STRINGS = frozenset({str})
_AS_IS = frozenset({str, int, bool, type(None)})  # written out as they are


def plain_json(value: Any) -> Any:
    """`value` as plain lists, dicts, strings, numbers and None: exactly
    `json.loads(plotly.io.json.to_json_plotly(value))`, without writing out the JSON text and
    reading it back.

    A component becomes what its `to_plotly_json` gives (its set properties, in their declared
    order, then its data-* and aria-* attributes), read from its attributes directly, as that
    method does at many times the cost (it tests every attribute against every wildcard);
    a float that is not finite becomes None, as plotly's encoder makes it. Anything else that
    is not plain JSON (numpy arrays, dates, figures) is handed to plotly's encoder itself."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is float:
        return value if isfinite(value) else None
    # A chart's lists hold thousands of plain numbers and strings: each is kept without a call
    if kind is list or kind is tuple:
        return [
            item
            if type(item) in _AS_IS
            else (item if isfinite(item) else None)
            if type(item) is float
            else plain_json(item)
            for item in value
        ]
    if kind is dict and set(map(type, value)) <= _STRINGS:  # keys all strings, looked at in C
        if set(map(type, value.values())) <= _AS_IS:  # a select's option, say: copied as it is
            return dict(value)
        return dict(zip(value, plain_json(list(value.values())), strict=True))
    if isinstance(value, Component) and "to_plotly_json" not in vars(value):
        return _component_json(value)
    return json.loads(to_json_plotly(value))


def _component_json(component: Component) -> dict[str, Any]:
    """What a component's own `to_plotly_json` gives, its properties made plain."""
    attributes = vars(component)
    props = {
        name: plain_json(attributes[name]) for name in component._prop_names if name in attributes
    }
    props.update(
        (name, plain_json(item)) for name, item in attributes.items() if name.startswith(_WILDCARDS)
    )
    return {"props": props, "type": component._type, "namespace": component._namespace}
