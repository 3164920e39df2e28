"""The daily email job: at the `email_time` setting (07:30 by default, in the site's time zone)
the scheduler sends the emails that are due, as `pmf notify send` would.

`send_scheduled_emails` is a plain module-level function taking plain strings, so APScheduler's
persistent job store can hold it. The mail server is read from PMF_SMTP_URL when the job runs,
never stored with the job (it may hold a password). The job never raises: what it did, or why
it could not, is in the scheduler's log, and each email's outcome in the `notifications` table.
"""

from __future__ import annotations

import logging
from pathlib import Path

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from cycle.mail import SMTP_URL_ENV, MailProblem, smtp_url_from_env
from cycle.notify import send_due
from metrics.registry.loader import load_registry
from metrics.registry.yamlfile import ConfigError
from warehouse.engine import get_engine
from warehouse.schema import create_tables

LOG = logging.getLogger("pmf.email")
EMAIL_JOB_ID = "cycle:emails"


def email_trigger(time_of_day: str, timezone: str) -> CronTrigger:
    """Every day at HH:MM in the time zone."""
    hour, minute = (int(part) for part in time_of_day.strip().split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=timezone)


def add_email_job(
    scheduler: BaseScheduler, config_dir: str | Path, database_url: str, timezone: str
) -> str:
    """Add the daily email job to a scheduler, or replace it if its time changed; its id.

    A job left as it was keeps its next run, so a run missed while PMF was stopped still
    happens once on start-up (within the scheduler's grace time).
    """
    registry = load_registry(config_dir)
    trigger = email_trigger(str(registry.settings["email_time"]), timezone)
    args = [str(config_dir), database_url]
    existing = scheduler.get_job(EMAIL_JOB_ID)
    if (
        existing is not None
        and str(existing.trigger) == str(trigger)
        and existing.args == tuple(args)
    ):
        return EMAIL_JOB_ID
    scheduler.add_job(
        send_scheduled_emails,
        trigger=trigger,
        args=args,
        id=EMAIL_JOB_ID,
        name="reporting-cycle emails",
        replace_existing=True,
    )
    return EMAIL_JOB_ID


def send_scheduled_emails(config_dir: str, database_url: str) -> str:
    """The job APScheduler calls: send what is due today; a one-line summary, logged."""
    if smtp_url_from_env() is None:
        LOG.warning(
            "emails not sent: %s is not set where the scheduler runs (docs/operations.md, 'Email')",
            SMTP_URL_ENV,
        )
        return "not configured"
    try:
        registry = load_registry(config_dir)
        engine = get_engine(database_url)
        create_tables(engine)
        outcome = send_due(registry, engine)
    except ConfigError as exc:
        LOG.error("emails not sent: %d config problem(s): %s", len(exc.problems), exc)
        return "failed"
    except MailProblem as exc:
        LOG.error("emails not sent: %s", exc)
        return "failed"
    except Exception:  # noqa: BLE001 - a database outage must not stop the scheduler
        LOG.exception("emails not sent: the warehouse could not be read")
        return "failed"
    summary = outcome.summary()
    for skipped in outcome.skipped:
        LOG.info("email skipped: %s for %s: %s", skipped.kind, skipped.recipient, skipped.why)
    (LOG.info if outcome.ok else LOG.warning)("%s", summary)
    return summary
