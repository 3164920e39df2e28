"""Form controls with their labels, so every filter and field is announced by name; the
GOV.UK error summary, inline errors, date input and success banner."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from layouts._components.a11y import aria


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


def filter_form(purpose: str, controls: list[Any]) -> html.Form:
    """A page's filters as a search form, announced by `purpose` ("Filter milestones")."""
    return html.Form(controls, className="pmf-filters", role="search", **aria(label=purpose))


def labelled_field(label: str, control: Any, control_id: str) -> html.Div:
    """Any input with its label above it."""
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="form-label"), control], className="mb-2"
    )


# GOV.UK form patterns: an error summary at the top linking to each field, the error beside
# the field (inside its label or legend, so it is read out with the field's name), and a
# success banner after saving. https://design-system.service.gov.uk/components/


def error_summary(problems: list[tuple[str, str]], summary_id: str) -> html.Div | None:
    """'There is a problem', then each message as a link to its field; None when no problem.

    `problems` is (field id, message) in the order the fields appear.
    """
    if not problems:
        return None
    title_id = f"{summary_id}-title"
    return html.Div(
        [
            html.H2("There is a problem", id=title_id, className="pmf-error-summary-title"),
            html.Ul([html.Li(html.A(message, href=f"#{field}")) for field, message in problems]),
        ],
        id=summary_id,
        className="pmf-error-summary",
        role="alert",
        tabIndex=-1,
        **aria(labelledby=title_id),
    )


def _label_parts(label: str, hint: str | None, error: str | None) -> list[Any]:
    parts: list[Any] = [html.Span(label, className="pmf-label-text")]
    if hint:
        parts.append(html.Span(hint, className="pmf-hint"))
    if error:
        parts.append(
            html.Span(
                [html.Span("Error: ", className="visually-hidden"), error],
                className="pmf-field-error",
            )
        )
    return parts


def form_field(
    label: str,
    control: Any,
    control_id: str,
    *,
    hint: str | None = None,
    error: str | None = None,
) -> html.Div:
    """A field with its label, an optional hint and, when there is one, its error message."""
    return html.Div(
        [html.Label(_label_parts(label, hint, error), htmlFor=control_id), control],
        className="pmf-form-group" + (" pmf-field-with-error" if error else ""),
    )


def text_input(component_id: str, value: str | None = None, *, error: bool = False) -> Any:
    """A full-width text input (up to a readable measure), red-bordered when in error."""
    return dbc.Input(
        id=component_id,
        type="text",
        value=value or "",
        invalid=error,
        className="pmf-input",
    )


def text_area(component_id: str, value: str | None = None, *, error: bool = False) -> Any:
    """A full-width text area, red-bordered when in error."""
    return dbc.Textarea(
        id=component_id, value=value or "", rows=3, invalid=error, className="pmf-input"
    )


def radios_field(
    legend: str,
    component_id: str,
    options: list[tuple[str, str]],
    value: str | None,
    *,
    hint: str | None = None,
    error: str | None = None,
) -> html.Fieldset:
    """The GOV.UK radios: one choice of several under a legend, each a native radio button.

    `options` is (value, label) in the order shown. An error summary links to `component_id`;
    layouts/assets/pmf-forms.js moves focus to the chosen (or first) radio.
    """
    return html.Fieldset(
        [
            html.Legend(_label_parts(legend, hint, error)),
            # Native radio buttons sharing one name (arrow keys move between them); Dash's own
            # RadioItems wraps them in a listbox, which screen readers cannot make sense of
            dbc.RadioItems(
                id=component_id,
                name=component_id,
                options=[{"label": label, "value": v} for v, label in options],
                value=value,
                class_name="pmf-radios",
                label_class_name="pmf-radio-label",
                input_class_name="pmf-radio-input",
            ),
        ],
        className="pmf-form-group" + (" pmf-field-with-error" if error else ""),
    )


DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


def date_parts_field(
    legend: str,
    id_prefix: str,
    values: tuple[str | None, str | None, str | None] = (None, None, None),
    *,
    hint: str | None = None,
    error: str | None = None,
) -> html.Fieldset:
    """The GOV.UK date input: day, month and year boxes under one legend.

    The boxes are `{id_prefix}-day`, `-month` and `-year`; an error links to the day box.
    """
    boxes = [
        html.Div(
            [
                html.Label(name, htmlFor=f"{id_prefix}-{part}", className="pmf-date-label"),
                dbc.Input(
                    id=f"{id_prefix}-{part}",
                    type="text",
                    inputMode="numeric",
                    value=value or "",
                    invalid=bool(error),
                    className=f"pmf-date-{width}",
                ),
            ],
            className="pmf-date-item",
        )
        for (part, name, width), value in zip(DATE_PARTS, values, strict=True)
    ]
    return html.Fieldset(
        [
            html.Legend(_label_parts(legend, hint, error)),
            html.Div(boxes, className="pmf-date-input"),
        ],
        className="pmf-form-group" + (" pmf-field-with-error" if error else ""),
    )


def parse_date_parts(
    day: str | None, month: str | None, year: str | None, name: str = "The date"
) -> tuple[date | None, str | None]:
    """The date typed into three boxes, or an error message saying what is wrong with it.

    Three empty boxes give (None, None): whether a date is needed is for the caller to say.
    """
    parts = [(p or "").strip() for p in (day, month, year)]
    if not any(parts):
        return None, None
    missing = [w for w, p in zip(("day", "month", "year"), parts, strict=True) if not p]
    if missing:
        return None, f"{name} must include a {' and a '.join(missing)}"
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None, f"{name} must be a real date, for example 27 3 2027"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])), None
    except ValueError:
        return None, f"{name} must be a real date, for example 27 3 2027"


def success_banner(title: str, body: Any, banner_id: str) -> html.Div:
    """The GOV.UK success banner shown after saving; it takes focus so it is read out."""
    title_id = f"{banner_id}-title"
    return html.Div(
        [
            html.H2("Success", id=title_id, className="pmf-banner-title"),
            html.P(title, className="pmf-banner-heading"),
            html.Div(body, className="pmf-banner-body") if body else None,
        ],
        id=banner_id,
        className="pmf-banner-success",
        tabIndex=-1,
        **aria(labelledby=title_id),
    )
