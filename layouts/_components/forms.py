"""Form controls with their labels, so every filter and field is announced by name."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def labelled_select(
    label: str,
    component_id: str,
    options: list[tuple[str, str]],
    value: str,
    *,
    all_label: str | None = None,
) -> html.Div:
    """A native <select> with its label; `all_label` adds a first, empty "match all" option."""
    choices = [{"label": text, "value": key} for key, text in options]
    extra: dict[str, Any] = {}
    if all_label is not None:
        choices.insert(0, {"label": all_label, "value": ""})
        extra["placeholder"] = all_label  # shown while the empty choice is selected
    return html.Div(
        [
            html.Label(label, htmlFor=component_id),
            dbc.Select(id=component_id, options=choices, value=value, **extra),
        ]
    )


def labelled_field(label: str, control: Any, control_id: str) -> html.Div:
    """Any input with its label above it."""
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="form-label"), control], className="mb-2"
    )
