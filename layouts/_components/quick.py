"""Dash components made quickly, for the builders that make hundreds of them on one page.

Dash's own constructor checks each argument it is given, and for each one first writes out
the error message it would give (with the package's version in it), whether or not anything
is wrong: about 10 µs a component, which a table of a few hundred cells pays on every page
load. `quick` makes the same component (the same attributes, so the same JSON and the same
tree to walk) at a tenth of the cost. Its first component of each kind and set of argument
names is made by Dash itself, so every mistake Dash would catch in a name (a typo, a
required argument left out) is caught there, at the first use; a value Dash checks (an
`id`, or a component given as a property other than `children`) is always handed to Dash.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from dash.development.base_component import Component

C = TypeVar("C", bound=Component)

# For each kind and set of argument names Dash has accepted once: the attributes its
# constructor gives every component of that shape besides the arguments themselves
_SHAPES: dict[tuple[type[Component], frozenset[str]], dict[str, Any]] = {}


def quick(kind: type[C], children: Any = None, **props: Any) -> C:
    """`kind(children, **props)`, as Dash makes it, made without Dash's checks once they
    have passed for a component of this kind with these argument names."""
    shape = (kind, frozenset(props))
    made = _SHAPES.get(shape)
    if made is None or "id" in props or any(isinstance(v, Component) for v in props.values()):
        component = cast(Any, kind)(children, **props)  # Dash's own, with all its checks
        if made is None:
            _SHAPES[shape] = {
                name: value
                for name, value in vars(component).items()
                if name != "children" and name not in props
            }
        return component
    component = kind.__new__(kind)
    attributes = vars(component)
    attributes.update(made)
    attributes["children"] = children
    attributes.update(props)
    return component
