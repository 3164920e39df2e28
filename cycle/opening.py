"""Open a reporting cycle: one return for every manual measure and area due in a period.

Before anything is written, every owner and approver the returns would name is checked
against the accounts in the warehouse, and each one missing or disabled is reported at the
YAML line that names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from cycle.states import NOT_STARTED
from metrics.engine.period_codes import PeriodCode, parse_period_code
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from warehouse.returns import find_cycle, insert_cycle, insert_returns, record_event
from warehouse.transactions import transaction
from warehouse.users import find_user


class CycleProblem(ValueError):
    """A cycle cannot be opened, closed or read as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Opened:
    """What opening a cycle made."""

    period: PeriodCode
    due: date
    returns: int
    measures: int


def manual_measures(registry: Registry, period: PeriodCode) -> list[Metric]:
    """The manual measures reported at the frequency this period serves."""
    return [m for m in registry.metrics if m.is_manual and m.frequency in period.frequencies]


def areas_returned(registry: Registry, metric: Metric) -> list[str]:
    """The areas a manual measure's owner sends a figure for.

    The county for a county measure; every district, and the county unless PMF works the
    county's figure out from the districts (`aggregation`), for a district measure.
    """
    county = registry.plan.county.code
    if metric.area_level == "county":
        return [county]
    districts = [a.code for a in registry.plan.districts]
    return districts if metric.aggregation != "none" else [county, *districts]


def account_problems(registry: Registry, engine: sa.Engine, metrics: list[Metric]) -> list[str]:
    """Each owner or approver that is not an enabled account, at the line that names it."""
    problems: list[str] = []
    known: dict[str, str | None] = {}
    for metric in metrics:
        people = metric.returns
        if people is None:
            continue
        for role, username in (("owner", people.owner), ("approver", people.approver)):
            if username not in known:
                account = find_user(engine, username)
                known[username] = (
                    "no such account"
                    if account is None
                    else "the account is disabled"
                    if account["disabled_at"] is not None
                    else None
                )
            why = known[username]
            if why is not None:
                src = registry.sources.get(metric.id)
                where = f"{src.file}:{src.key_lines.get('returns', src.line)}" if src else metric.id
                problems.append(
                    f"{where}: {metric.id}.returns.{role}: '{username}': {why}; add it with "
                    "'pmf users add' or name another account"
                )
    return problems


def open_cycle(
    registry: Registry,
    engine: sa.Engine,
    code: str,
    due: date,
    *,
    opened_by: str,
    now: datetime | None = None,
) -> Opened:
    """Open the cycle for a period: one not-started return per manual measure and area."""
    now = now or datetime.now()
    try:
        period = parse_period_code(code)
    except ValueError as exc:
        raise CycleProblem(str(exc)) from None
    if due < period.end:
        raise CycleProblem(
            f"The due date {due:%d %b %Y} is before {period.code} ends on {period.end:%d %b %Y}; "
            "a figure is due after its period."
        )
    metrics = manual_measures(registry, period)
    if not metrics:
        # 'monthly', 'quarterly', ... read as they are; a calendar year needs words
        kinds = " or ".join(
            "by calendar year" if f == "calendar_year" else f for f in period.frequencies
        )
        raise CycleProblem(
            f"No manual measure is reported {kinds}, so {period.code} has no returns to ask for. "
            "A manual measure has 'source: manual' and 'returns:' in its YAML."
        )
    problems = account_problems(registry, engine, metrics)
    if problems:
        raise CycleProblem(
            "The cycle was not opened: some returns name people who cannot sign in.\n"
            + "\n".join(problems)
        )
    rows = [
        {
            "period": period.code,
            "metric_id": metric.id,
            "area_code": area,
            "period_start": period.start,
            "owner": metric.returns.owner,
            "approver": metric.returns.approver,
            "due_date": due,
            "state": NOT_STARTED,
            "updated_by": opened_by,
            "updated_at": now,
        }
        for metric in metrics
        if metric.returns is not None
        for area in areas_returned(registry, metric)
    ]
    with transaction(engine) as conn:
        existing = find_cycle(conn, period.code)
        if existing is not None:
            state = "closed" if existing["closed_at"] is not None else "open"
            raise CycleProblem(
                f"The cycle for {period.code} is already {state} (opened by "
                f"{existing['opened_by']} on {existing['opened_at']:%d %b %Y}); "
                "'pmf cycle status' lists its returns."
            )
        cycle_id = insert_cycle(
            conn,
            {
                "period": period.code,
                "period_start": period.start,
                "period_end": period.end,
                "due_date": due,
                "opened_by": opened_by,
                "opened_at": now,
            },
        )
        ids = insert_returns(conn, [{**row, "cycle_id": cycle_id} for row in rows])
        for return_id, row in zip(ids, rows, strict=True):
            record_event(
                conn,
                return_id=return_id,
                period=period.code,
                metric_id=row["metric_id"],
                area_code=row["area_code"],
                actor=opened_by,
                kind="opened",
                to_state=NOT_STARTED,
                note=f"due {due:%d %b %Y}",
                event_at=now,
            )
    return Opened(period, due, len(rows), len(metrics))
