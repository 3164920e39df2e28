"""The demo's reporting cycle: the people who send and sign off manual measures, their
history, a closed quarter and a month in progress (some returns approved, some waiting,
one sent back, some late), all made through the cycle's own functions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa

from access.identity import Viewer
from access.users import LocalPasswordProvider, add_user
from cycle.closing import close_cycle
from cycle.entry import Figures, ReturnKey, save_return
from cycle.opening import areas_returned, open_cycle
from cycle.signoff import approve_return, send_back
from metrics.engine.period_codes import parse_period_code, period_code
from metrics.engine.periods import period_bounds, previous_period
from metrics.registry.loader import Registry
from pipelines.returns import EnteredFigure, load_figures
from warehouse.returns import find_cycle
from warehouse.users import find_user

# user name: (display name, role, email, the portfolio they hold)
DEMO_PEOPLE = {
    "demo-officer": ("Demo Officer", "officer", "performance@example.org", None),
    "demo-manager": ("Dee Manager (service manager)", "member", "dee.manager@example.org", None),
    "demo-analyst": ("Ash Analyst (service analyst)", "member", "ash.analyst@example.org", None),
    "demo-director": ("Dana Director (approver)", "officer", "dana.director@example.org", None),
    # A portfolio holder who takes the weekly pack by email
    "demo-cabinet": (
        "Cllr Demo (Children and Young People)",
        "member",
        "cllr.demo@example.org",
        "children-young-people",
    ),
}


@dataclass(frozen=True)
class DemoCycle:
    """What the demo cycle made: the month in progress, the closed quarter, returns made."""

    month: str
    quarter: str
    returns: int


def ensure_demo_people(engine: sa.Engine) -> dict[str, str]:
    """Create the demo accounts that are missing; their new passwords, by user name."""
    made = {}
    for username, (name, role, email, portfolio) in DEMO_PEOPLE.items():
        if find_user(engine, username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        add_user(
            engine,
            username,
            password,
            role,
            actor="pmf demo",
            display_name=name,
            email=email,
            portfolio=portfolio,
            weekly_pack=portfolio is not None,
        )
        made[username] = password
    return made


def load_manual_history(
    registry: Registry, history: pd.DataFrame, before: dict[str, date]
) -> list[EnteredFigure]:
    """The demo history of manual measures, for periods before each frequency's open cycle."""
    manual = {m.id: m for m in registry.metrics if m.is_manual}
    rows = history[history["metric_id"].isin(list(manual)) & ~history["is_benchmark"]]
    figures = []
    for row in rows.itertuples():
        metric = manual[str(row.metric_id)]
        start = pd.Timestamp(str(row.period_start)).date()
        if start >= before[metric.frequency]:
            continue
        figures.append(
            EnteredFigure(metric.id, str(row.area_code), start, float(row.value))  # type: ignore[arg-type]
        )
    return figures


def build_demo_cycle(
    registry: Registry, engine: sa.Engine, history: pd.DataFrame, as_of: date
) -> DemoCycle | None:
    """Load the manual measures' history and make the demo cycles; None if already made."""
    month_start = previous_period("monthly", period_bounds("monthly", as_of)[0])
    quarter_start = previous_period("quarterly", period_bounds("quarterly", as_of)[0])
    month, quarter = period_code("monthly", month_start), period_code("quarterly", quarter_start)
    with engine.connect() as conn:
        if find_cycle(conn, month) is not None:
            return None
    ensure_demo_people(engine)
    people = LocalPasswordProvider(engine)
    officer = _viewer(people, "demo-officer")
    before = {"monthly": month_start, "quarterly": quarter_start}
    figures = load_manual_history(registry, history, before)
    if figures:
        load_figures(
            registry,
            engine,
            figures,
            ref="demo history of manual measures",
            trigger="demo",
            triggered_by="pmf demo",
            evaluate=False,
        )
    actual = _figures(history)
    stamp = datetime.combine(as_of, time(9, 0))

    # The quarter: every return sent and approved, then the period closed
    quarter_end = period_bounds("quarterly", quarter_start)[1]
    opened = open_cycle(
        registry,
        engine,
        quarter,
        quarter_end + timedelta(days=20),
        opened_by="demo-officer",
        now=stamp - timedelta(days=60),
    )
    total = opened.returns
    for metric in (m for m in registry.metrics if m.is_manual and m.frequency == "quarterly"):
        for area in areas_returned(registry, metric):
            _send(
                registry,
                engine,
                people,
                quarter,
                metric.id,
                area,
                actual,
                stamp - timedelta(days=50),
            )
            _approve(registry, engine, people, quarter, metric.id, area, stamp - timedelta(days=45))
    close_cycle(engine, quarter, by=officer, now=stamp - timedelta(days=40))

    # The month: due a few days ago, so what has not been sent is late
    due = max(as_of - timedelta(days=4), period_bounds("monthly", month_start)[1])
    opened = open_cycle(
        registry, engine, month, due, opened_by="demo-officer", now=stamp - timedelta(days=20)
    )
    total += opened.returns
    sent = stamp - timedelta(days=6)
    plan = {
        "foster-carers-approved": "approved",
        "safeguarding-referrals-24h": "submitted",
        "trading-standards-scams-prevented": "returned",
        "contact-centre-first-contact": "draft",
        "highways-claims-repudiated": "not_started",
    }
    for metric_id, state in plan.items():
        if not registry.has_metric(metric_id):
            continue
        _to_state(registry, engine, people, month, metric_id, None, state, actual, sent)
    if registry.has_metric("household-support-applications"):
        areas = areas_returned(registry, registry.metric("household-support-applications"))
        for index, area in enumerate(areas):
            state = ("approved", "approved", "submitted", "not_started")[index % 4]
            _to_state(
                registry,
                engine,
                people,
                month,
                "household-support-applications",
                area,
                state,
                actual,
                sent,
            )
    return DemoCycle(month, quarter, total)


def _to_state(
    registry: Registry,
    engine: sa.Engine,
    people: LocalPasswordProvider,
    period: str,
    metric_id: str,
    area: str | None,
    state: str,
    actual: dict[tuple[str, str, date], float],
    when: datetime,
) -> None:
    area = area or registry.plan.county.code
    if state == "not_started":
        return
    if state == "draft":
        _send(registry, engine, people, period, metric_id, area, actual, when, submit=False)
        return
    _send(registry, engine, people, period, metric_id, area, actual, when)
    if state == "approved":
        _approve(registry, engine, people, period, metric_id, area, when + timedelta(days=1))
    elif state == "returned":
        row_approver = registry.metric(metric_id).returns
        assert row_approver is not None
        send_back(
            registry,
            engine,
            ReturnKey(period, metric_id, area),
            "The figure is well below last month's: please check it against the case "
            "system and add a sentence on why.",
            by=_viewer(people, row_approver.approver),
            now=when + timedelta(days=1),
        )


def _send(
    registry: Registry,
    engine: sa.Engine,
    people: LocalPasswordProvider,
    period: str,
    metric_id: str,
    area: str,
    actual: dict[tuple[str, str, date], float],
    when: datetime,
    *,
    submit: bool = True,
) -> None:
    metric = registry.metric(metric_id)
    assert metric.returns is not None
    key = ReturnKey(period, metric_id, area)
    start = parse_period_code(period).start
    value = actual.get((metric_id, area, start))
    if value is None:
        return
    commentary = (
        f"{metric.name}: {value:g} this period. Demand was steady; the team is working to the "
        "improvement plan agreed at the last performance board."
    )
    save_return(
        registry,
        engine,
        key,
        Figures(value=value, commentary=commentary),
        by=_viewer(people, metric.returns.owner),
        submit=submit,
        today=start + timedelta(days=40),
        now=when,
    )


def _approve(
    registry: Registry,
    engine: sa.Engine,
    people: LocalPasswordProvider,
    period: str,
    metric_id: str,
    area: str,
    when: datetime,
) -> None:
    metric = registry.metric(metric_id)
    assert metric.returns is not None
    approve_return(
        registry,
        engine,
        ReturnKey(period, metric_id, area),
        by=_viewer(people, metric.returns.approver),
        now=when,
        evaluate=False,
    )


def _viewer(people: LocalPasswordProvider, username: str) -> Viewer:
    viewer = people.load(username)
    if viewer is None:
        raise RuntimeError(f"the demo account {username} is missing or disabled")
    return viewer


def _figures(history: pd.DataFrame) -> dict[tuple[str, str, date], float]:
    own = history[~history["is_benchmark"]]
    return {
        (str(m), str(a), pd.Timestamp(p).date()): float(v)
        for m, a, p, v in zip(
            own["metric_id"], own["area_code"], own["period_start"], own["value"], strict=True
        )
    }
