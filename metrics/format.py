"""Numbers in plain English, with their units: £1.2m, 12.5%, 18.3 per 10,000."""

from __future__ import annotations

import math

from metrics.registry.model import Metric


def format_number(value: float | None, unit: str, decimals: int = 1) -> str:
    """Format a value for people: money in £k/£m, percentages with %, rates 'per 10,000'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit == "GBP":
        size = abs(value)
        sign = "-" if value < 0 else ""
        if size >= 1_000_000:
            return f"{sign}£{size / 1_000_000:,.1f}m"
        if size >= 10_000:
            return f"{sign}£{size / 1_000:,.0f}k"
        return f"{sign}£{size:,.0f}"
    text = f"{value:,.{decimals}f}"
    if unit == "percent":
        return f"{text}%"
    if unit == "rate per 10k":
        return f"{text} per 10,000"
    if unit == "rate per 100k":
        return f"{text} per 100,000"
    if unit == "days":
        return f"{text} days"
    return text


def format_money(value: object, missing: str = "–") -> str:
    """Pounds as £1.2m / £350k / £900, or `missing` when there is no figure."""
    if value is None or isinstance(value, str):
        return missing
    try:
        amount = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # pandas' NA, or anything else that is not a figure
        return missing
    return missing if math.isnan(amount) else format_number(amount, "GBP")


def format_value(value: float | None, metric: Metric) -> str:
    """Format a value in a metric's own unit and decimals."""
    return format_number(value, metric.unit, metric.decimals)
