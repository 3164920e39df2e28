"""Send the emails that are due (cycle.notices), each at most once.

Each email's key is claimed in the `notifications` table before it goes, and marked sent once
the mail server has taken it; a rerun, or a restart part-way, finds the key and sends nothing
again. An email the server refused, or sent while no server answered, is marked failed and
tried again by the next run. Every email about returns is written into their audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cycle.mail import (
    SMTP_EXAMPLES,
    SMTP_URL_ENV,
    Attachment,
    Block,
    MailProblem,
    MailServer,
    MaybeSent,
    NotSent,
    build_message,
    parse_smtp_url,
    smtp_url_from_env,
)
from cycle.notices import Notice, Skipped, due_notices
from metrics.registry.loader import Registry
from metrics.words import email_kind_word
from reports.charts import ChartError
from reports.pack import build_pack
from reports.produce import MEDIA_TYPES, draw_charts, file_name, render
from reports.scope import resolve_scope
from warehouse.notifications import claim, keys_taken, mark_failed, mark_sent, note_uncertain
from warehouse.returns import record_event
from warehouse.transactions import transaction

LOG = logging.getLogger("pmf.email")
# Who the audit trail says sent an email
ACTOR = "PMF"


@dataclass(frozen=True)
class Failed:
    """An email that did not go (or may not have), and why."""

    notice: Notice
    error: str


@dataclass
class Outcome:
    """What a run sent (or, in a dry run, would send), skipped and failed."""

    as_at: date
    dry_run: bool
    sent: list[Notice] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    uncertain: list[Failed] = field(default_factory=list)  # may have gone: not sent again
    already: int = 0  # due, but sent before

    @property
    def ok(self) -> bool:
        """Whether every email that could go went."""
        return not self.failed and not self.uncertain

    def summary(self) -> str:
        """One line for the command line and the scheduler's log."""
        verb = "would be sent" if self.dry_run else "sent"
        parts = [f"{len(self.sent)} {verb}", f"{len(self.skipped)} skipped"]
        if not self.dry_run:
            parts.append(f"{len(self.failed)} failed")
        if self.uncertain:
            parts.append(f"{len(self.uncertain)} not known to have gone")
        if self.already:
            parts.append(f"{self.already} sent before")
        tail = " (dry run: nothing was sent or recorded)" if self.dry_run else ""
        return f"Emails as at {self.as_at:%d %b %Y}: {', '.join(parts)}{tail}."


def local_today(registry: Registry) -> date:
    """Today's date in the site's time zone."""
    return datetime.now(ZoneInfo(str(registry.settings["timezone"]))).date()


def send_due(
    registry: Registry,
    engine: sa.Engine,
    *,
    today: date | None = None,
    dry_run: bool = False,
    smtp_url: str | None = None,
) -> Outcome:
    """Send every email due as at `today` (default: today) that was not sent before.

    `smtp_url` defaults to $PMF_SMTP_URL; MailProblem if it is unset or cannot be read. A dry
    run lists what would go, and sends and records nothing (it needs no mail server).
    """
    today = today or local_today(registry)
    text = smtp_url or smtp_url_from_env()
    server_url = parse_smtp_url(text) if text is not None else None
    if server_url is None and not dry_run:
        raise MailProblem(
            f"{SMTP_URL_ENV} is not set, so no email can be sent; set it to the mail server, "
            f"e.g. {SMTP_EXAMPLES} (or use --dry-run to see what would go)."
        )
    due = due_notices(registry, engine, today)
    taken = keys_taken(engine, [n.key for n in due.notices])
    outcome = Outcome(today, dry_run, skipped=due.skipped, already=len(taken))
    waiting = [n for n in due.notices if n.key not in taken]
    if dry_run or server_url is None:
        outcome.sent = waiting
        return outcome
    sender = str(registry.settings["mail_from"])
    packs: dict[str, tuple[tuple[Block, ...], tuple[Attachment, ...]]] = {}
    with MailServer(server_url) as server:
        for notice in waiting:
            _send_one(registry, engine, server, sender, notice, today, packs, outcome)
    LOG.info("%s", outcome.summary())
    return outcome


def _send_one(
    registry: Registry,
    engine: sa.Engine,
    server: MailServer,
    sender: str,
    notice: Notice,
    today: date,
    packs: dict[str, tuple[tuple[Block, ...], tuple[Attachment, ...]]],
    outcome: Outcome,
) -> None:
    """Claim the notice's key, send it, and record what happened."""
    row = claim(
        engine,
        key=notice.key,
        kind=notice.kind,
        recipient=notice.recipient,
        address=notice.address,
        subject=notice.subject,
        now=datetime.now(),
    )
    if row is None:
        outcome.already += 1  # another run took it since this one looked
        return
    blocks = notice.blocks
    attachments: tuple[Attachment, ...] = ()
    if notice.portfolio is not None:
        try:
            if notice.portfolio not in packs:
                packs[notice.portfolio] = _pack(registry, engine, notice.portfolio, today)
            summary, attachments = packs[notice.portfolio]
        except Exception as exc:  # noqa: BLE001 - a pack that cannot be built is this email's failure
            _failed(engine, row, notice, f"the pack could not be built: {exc}", outcome)
            return
        blocks = (*notice.blocks, *summary)
    message = build_message(
        sender=sender,
        to=notice.to,
        cc=notice.cc,
        subject=notice.subject,
        blocks=blocks,
        attachments=attachments,
    )
    try:
        server.send(message)
    except NotSent as exc:
        _failed(engine, row, notice, str(exc), outcome)
        return
    except MaybeSent as exc:
        note_uncertain(engine, row, str(exc))
        outcome.uncertain.append(Failed(notice, str(exc)))
        LOG.warning("%s to %s may not have gone: %s", notice.kind, notice.address, exc)
        return
    now = datetime.now()
    with transaction(engine) as conn:
        mark_sent(conn, row, now)
        for ref in notice.returns:
            record_event(
                conn,
                return_id=ref.return_id,
                period=ref.period,
                metric_id=ref.metric_id,
                area_code=ref.area_code,
                actor=ACTOR,
                kind="email",
                note=(
                    f"{email_kind_word(notice.kind)} to {notice.recipient} "
                    f"<{notice.address}>: {notice.subject}"
                ),
                event_at=now,
            )
    outcome.sent.append(notice)
    LOG.info("sent %s to %s: %s", notice.kind, notice.address, notice.subject)


def _failed(engine: sa.Engine, row: int, notice: Notice, error: str, outcome: Outcome) -> None:
    mark_failed(engine, row, error)
    outcome.failed.append(Failed(notice, error))
    LOG.warning("%s to %s not sent: %s", notice.kind, notice.address, error)


def _pack(
    registry: Registry, engine: sa.Engine, portfolio: str, today: date
) -> tuple[tuple[Block, ...], tuple[Attachment, ...]]:
    """The portfolio's pack as an HTML attachment, and its summary for the body."""
    pack = build_pack(registry, engine, resolve_scope(registry, "portfolio", portfolio), today)
    blocks: list[Block] = ["Its summary:", *(p.full for p in pack.summary)]
    try:
        charts = draw_charts([pack])[0]
    except ChartError as exc:
        # The words and tables still stand without the pictures
        LOG.warning("weekly pack for %s sent without charts: %s", portfolio, exc)
        charts = {}
        blocks.append("The charts could not be drawn for this copy; the dashboard has them.")
    rendered = render(pack, "html", charts)
    attachment = Attachment(file_name(pack, "html"), rendered.data, MEDIA_TYPES["html"])
    return tuple(blocks), (attachment,)
