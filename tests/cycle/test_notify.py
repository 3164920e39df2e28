"""Emails for the reporting cycle, sent through a real SMTP server running in this process
(aiosmtpd) and read back as it received them, on a real warehouse (DuckDB and PostgreSQL).

The October 2026 cycle is due on Saturday 14 November 2026. Its monthly manual measures are
returned by demo-manager (foster carers, safeguarding, trading standards, household support
by district) and demo-analyst (contact centre, highways claims); demo-director and
demo-officer sign them off.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner

from access.users import LocalPasswordProvider, add_user, update_user
from cli import main
from cycle.entry import Figures, ReturnKey, save_return
from cycle.mail import MailProblem, parse_smtp_url
from cycle.notify import send_due
from cycle.opening import open_cycle
from metrics.registry.loader import Registry
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine
from warehouse.flags import insert_flag
from warehouse.notifications import read_notifications
from warehouse.returns import read_events
from warehouse.schema import create_tables
from warehouse.transactions import transaction

PASSWORD = "a-long-password-1"
PERIOD, DUE = "2026-10", date(2026, 11, 14)
THREE_DAYS_BEFORE, DAY_AFTER = date(2026, 11, 11), date(2026, 11, 15)
PEOPLE = {
    "demo-manager": ("Mo Manager", "mo.manager@council.example.org"),
    "demo-analyst": ("Ann Analyst", "ann.analyst@council.example.org"),
    "demo-director": ("Di Director", "di.director@council.example.org"),
    "demo-officer": ("Olu Officer", "olu.officer@council.example.org"),
}
MANAGER, ANALYST, DIRECTOR = (
    PEOPLE[n][1] for n in ("demo-manager", "demo-analyst", "demo-director")
)


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, media_type: str) -> str:
        """The text of the message's part of this type."""
        for part in self.message.walk():
            if part.get_content_type() == media_type and not part.get_filename():
                return str(part.get_content())
        raise AssertionError(f"no {media_type} part in {self.subject!r}")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(file name, media type, bytes) of each attachment."""
        found = []
        for part in self.message.walk():
            if part.get_filename():
                data = part.get_payload(decode=True)
                assert isinstance(data, bytes)
                found.append((str(part.get_filename()), part.get_content_type(), data))
        return found


class Inbox:
    """The SMTP server's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on a free loopback port, and its PMF_SMTP_URL."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
def cycle(registry: Registry, engine: sa.Engine) -> sa.Engine:
    """The four people with email addresses, and the October 2026 cycle open."""
    for username, (name, _) in PEOPLE.items():
        add_user(engine, username, PASSWORD, "officer", actor="test", display_name=name)
        update_user(engine, username, actor="test", email=PEOPLE[username][1])
    open_cycle(registry, engine, PERIOD, DUE, opened_by="test", now=datetime(2026, 11, 1, 9))
    return engine


def test_a_reminder_three_days_before_reaches_each_owner_once(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str], db_url: str
) -> None:
    server, url = inbox
    outcome = send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)

    assert outcome.ok and not outcome.skipped
    assert sorted(n.recipient for n in outcome.sent) == ["demo-analyst", "demo-manager"]
    [mine] = server.to(MANAGER)
    assert mine.subject.startswith("Reminder: ")
    assert "for 2026-10 are due on 14 November 2026" in mine.subject
    assert mine.sender == "pmf@localhost" and mine.recipients == [MANAGER]
    text, html = mine.part("text/plain"), mine.part("text/html")
    assert "Dear Mo Manager," in text
    assert "due in 3 days (14 November 2026)" in text
    assert "- New foster carer households approved, Staffordshire: Not started" in text
    assert "- Household Support Fund applications paid within 10 days, Cannock Chase" in text
    assert "<li>New foster carer households approved, Staffordshire: Not started</li>" in html
    assert "<p>Dear Mo Manager,</p>" in html
    [theirs] = server.to(ANALYST)
    assert "Calls resolved at first contact" in theirs.part("text/plain")
    assert "foster" not in theirs.part("text/plain")

    # The audit trail names each return the email was about
    emails = read_events(cycle, metric_id="contact-centre-first-contact")
    emails = emails[emails["kind"] == "email"]
    assert list(emails["actor"]) == ["PMF"]
    assert "demo-analyst <ann.analyst@council.example.org>" in emails["note"].iloc[0]

    # A second run, and a run after a restart (a new engine), send nothing again
    again = send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)
    assert again.sent == [] and again.already == 2
    cycle.dispose()
    get_engine.cache_clear()
    restarted = sa.create_engine(db_url)
    try:
        assert send_due(registry, restarted, today=date(2026, 11, 12), smtp_url=url).sent == []
    finally:
        restarted.dispose()
    assert len(server.received) == 2
    assert set(read_notifications(cycle)["status"]) == {"sent"}


def test_on_the_due_day_another_reminder_goes(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)
    outcome = send_due(registry, cycle, today=DUE, smtp_url=url)

    assert {n.kind for n in outcome.sent} == {"reminder-due"}
    due_today = [r for r in server.to(MANAGER) if r.subject.startswith("Due today:")]
    assert len(due_today) == 1 and "for 2026-10" in due_today[0].subject
    assert "due today (14 November 2026)" in due_today[0].part("text/plain")


def test_a_late_return_is_escalated_to_its_approver_with_the_owner_copied(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    outcome = send_due(registry, cycle, today=DAY_AFTER, smtp_url=url)

    escalations = [n for n in outcome.sent if n.kind == "escalation"]
    # demo-manager's returns go to two approvers; demo-analyst's to one
    assert sorted((n.recipient, n.cc) for n in escalations) == [
        ("demo-director", (ANALYST,)),
        ("demo-director", (MANAGER,)),
        ("demo-officer", (MANAGER,)),
    ]
    late = [r for r in server.to(DIRECTOR) if "from Ann Analyst" in r.subject]
    assert len(late) == 1 and late[0].subject == "Late: 2 returns for 2026-10 from Ann Analyst"
    assert late[0].recipients == [DIRECTOR, ANALYST]
    assert late[0].message["Cc"] == ANALYST
    text = late[0].part("text/plain")
    assert "were due on 14 November 2026 and have not been submitted" in text
    assert "Highways insurance claims repudiated" in text
    # Once only, however many days it stays late
    assert send_due(registry, cycle, today=date(2026, 11, 20), smtp_url=url).sent == []


def test_a_submitted_return_gets_no_reminder(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    analyst = LocalPasswordProvider(cycle).load("demo-analyst")
    assert analyst is not None
    county = registry.plan.county.code
    for metric_id in ("contact-centre-first-contact", "highways-claims-repudiated"):
        save_return(
            registry,
            cycle,
            ReturnKey(PERIOD, metric_id, county),
            Figures(value="80", numerator="80", denominator="100", commentary="As expected."),
            by=analyst,
            submit=True,
            today=date(2026, 11, 5),
        )

    send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)
    send_due(registry, cycle, today=DAY_AFTER, smtp_url=url)
    assert server.to(ANALYST) == []
    assert all("Ann Analyst" not in r.subject for r in server.received)
    assert server.to(MANAGER)  # the manager's returns are still waiting


def test_a_dry_run_lists_what_would_go_and_sends_and_records_nothing(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    outcome = send_due(registry, cycle, today=THREE_DAYS_BEFORE, dry_run=True, smtp_url=url)

    assert sorted((n.kind, n.recipient) for n in outcome.sent) == [
        ("reminder-before", "demo-analyst"),
        ("reminder-before", "demo-manager"),
    ]
    assert "would be sent" in outcome.summary()
    assert server.received == []
    assert read_notifications(cycle).empty
    events = read_events(cycle)
    assert "email" not in set(events["kind"])
    # ...so the real run afterwards still sends them
    assert len(send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url).sent) == 2


def test_a_flag_raised_on_a_manual_measure_gives_its_owner_one_notice(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    county = registry.plan.county.code
    with transaction(cycle) as conn:
        insert_flag(
            conn,
            subject_type="metric",
            subject_id="foster-carers-approved",
            area_code=county,
            rule="off_target",
            detail="Red for 2 periods in a row",
            owner=None,
            actor="engine",
            now=datetime(2026, 11, 2, 6, 30),
        )
        # Not a manual measure: its owner is nobody PMF emails
        insert_flag(
            conn,
            subject_type="metric",
            subject_id="jobs-created",
            area_code=county,
            rule="off_target",
            detail="Red for 2 periods in a row",
            owner=None,
            actor="engine",
            now=datetime(2026, 11, 2, 6, 30),
        )

    outcome = send_due(registry, cycle, today=date(2026, 11, 3), smtp_url=url)
    assert [(n.kind, n.recipient) for n in outcome.sent] == [("flag", "demo-manager")]
    [notice] = server.received
    assert notice.recipients == [MANAGER]
    assert notice.subject == "Flag raised: New foster carer households approved (Staffordshire)"
    text = notice.part("text/plain")
    assert "raised on 2 November 2026" in text and "Red for 2 periods in a row" in text
    assert send_due(registry, cycle, today=date(2026, 11, 4), smtp_url=url).sent == []
    assert len(server.received) == 1


def test_the_weekly_pack_goes_to_a_portfolio_holder_who_takes_it_once_a_week(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    add_user(
        cycle,
        "cllr-finance",
        PASSWORD,
        "member",
        actor="test",
        display_name="Cllr Fin",
        email="cllr.fin@council.example.org",
        portfolio="finance",
        weekly_pack=True,
        plan_portfolios=[p.id for p in registry.plan.portfolios],
    )
    monday = date(2026, 11, 2)  # before any reminder is due
    outcome = send_due(registry, cycle, today=monday, smtp_url=url)

    assert [(n.kind, n.recipient) for n in outcome.sent] == [("weekly-pack", "cllr-finance")]
    [pack] = server.received
    assert pack.recipients == ["cllr.fin@council.example.org"]
    assert pack.subject.startswith("Weekly pack: ") and "2 November 2026" in pack.subject
    assert "is attached" in pack.part("text/plain")
    [(name, media_type, data)] = pack.attachments()
    assert name == "portfolio-finance-2026-11-02.html" and media_type == "text/html"
    assert b"Calls resolved at first contact" in data
    # The same ISO week: not again; the next week: the next pack
    assert send_due(registry, cycle, today=date(2026, 11, 8), smtp_url=url).sent == []
    later = send_due(registry, cycle, today=date(2026, 11, 9), smtp_url=url)
    assert "weekly-pack" in {n.kind for n in later.sent}


def test_someone_without_an_email_address_is_skipped_with_why(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    update_user(cycle, "demo-analyst", actor="test", email="")
    outcome = send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)

    assert outcome.ok and [n.recipient for n in outcome.sent] == ["demo-manager"]
    [skipped] = outcome.skipped
    assert (skipped.kind, skipped.recipient) == ("reminder-before", "demo-analyst")
    assert "has no email address" in skipped.why and "--email" in skipped.why
    assert server.to(ANALYST) == [] and len(server.received) == 1


def test_an_unreachable_server_leaves_a_failed_record_that_the_next_run_retries(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    nobody = f"smtp://127.0.0.1:{_free_port()}"
    outcome = send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=nobody)

    assert not outcome.ok and outcome.sent == [] and len(outcome.failed) == 2
    assert "connection refused" in outcome.failed[0].error
    records = read_notifications(cycle)
    assert list(records["status"]) == ["failed", "failed"]
    assert "email" not in set(read_events(cycle)["kind"])

    retried = send_due(registry, cycle, today=date(2026, 11, 12), smtp_url=url)
    assert retried.ok and len(retried.sent) == 2 and len(server.received) == 2
    assert sorted(read_notifications(cycle)["status"]) == ["failed", "failed", "sent", "sent"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.org", "starts with 'http://'"),
        ("mail.example.org:587", "smtp://"),
        ("smtp://", "names no mail server"),
        ("smtp://mail.example.org:99999", "port that is not a number from 1 to 65535"),
        ("smtp://jo@mail.example.org:587", "user name 'jo' but no password"),
        ("smtp://jo:s3cret@mail.example.org:587/inbox", "something after the host and port"),
    ],
)
def test_a_bad_smtp_url_is_one_clear_sentence(url: str, says: str) -> None:
    with pytest.raises(MailProblem) as caught:
        parse_smtp_url(url)
    message = str(caught.value)
    assert message.startswith("PMF_SMTP_URL ") and says in message
    assert "s3cret" not in message and "\n" not in message


def test_a_good_smtp_url_is_read_with_its_defaults() -> None:
    assert parse_smtp_url("smtp://relay.council.gov.uk").port == 25
    assert parse_smtp_url("smtps://relay.council.gov.uk").port == 465
    found = parse_smtp_url("smtp://pmf%40council:p%2Fss@relay.council.gov.uk:587")
    assert (found.username, found.password, found.port) == ("pmf@council", "p/ss", 587)
    assert found.shown() == "smtp://pmf@council@relay.council.gov.uk:587"


# --- The command line -------------------------------------------------------------------------


def _pmf(db_url: str, *args: str, smtp_url: str | None = None) -> tuple[int, str, str]:
    env = {"PMF_SMTP_URL": smtp_url} if smtp_url else {"PMF_SMTP_URL": ""}
    result = CliRunner(env=env).invoke(
        main, ["--database-url", db_url, *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_pmf_notify_send_dry_run_lists_the_emails(
    cycle: sa.Engine, db_url: str, inbox: tuple[Inbox, str]
) -> None:
    server, _ = inbox
    code, out, err = _pmf(db_url, "notify", "send", "--dry-run", "--as-at", "2026-11-11")
    assert code == 0, err
    assert (
        "Would send reminder-before to demo-manager <mo.manager@council.example.org>: "
        "Reminder: " in out
    )
    assert "Would send reminder-before to demo-analyst" in out
    assert "2 would be sent, 0 skipped (dry run: nothing was sent or recorded)." in out
    assert server.received == [] and read_notifications(cycle).empty


def test_pmf_notify_send_sends_through_the_mail_server(
    cycle: sa.Engine, db_url: str, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    code, out, err = _pmf(db_url, "notify", "send", "--as-at", "2026-11-15", smtp_url=url)
    assert code == 0, err
    assert "Sent escalation to demo-director <di.director@council.example.org, " in out
    assert "3 sent, 0 skipped, 0 failed." in out
    assert len(server.received) == 3
    # Run again: nothing new
    code, out, _ = _pmf(db_url, "notify", "send", "--as-at", "2026-11-16", smtp_url=url)
    assert code == 0 and "0 sent, 0 skipped, 0 failed, 3 sent before." in out
    assert len(server.received) == 3
    code, out, _ = _pmf(db_url, "notify", "list")
    assert code == 0 and out.splitlines()[-1] == "3 email(s)"
    assert "sent     escalation       demo-officer <olu.officer@council.example.org, " in out


def test_pmf_notify_send_says_what_to_set_without_a_mail_server(
    cycle: sa.Engine, db_url: str
) -> None:
    code, out, err = _pmf(db_url, "notify", "send")
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith("PMF_SMTP_URL is not set, so no email can be sent: set it")

    code, out, err = _pmf(db_url, "notify", "send", smtp_url="smtp://jo@relay.example.org")
    assert code == 1 and err.splitlines() == [
        "PMF_SMTP_URL 'smtp://jo@relay.example.org' has the user name 'jo' but no password; "
        "write smtp://jo:PASSWORD@relay.example.org, with any @, : or / in the password "
        "written %40, %3A or %2F."
    ]


def test_pmf_notify_send_fails_with_exit_1_when_nothing_answers(
    cycle: sa.Engine, db_url: str
) -> None:
    nobody = f"smtp://127.0.0.1:{_free_port()}"
    code, out, err = _pmf(db_url, "notify", "send", "--as-at", "2026-11-11", smtp_url=nobody)
    assert code == 1
    assert "0 sent, 0 skipped, 2 failed." in out
    assert "Not sent: reminder-before to demo-manager" in err
    assert "nothing answered on that port (connection refused); the next run tries again." in err
    code, out, _ = _pmf(db_url, "notify", "list", "--status", "failed")
    assert code == 0 and out.splitlines()[-1] == "2 email(s)"
    assert "Not sent: tried again next time: The mail server smtp://127.0.0.1:" in out


# --- Encryption and passwords -----------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    """A self-signed certificate for 127.0.0.1, made by OpenSSL; trusted through SSL_CERT_FILE."""
    openssl = shutil.which("openssl")
    assert openssl is not None, "openssl is missing: run 'make system-deps'"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return tmp_path


@pytest.fixture
def secured(certificate: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server that offers STARTTLS and takes a password only once it is encrypted."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    handler = Inbox()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"pmf",
            b"pa:ss@word",
        )
        if good:
            handler.logins.append("pmf")
        return AuthResult(success=good, handled=False)  # False: the server answers 535

    port = _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_starttls_is_used_when_offered_and_the_password_goes_encrypted(
    registry: Registry, cycle: sa.Engine, secured: tuple[Inbox, int]
) -> None:
    server, port = secured
    url = f"smtp://pmf:pa%3Ass%40word@127.0.0.1:{port}"
    outcome = send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)
    assert outcome.ok and len(server.received) == 2 and server.logins == ["pmf"]

    wrong = f"smtp://pmf:wrong@127.0.0.1:{port}"
    refused = send_due(registry, cycle, today=DUE, smtp_url=wrong)
    assert "refused the user name or password in PMF_SMTP_URL" in refused.failed[0].error


def test_no_password_goes_in_clear_to_another_machine(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    server, url = inbox
    port = parse_smtp_url(url).port
    # 0.0.0.0 reaches this machine on Linux, but is not a loopback address: PMF treats the
    # server as another machine's, and this one offers no STARTTLS
    outcome = send_due(
        registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=f"smtp://pmf:secret@0.0.0.0:{port}"
    )
    assert len(outcome.failed) == 2 and server.received == []
    assert "does not offer STARTTLS, so PMF will not send the password" in outcome.failed[0].error
    assert "secret" not in outcome.failed[0].error


# --- Beside the dashboard -----------------------------------------------------------------------


def test_a_command_handed_to_the_dashboard_uses_the_callers_mail_server(
    registry: Registry, tmp_path: Path, inbox: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.channel import Channel
    from cli.wire import supported
    from tests.running import pmf_env
    from tests.test_operations import PMF

    if not supported():
        pytest.skip("handing commands over needs Unix sockets with peer credentials")
    server, url = inbox
    url_db = duckdb_url(tmp_path / "pmf.duckdb")
    engine = get_engine(url_db)
    create_tables(engine)
    for username, (name, address) in PEOPLE.items():
        add_user(engine, username, PASSWORD, "officer", actor="test", display_name=name)
        update_user(engine, username, actor="test", email=address)
    open_cycle(registry, engine, PERIOD, DUE, opened_by="test")
    # The dashboard's own environment names no mail server; the caller's does
    monkeypatch.delenv("PMF_SMTP_URL", raising=False)
    channel = Channel(main, url_db)
    channel.start()
    try:
        done = subprocess.run(
            [*PMF, "--config", str(CONFIG), "--database-url", url_db]
            + ["notify", "send", "--as-at", "2026-11-11"],
            cwd=tmp_path,
            env={**pmf_env(), "PMF_SMTP_URL": url},
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        channel.stop()
        engine.dispose()
        get_engine.cache_clear()
    assert done.returncode == 0, done.stderr
    assert "2 sent, 0 skipped, 0 failed." in done.stdout
    assert sorted(r.recipients[0] for r in server.received) == [ANALYST, MANAGER]


# --- The scheduler's daily job ------------------------------------------------------------------


def test_the_email_job_runs_every_morning_at_the_setting_in_london_time(
    tmp_path: Path, db_url: str
) -> None:
    from jobs.notify import EMAIL_JOB_ID
    from pipelines.scheduler import start_background_scheduler

    store = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    scheduler = start_background_scheduler(CONFIG, db_url, jobstore=store, paused=True)
    try:
        job = scheduler.get_job(EMAIL_JOB_ID)
        assert job is not None and job.args == (str(CONFIG), db_url)
        after = job.trigger.get_next_fire_time(
            None, datetime(2026, 11, 11, 8, 0, tzinfo=job.trigger.timezone)
        )
        assert after.strftime("%d %b %H:%M") == "12 Nov 07:30"
        assert str(after.tzinfo) == "Europe/London"
        missed = datetime.now(job.trigger.timezone).replace(microsecond=0) - timedelta(minutes=5)
    finally:
        scheduler.shutdown(wait=True)
    # PMF was stopped over this morning's run: the store still holds it as due...
    jobs = SQLAlchemyJobStore(url=store)
    jobs.start(BackgroundScheduler(), "default")
    stored = jobs.lookup_job(EMAIL_JOB_ID)
    assert stored is not None
    state = stored.__getstate__()
    stored.__setstate__({**state, "next_run_time": missed})
    jobs.update_job(stored)
    jobs.shutdown()
    # ...and starting again keeps it due, so it runs once rather than being lost
    again = start_background_scheduler(CONFIG, db_url, jobstore=store, paused=True)
    try:
        kept = again.get_job(EMAIL_JOB_ID)
        assert kept is not None and kept.next_run_time == missed
    finally:
        again.shutdown(wait=False)


def test_the_email_job_sends_what_is_due_and_says_so_without_a_mail_server(
    registry: Registry,
    cycle: sa.Engine,
    db_url: str,
    inbox: tuple[Inbox, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from jobs.notify import send_scheduled_emails

    server, url = inbox
    county = registry.plan.county.code
    with transaction(cycle) as conn:
        # Raised today, so the job (which works as at today) has a notice to send
        insert_flag(
            conn,
            subject_type="metric",
            subject_id="highways-claims-repudiated",
            area_code=county,
            rule="off_target",
            detail="Red for 2 periods in a row",
            owner=None,
            actor="engine",
            now=datetime.now(),
        )
    monkeypatch.delenv("PMF_SMTP_URL", raising=False)
    assert send_scheduled_emails(str(CONFIG), db_url) == "not configured"
    assert "PMF_SMTP_URL is not set where the scheduler runs" in caplog.text
    assert server.received == []

    monkeypatch.setenv("PMF_SMTP_URL", url)
    summary = send_scheduled_emails(str(CONFIG), db_url)
    # Whatever else today's date makes due for the October cycle, the flag's notice went
    assert summary.startswith("Emails as at ") and " 0 failed." in summary
    assert [r.recipients for r in server.received if r.subject.startswith("Flag raised")] == [
        [ANALYST]
    ]


# --- People and settings ------------------------------------------------------------------------


def test_pmf_users_take_an_email_a_portfolio_and_the_weekly_pack(db_url: str) -> None:
    def users(*args: str, stdin: str = "") -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--database-url", db_url, "users", *args], input=stdin)
        return result.exit_code, result.stdout, result.stderr

    code, _, err = users(
        "add",
        "cllr-fin",
        "--role",
        "member",
        "--password-stdin",
        "--email",
        "Cllr.Fin@Council.Example.ORG",
        "--portfolio",
        "finance",
        "--weekly-pack",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    code, out, _ = users("list")
    assert "cllr-fin" in out and "Cllr.Fin@council.example.org" in out

    code, _, err = users("update", "cllr-fin", "--email", "cllr fin at council")
    assert code == 1 and err.splitlines() == [
        "Error: 'cllr fin at council' is not an email address PMF can send to: write one "
        "address such as jo.bloggs@council.gov.uk, without a name or angle brackets."
    ]
    code, _, err = users("update", "cllr-fin", "--portfolio", "finanse")
    assert code == 1 and len(err.splitlines()) == 1
    assert (
        "There is no portfolio 'finanse' in the plan (did you mean 'finance'?); use one of" in err
    )
    code, _, err = users("update", "cllr-fin", "--portfolio", "")
    assert code == 1 and "give --portfolio too, or --no-weekly-pack" in err

    code, out, _ = users("update", "cllr-fin", "--no-weekly-pack", "--email", "")
    assert code == 0 and out == "Updated cllr-fin: email removed; weekly pack off.\n"


def test_a_bad_sender_setting_stops_at_start_up_with_its_line(config_copy: Path) -> None:
    settings = config_copy / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "mail_from: PMF <pmf@localhost>", "mail_from: Performance team"
        )
        + "email_time: '7.30'\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(config_copy), "validate", "--no-schemas"])
    assert result.exit_code == 1
    assert "mail_from: 'Performance team' is not an email sender" in result.output
    assert "email_time: '7.30' is not a time of day; write HH:MM, e.g. '07:30'" in result.output


def test_everything_in_the_html_part_is_escaped(
    registry: Registry, cycle: sa.Engine, inbox: tuple[Inbox, str]
) -> None:
    from warehouse.tables import users

    server, url = inbox
    # No command sets such a name; the table is written directly to test the email's escaping
    with transaction(cycle) as conn:
        conn.execute(
            users.update()
            .where(users.c.username == "demo-analyst")
            .values(display_name='Ann <script>alert("x")</script> & Co')
        )
    send_due(registry, cycle, today=THREE_DAYS_BEFORE, smtp_url=url)
    [theirs] = server.to(ANALYST)
    html = theirs.part("text/html")
    assert "<script>" not in html
    assert "Dear Ann &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co," in html
    assert 'Dear Ann <script>alert("x")</script> & Co,' in theirs.part("text/plain")


def test_with_the_dashboard_s_address_set_each_email_links_to_its_page(
    cycle: sa.Engine, inbox: tuple[Inbox, str], config_copy: Path
) -> None:
    from metrics.registry.loader import load_registry

    settings = config_copy / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "dashboard_url: https://pmf.council.example/\n",
        encoding="utf-8",
    )
    linked = load_registry(config_copy)
    server, url = inbox
    assert send_due(linked, cycle, today=THREE_DAYS_BEFORE, smtp_url=url).ok
    assert send_due(linked, cycle, today=DAY_AFTER, smtp_url=url).ok
    [reminder] = server.to(MANAGER)[:1]
    assert "Open it in PMF: https://pmf.council.example/returns" in reminder.part("text/plain")
    late = [r for r in server.received if r.subject.startswith("Late: ")]
    assert late and "https://pmf.council.example/cycle?period=2026-10" in late[0].part("text/plain")

    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "dashboard_url: https://pmf.council.example/", "dashboard_url: pmf.council"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(config_copy), "validate", "--no-schemas"])
    assert result.exit_code == 1
    assert "dashboard_url: 'pmf.council' is not the dashboard's address" in result.output
