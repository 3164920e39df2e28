"""`quick` makes the very component Dash's constructor makes (the same attributes, so the same
JSON and the same tree), and every mistake Dash's constructor catches is still caught."""

from __future__ import annotations

from typing import Any, cast

import pytest
from dash import dcc, html
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

from layouts._components.quick import quick

MADE: list[tuple[type[Component], Any, dict[str, Any]]] = [
    (html.Td, "x", {"className": "pmf-num"}),
    (html.Td, None, {}),
    (html.Th, "Measure", {"scope": "row", "className": None}),
    (html.Span, "▲", {"aria-hidden": "true"}),
    (html.Tr, [html.Td("a"), html.Td(1.5)], {}),
    (dcc.Link, [html.Span("3 measures")], {"href": "/?priority=a#cell"}),
    (html.Td, "y", {"data-row": 2, "title": "A cell"}),
]


@pytest.mark.parametrize(("kind", "children", "props"), MADE)
def test_a_quick_component_is_the_component_dash_makes(
    kind: type[Component], children: Any, props: dict[str, Any]
) -> None:
    for _ in range(2):  # the first of a shape is made by Dash; the next without its checks
        made = quick(kind, children, **props)
        own = cast(Any, kind)(children, **props)
        assert type(made) is kind
        assert vars(made) == vars(own)
        assert to_json_plotly(made) == to_json_plotly(own)
    # Two quick components share nothing that one of them changes
    a, b = quick(kind, children, **props), quick(kind, children, **props)
    vars(a)["className"] = "changed"
    assert getattr(b, "className", None) == props.get("className")


def test_mistakes_are_caught_as_dash_catches_them() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument: `clasName`"):
        quick(html.Td, "x", clasName="pmf-num")
    with pytest.raises(TypeError, match="unexpected keyword argument: `clasName`"):
        quick(html.Td, "x", clasName="pmf-num")  # and again: a shape Dash refused is not kept
    with pytest.raises(TypeError, match="Required argument `href`"):
        quick(dcc.Link, "Home")
    quick(html.Td, "x", title="fine")  # a shape Dash has accepted...
    with pytest.raises(TypeError, match="detected a Component for a prop other than `children`"):
        quick(html.Td, "x", title=html.Span("not text"))  # ...still has its values checked
    with pytest.raises(TypeError, match="`id` prop must be a string or dict"):
        quick(html.Td, "x", id=3)
