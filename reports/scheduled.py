"""The weekly packs: every Monday at 06:00 (London), each portfolio's pack into the reports folder.

`write_weekly_packs` is a plain module-level function taking plain strings, so APScheduler's
persistent job store can hold it. Each pack is one row in the `report_runs` log; a pack that
fails is logged as failed and the others are still written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from metrics.registry.loader import load_registry
from metrics.registry.yamlfile import ConfigError
from reports.pack import Pack, build_pack
from reports.produce import Format, draw_charts, file_name, render, reports_folder, write_file
from reports.scope import resolve_scope
from warehouse.engine import get_engine
from warehouse.report_runs import FAILED, SUCCEEDED, finish_report_run, start_report_run
from warehouse.schema import create_tables

LOG = logging.getLogger("pmf.reports")
WEEKLY_PACK_CRON = "0 6 * * mon"  # minute hour day month weekday: Monday 06:00
WEEKLY_PACK_TIMEZONE = "Europe/London"
WEEKLY_PACK_FORMAT: Format = "pdf"
WEEKLY_PACK_JOB_ID = "reports:weekly-packs"


def weekly_pack_trigger(timezone: str = WEEKLY_PACK_TIMEZONE) -> CronTrigger:
    """The APScheduler trigger for the weekly packs."""
    return CronTrigger.from_crontab(WEEKLY_PACK_CRON, timezone=timezone)


def add_weekly_pack_job(
    scheduler: BaseScheduler,
    config_dir: str | Path,
    database_url: str,
    timezone: str = WEEKLY_PACK_TIMEZONE,
) -> str:
    """Add (or replace) the weekly-pack job on a scheduler; return its id."""
    scheduler.add_job(
        write_weekly_packs,
        trigger=weekly_pack_trigger(timezone),
        args=[str(config_dir), database_url],
        id=WEEKLY_PACK_JOB_ID,
        name="weekly portfolio packs",
        replace_existing=True,
    )
    return WEEKLY_PACK_JOB_ID


def write_weekly_packs(
    config_dir: str,
    database_url: str,
    *,
    today: date | None = None,
    portfolios: Sequence[str] | None = None,
) -> list[Path]:
    """Write every portfolio's pack as at today into reports_folder/YYYY-MM-DD/; return the paths.

    `portfolios` limits the run to some portfolio ids (to re-run one by hand). Never raises
    for one bad pack: each failure is in the run log and the scheduler's log.
    """
    try:
        registry = load_registry(config_dir)
    except ConfigError as exc:
        # No run can be logged without a valid config; the scheduler's log is the record
        LOG.error("weekly packs did not start: %d config problem(s): %s", len(exc.problems), exc)
        return []
    engine = get_engine(database_url)
    create_tables(engine)
    timezone = str(registry.settings["timezone"])
    today = today or datetime.now(ZoneInfo(timezone)).date()
    folder = reports_folder(registry) / f"{today:%Y-%m-%d}"

    runs: list[tuple[int, Pack]] = []
    chosen = [p for p in registry.plan.portfolios if portfolios is None or p.id in portfolios]
    for portfolio in chosen:
        run_id = start_report_run(
            engine,
            kind="portfolio",
            target_id=portfolio.id,
            report_format=WEEKLY_PACK_FORMAT,
            as_at=today,
            trigger="schedule",
        )
        try:
            pack = build_pack(
                registry, engine, resolve_scope(registry, "portfolio", portfolio.id), today
            )
        except Exception as exc:  # one portfolio's failure must not stop the others
            _failed(engine, run_id, portfolio.id, exc)
            continue
        runs.append((run_id, pack))

    try:
        charts = draw_charts([pack for _, pack in runs])
    except Exception as exc:  # without charts no pack is complete: log each as failed
        for run_id, pack in runs:
            _failed(engine, run_id, pack.scope.id, exc)
        return []

    written = []
    for (run_id, pack), images in zip(runs, charts, strict=True):
        path = folder / file_name(pack, WEEKLY_PACK_FORMAT)
        try:
            write_file(path, render(pack, WEEKLY_PACK_FORMAT, images).data)
        except Exception as exc:
            _failed(engine, run_id, pack.scope.id, exc)
            continue
        finish_report_run(engine, run_id, status=SUCCEEDED, path=str(path))
        written.append(path)
    LOG.info("weekly packs: %d of %d written to %s", len(written), len(chosen), folder)
    return written


def _failed(engine: sa.Engine, run_id: int, portfolio: str, exc: Exception) -> None:
    message = f"{type(exc).__name__}: {exc}"
    finish_report_run(engine, run_id, status=FAILED, error=message)
    LOG.error("weekly pack for portfolio %s failed: %s", portfolio, message)
