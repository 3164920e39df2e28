"""Accessibility helpers for Dash components."""

from __future__ import annotations

from typing import Any


def aria(**values: str) -> Any:
    """ARIA attributes as keyword arguments: `html.Nav(..., **aria(label="Main"))`."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in values.items()}
