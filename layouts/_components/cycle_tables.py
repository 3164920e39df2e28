"""Tables of the reporting cycle: a person's returns, those waiting for sign-off, how complete
a cycle is, every return of a cycle, and the audit trail. Pure builders over the frames
`cycle` gives; each wide table scrolls inside its own labelled region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.return_forms import day_words, figure_words, state_words
from layouts._components.status import rag_badge
from layouts._components.tables import simple_table
from metrics.registry.loader import Registry
from metrics.words import LATE, plural, rag_word, return_state_word


def return_href(return_id: Any) -> str:
    """The address of one return's own view."""
    return f"/returns?return={int(return_id)}"


def _metric_of(registry: Registry, metric_id: str) -> Any:
    return registry.metric(metric_id) if registry.has_metric(metric_id) else None


def _linked(frame: pd.DataFrame) -> tuple[pd.DataFrame, Callable[[Any], Any]]:
    """The frame with a 'measure' cell that links to each return's view."""
    linked = frame.assign(
        measure=pd.Series(
            list(zip(frame["metric_name"], frame["return_id"], strict=True)),
            index=frame.index,
            dtype=object,
        )
    )
    return linked, lambda pair: dcc.Link(str(pair[0]), href=return_href(pair[1]))


def my_returns_table(registry: Registry, frame: pd.DataFrame) -> Any:
    """The owner's returns: measure (linked to its form), area, period, due, state, late,
    target and the last figure held."""
    if frame.empty:
        return html.P("You have no returns in an open cycle.", id="returns-none")
    rows, link = _linked(frame)
    rows = rows.assign(
        due_words=[day_words(d) for d in rows["due"]],
        state_word=[return_state_word(str(s)) for s in rows["state"]],
        late_word=[LATE if late else "" for late in rows["late"]],
        target_words=[
            figure_words(t, _metric_of(registry, m)) or rag_word("no_target")
            for t, m in zip(rows["target"], rows["metric_id"], strict=True)
        ],
        last_words=[
            f"{figure_words(v, _metric_of(registry, m))} ({p})" if p else "None held"
            for v, m, p in zip(
                rows["last_value"], rows["metric_id"], rows["last_period"], strict=True
            )
        ],
    )
    to_do = int(rows["state"].isin(["not_started", "draft", "returned"]).sum())
    late = int(rows["late"].astype(bool).sum())
    return html.Div(
        [
            html.P(
                f"{plural(len(rows), 'return')}: {to_do} still to send"
                + (f", {late} of them late." if late else "."),
                id="returns-count",
            ),
            simple_table(
                rows,
                {
                    "measure": "Measure",
                    "area_name": "Area",
                    "period_label": "Period",
                    "due_words": "Due",
                    "state_word": "State",
                    "late_word": "Late",
                    "target_words": "Target",
                    "last_words": "Last figure",
                },
                caption="Your returns in open cycles; choose a measure to enter its figure",
                row_header="measure",
                formatters={"measure": link},
                table_id="returns-table",
            ),
        ]
    )


def _return_card(registry: Registry, row: pd.Series, action: str) -> html.Li:
    metric = _metric_of(registry, str(row["metric_id"]))
    facts = [
        ("Figure", figure_words(row["value"], metric) or "None entered"),
        ("Target", figure_words(row["target"], metric) or rag_word("no_target")),
        ("Status", rag_badge(str(row["rag"]))),
        ("Commentary", row.get("commentary") or "None"),
        ("Owner", row["owner"]),
        ("State", state_words(dict(row))),
    ]
    return html.Li(
        [
            html.H3(f"{row['metric_name']}: {row['area_name']}, {row['period_label']}"),
            html.Dl([part for key, value in facts for part in (html.Dt(key), html.Dd(value))]),
            dcc.Link(action, href=return_href(row["return_id"]), className="pmf-card-action"),
        ],
        className="pmf-card",
    )


def waiting_list(registry: Registry, frame: pd.DataFrame, list_id: str, action: str) -> Any:
    """Returns shown as cards (figure, target, status, commentary), each linking to its view
    with `action` as the link's words."""
    if frame.empty:
        return None
    return html.Ul(
        [_return_card(registry, row, action) for _, row in frame.iterrows()],
        className="pmf-cards",
        id=list_id,
    )


def _share(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value) * 100:.0f}%"


def completeness_table(frame: pd.DataFrame, by: str, caption: str) -> Any:
    """Share returned, approved and late for each directorate or portfolio, and overall."""
    if frame.empty:
        return html.P("No returns to count.")
    rows = frame.assign(
        returned_share=[_share(v) for v in frame["returned"]],
        approved_share=[_share(v) for v in frame["approved"]],
        late_share=[_share(v) for v in frame["late"]],
    )
    return simple_table(
        rows,
        {
            "name": "Directorate" if by == "directorate" else "Portfolio",
            "returns": "Returns",
            "returned_share": "Returned",
            "approved_share": "Approved",
            "late_share": "Late",
        },
        caption=caption,
        row_header="name",
        numeric=("returns", "returned_share", "approved_share", "late_share"),
        table_id=f"cycle-by-{by}",
    )


def cycle_returns_table(frame: pd.DataFrame, may_open: Callable[[pd.Series], bool]) -> Any:
    """Every return of the chosen cycles: measure (linked for those who may open it), area,
    period, owner, approver, state, due and late."""
    if frame.empty:
        return html.P("This cycle has no returns.", id="cycle-returns-none")
    rows = frame.assign(
        measure=pd.Series(
            [
                (row["metric_name"], row["return_id"] if may_open(row) else None)
                for _, row in frame.iterrows()
            ],
            index=frame.index,
            dtype=object,
        ),
        due_words=[day_words(d) for d in frame["due"]],
        state_word=[return_state_word(str(s)) for s in frame["state"]],
        late_word=[LATE if late else "" for late in frame["late"]],
    )
    return simple_table(
        rows,
        {
            "measure": "Measure",
            "area_name": "Area",
            "period": "Period",
            "owner": "Owner",
            "approver": "Approver",
            "state_word": "State",
            "due_words": "Due",
            "late_word": "Late",
        },
        caption=f"Every return: {plural(len(rows), 'return')}",
        row_header="measure",
        formatters={
            "measure": lambda pair: (
                dcc.Link(str(pair[0]), href=return_href(pair[1]))
                if pair[1] is not None
                else str(pair[0])
            )
        },
        table_id="cycle-returns-table",
    )


def trail_table(frame: pd.DataFrame, limit: int) -> Any:
    """The audit trail, newest first: when, who, what, measure, area, period, change, value
    and note."""
    if frame.empty:
        return html.P("No steps match these filters.", id="audit-empty")
    rows = frame.assign(when=[f"{pd.Timestamp(t):%-d %b %Y %H:%M}" for t in frame["event_at"]])
    caption = f"{plural(len(rows), 'step')}, newest first"
    if len(rows) >= limit:
        caption += f" (the newest {limit}: narrow the filters to see earlier ones)"
    return simple_table(
        rows,
        {
            "when": "When",
            "actor": "Who",
            "what": "What",
            "measure": "Measure",
            "area": "Area",
            "period": "Period",
            "change": "State",
            "value": "Value",
            "note": "Note",
        },
        caption=caption,
        row_header="when",
        table_id="audit-table",
    )
