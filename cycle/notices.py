"""Which emails are due as at a date, and what each says.

- A reminder to a return's owner `reminder_days_before` days before the due date (or on the
  first run after that) while a return is not yet submitted, and another on the due date.
- An escalation to the approver (the owner copied) once a return is late: past its due date,
  still not submitted.
- A notice to a manual measure's owner when a corrective-action flag is raised on it.
- The weekly pack to each portfolio holder who takes it, once in each ISO week.

An owner's returns for one cycle go in one email, not one each. Each notice has a key naming
what it is for; cycle.notify sends a key once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from cycle.mail import Block
from cycle.states import EDITABLE, is_late
from cycle.status import cycle_status
from metrics.registry.loader import Registry
from metrics.words import be, plural, return_state_word, rule_word
from reports.narrative import day_text
from warehouse.flags import OPEN, decode_reasons, read_flags
from warehouse.users import list_users

REMINDER_BEFORE, REMINDER_DUE, ESCALATION, FLAG_NOTICE, WEEKLY_PACK = (
    "reminder-before",
    "reminder-due",
    "escalation",
    "flag",
    "weekly-pack",
)
EMAIL_KINDS = (REMINDER_BEFORE, REMINDER_DUE, ESCALATION, FLAG_NOTICE, WEEKLY_PACK)
# A flag raised longer ago than this gets no notice: turning email on does not send the owners
# of every old flag a notice, while a run missed for a few days still catches up
FLAG_NOTICE_DAYS = 7


@dataclass(frozen=True)
class ReturnRef:
    """A return an email is about, for its audit trail."""

    return_id: int
    period: str
    metric_id: str
    area_code: str


@dataclass(frozen=True)
class Notice:
    """One email that is due: for whom, about what, and the words of it."""

    key: str
    kind: str
    recipient: str  # the account it is for
    to: tuple[str, ...]
    subject: str
    blocks: tuple[Block, ...]
    cc: tuple[str, ...] = ()
    returns: tuple[ReturnRef, ...] = ()
    portfolio: str | None = None  # a weekly pack: the portfolio whose pack goes with it

    @property
    def address(self) -> str:
        """Every address it goes to, as recorded."""
        return ", ".join((*self.to, *self.cc))


@dataclass(frozen=True)
class Skipped:
    """An email that is due but cannot go, and why (no address, a disabled account...)."""

    key: str
    kind: str
    recipient: str
    subject: str
    why: str


@dataclass
class Due:
    """What is due as at a date: the emails to send, and those that cannot go."""

    notices: list[Notice] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def due_notices(registry: Registry, engine: sa.Engine, today: date) -> Due:
    """Every email due as at `today`, whether or not it was sent before."""
    people = _People(list_users(engine))
    due = Due()
    site = str(registry.settings["dashboard_url"]).strip().rstrip("/")
    for kind, recipient, draft in [
        *_return_reminders(registry, engine, today, people),
        *_flag_notices(registry, engine, today, people),
        *_weekly_packs(registry, today, people),
    ]:
        if site and draft.page:
            draft = replace(draft, blocks=(*draft.blocks, f"Open it in PMF: {site}{draft.page}"))
        address, why = people.address(recipient)
        if draft.problem is not None or address is None:
            why = draft.problem or why
            due.skipped.append(Skipped(draft.key, kind, recipient, draft.subject, why))
        else:
            cc = tuple(a for a in draft.cc if a != address)
            due.notices.append(
                Notice(
                    key=draft.key,
                    kind=kind,
                    recipient=recipient,
                    to=(address,),
                    subject=draft.subject,
                    blocks=draft.blocks,
                    cc=cc,
                    returns=draft.returns,
                    portfolio=draft.portfolio,
                )
            )
    return due


@dataclass(frozen=True)
class _Draft:
    key: str
    subject: str
    blocks: tuple[Block, ...]
    cc: tuple[str, ...] = ()
    returns: tuple[ReturnRef, ...] = ()
    portfolio: str | None = None
    problem: str | None = None  # why it cannot go, whoever it is for
    page: str | None = None  # the dashboard page it is about, linked when dashboard_url is set


class _People:
    """The accounts, by user name: their names and where their email goes."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.rows = {str(r["username"]): r for r in _records(frame)}

    def name(self, username: str) -> str:
        row = self.rows.get(username)
        return str(row["display_name"]) if row and _text(row["display_name"]) else username

    def address(self, username: str) -> tuple[str | None, str]:
        """The account's address, or None and why not."""
        row = self.rows.get(username)
        if row is None:
            return None, f"there is no account '{username}'"
        if pd.notna(row["disabled_at"]):
            return None, f"the account '{username}' is disabled"
        email = _text(row["email"])
        if email is None:
            return None, (
                f"'{username}' has no email address; add one with "
                f"'pmf users update {username} --email ADDRESS'"
            )
        return email, ""

    def weekly_readers(self) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["weekly_pack"] is True or r["weekly_pack"] == 1]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _return_reminders(
    registry: Registry, engine: sa.Engine, today: date, people: _People
) -> list[tuple[str, str, _Draft]]:
    frame = cycle_status(registry, engine, today=today)
    if frame.empty:
        return []
    waiting = frame[frame["state"].isin(list(EDITABLE))]
    before = int(registry.settings["reminder_days_before"])
    found: list[tuple[str, str, _Draft]] = []
    for (period, owner, due), rows in waiting.groupby(["period", "owner", "due"], sort=True):
        due_day = pd.Timestamp(str(due)).date()
        mine = _records(rows)
        if today == due_day:
            draft = _reminder(str(period), str(owner), due_day, today, mine, people)
            found.append((REMINDER_DUE, str(owner), draft))
        elif due_day - timedelta(days=before) <= today < due_day:
            draft = _reminder(str(period), str(owner), due_day, today, mine, people)
            found.append((REMINDER_BEFORE, str(owner), draft))
        elif today > due_day:
            late = [r for r in mine if is_late(str(r["state"]), due_day, today)]
            for approver in sorted({str(r["approver"]) for r in late}):
                theirs = [r for r in late if r["approver"] == approver]
                draft = _escalation(str(period), str(owner), approver, due_day, theirs, people)
                found.append((ESCALATION, approver, draft))
    return found


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _return_lines(records: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(
        f"{r['metric_name']}, {r['area_name']}: {return_state_word(str(r['state']))}"
        for r in records
    )


def _refs(records: list[dict[str, Any]]) -> tuple[ReturnRef, ...]:
    return tuple(
        ReturnRef(int(r["return_id"]), str(r["period"]), str(r["metric_id"]), str(r["area_code"]))
        for r in records
    )


def _reminder(
    period: str,
    owner: str,
    due_day: date,
    today: date,
    records: list[dict[str, Any]],
    people: _People,
) -> _Draft:
    count = len(records)
    returns = plural(count, "return")
    days = (due_day - today).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    kind = REMINDER_DUE if days == 0 else REMINDER_BEFORE
    subject = (
        f"Due today: {returns} for {period}"
        if days == 0
        else f"Reminder: {returns} for {period} {be(count)} due on {day_text(due_day)}"
    )
    blocks: tuple[Block, ...] = (
        f"Dear {people.name(owner)},",
        f"{returns.capitalize()} for {period} {be(count)} due {when} ({day_text(due_day)}) "
        f"and {'has' if count == 1 else 'have'} not yet been submitted:",
        _return_lines(records),
        "Enter each figure in PMF and submit it, so that its approver can sign it off.",
        "You are sent this because you return these measures' figures.",
    )
    return _Draft(
        key=f"{kind}:{period}:{owner}:{due_day.isoformat()}",
        subject=subject,
        blocks=blocks,
        returns=_refs(records),
        page="/returns",
    )


def _escalation(
    period: str,
    owner: str,
    approver: str,
    due_day: date,
    records: list[dict[str, Any]],
    people: _People,
) -> _Draft:
    count = len(records)
    returns = plural(count, "return")
    owner_name = people.name(owner)
    owner_address, _ = people.address(owner)
    cc = (owner_address,) if owner_address is not None and owner != approver else ()
    blocks: list[Block] = [
        f"Dear {people.name(approver)},",
        f"{returns.capitalize()} for {period} from {owner_name} {'was' if count == 1 else 'were'} "
        f"due on {day_text(due_day)} and {'has' if count == 1 else 'have'} not been submitted:",
        _return_lines(records),
        "You sign these returns off; please ask for the figures, or tell the performance team "
        "if they cannot be given.",
    ]
    if cc:
        blocks.append(f"{owner_name} has a copy of this email.")
    return _Draft(
        key=f"{ESCALATION}:{period}:{approver}:{owner}:{due_day.isoformat()}",
        subject=f"Late: {returns} for {period} from {owner_name}",
        blocks=tuple(blocks),
        cc=cc,
        returns=_refs(records),
        page=f"/cycle?period={period}",
    )


def _flag_notices(
    registry: Registry, engine: sa.Engine, today: date, people: _People
) -> list[tuple[str, str, _Draft]]:
    owners = {
        m.id: m.returns.owner for m in registry.metrics if m.is_manual and m.returns is not None
    }
    if not owners:
        return []
    frame = read_flags(
        engine, statuses=[OPEN], subject_type="metric", subject_ids=sorted(owners), today=today
    )
    earliest = today - timedelta(days=FLAG_NOTICE_DAYS)
    found = []
    for flag in frame.to_dict("records"):
        raised = pd.Timestamp(flag["raised_at"]).to_pydatetime()
        if not earliest <= raised.date() <= today:
            continue
        metric = registry.metric(str(flag["subject_id"]))
        owner = owners[metric.id]
        area = _text(flag["area_code"])
        where = f" ({registry.area_name(area)})" if area else ""
        reasons = decode_reasons(flag["reasons"]) or [
            {"rule": str(flag["rule"]), "detail": str(flag["detail"] or "")}
        ]
        lines = tuple(
            f"{rule_word(r['rule'])}: {r['detail']}" if r["detail"] else rule_word(r["rule"])
            for r in reasons
        )
        blocks: tuple[Block, ...] = (
            f"Dear {people.name(owner)},",
            f"A corrective-action flag was raised on {day_text(raised.date())} on "
            f"{metric.name}{where}, a measure whose figures you return, because:",
            lines,
            f"Please look at it on the measure's page in PMF (flag {flag['id']}): acknowledge "
            "it, and plan the corrective action.",
        )
        found.append(
            (
                FLAG_NOTICE,
                owner,
                _Draft(
                    key=f"{FLAG_NOTICE}:{flag['id']}:{raised:%Y-%m-%dT%H:%M:%S}",
                    subject=f"Flag raised: {metric.name}{where}",
                    blocks=blocks,
                    page=f"/metric/{metric.id}",
                ),
            )
        )
    return found


def _weekly_packs(
    registry: Registry, today: date, people: _People
) -> list[tuple[str, str, _Draft]]:
    year, week, _ = today.isocalendar()
    portfolios = {p.id: p for p in registry.plan.portfolios}
    found = []
    for row in people.weekly_readers():
        username = str(row["username"])
        key = f"{WEEKLY_PACK}:{username}:{year}-W{week:02d}"
        portfolio = portfolios.get(str(_text(row["portfolio"]) or ""))
        if portfolio is None:
            held = _text(row["portfolio"])
            problem = (
                f"'{username}' takes the weekly pack of the portfolio '{held}', which the plan "
                "does not have; set another with 'pmf users update --portfolio'"
                if held
                else f"'{username}' takes the weekly pack but holds no portfolio; set one with "
                f"'pmf users update {username} --portfolio ID'"
            )
            draft = _Draft(key=key, subject="Weekly pack", blocks=(), problem=problem)
            found.append((WEEKLY_PACK, username, draft))
            continue
        blocks: tuple[Block, ...] = (
            f"Dear {people.name(username)},",
            f"The {portfolio.name} pack as at {day_text(today)} is attached: open the HTML file "
            "in a web browser.",
        )
        found.append(
            (
                WEEKLY_PACK,
                username,
                _Draft(
                    key=key,
                    subject=f"Weekly pack: {portfolio.name}, {day_text(today)}",
                    blocks=blocks,
                    portfolio=portfolio.id,
                    page=f"/portfolio/{portfolio.id}",
                ),
            )
        )
    return found
