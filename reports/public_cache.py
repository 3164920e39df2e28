"""Packs for the public, built once per scope, as-at date, format and state of the figures.

Anyone may download a published pack, and drawing its charts keeps Chromium busy for several
seconds, so a visitor must not be able to start a build with every click. The first request
builds the pack (logged in `report_runs` with the trigger "public download") and writes it to a
cache folder; later requests for the same pack get that file. The file name carries a stamp of
when the figures and the config last changed, so after a pipeline load or an edited target the
next request builds afresh, and the older file for that pack is removed.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from metrics.registry.loader import Registry
from reports.produce import Format, produce, reports_folder
from reports.scope import Scope
from warehouse.engine import database_path
from warehouse.report_runs import data_version

TRIGGER = "public download"
CACHE_FOLDER = "pack-cache"
# A visitor waits this long for another build to finish before being asked to try again
WAIT_SECONDS = 120


def cache_folder(registry: Registry, engine: sa.Engine) -> Path:
    """Where public packs are kept: beside a local warehouse file, else in the reports folder."""
    local = database_path(engine.url.render_as_string(hide_password=False))
    base = local.parent if local is not None else reports_folder(registry)
    return base / CACHE_FOLDER


def _stamp(registry: Registry, engine: sa.Engine) -> str:
    config = registry.config_dir
    files = sorted(
        (str(path.relative_to(config)), path.stat().st_mtime_ns, path.stat().st_size)
        for path in config.rglob("*.yaml")
    )
    return hashlib.sha256(repr((data_version(engine), files)).encode()).hexdigest()[:12]


def cached_public_pack(
    registry: Registry,
    engine: sa.Engine,
    scope: Scope,
    as_at: date,
    report_format: Format,
    lock: threading.Lock,
    *,
    wait_seconds: float = WAIT_SECONDS,
) -> Path | None:
    """The public pack's file, built under `lock` unless cached; None if the builder stayed busy.

    `registry` may be the public one; the pack is built on the public read model either way.
    """
    folder = cache_folder(registry, engine)
    stem = f"{scope.slug}-{as_at:%Y-%m-%d}"
    path = folder / f"{stem}-{_stamp(registry, engine)}.{report_format}"
    if path.is_file():
        return path
    if not lock.acquire(timeout=wait_seconds):
        return None
    try:
        # Another visitor's request may have built it while this one waited for the lock
        if path.is_file():
            return path
        produce(
            registry,
            engine,
            scope.kind,
            scope.id,
            as_at,
            report_format,
            out=path,
            trigger=TRIGGER,
            public=True,
        )
    finally:
        lock.release()
    _remove_older(folder, scope, report_format, keep=path)
    return path


def _remove_older(folder: Path, scope: Scope, report_format: str, keep: Path) -> None:
    # Exactly this scope's files: "portfolio-finance-" must not match "portfolio-finance-x-..."
    own = re.compile(
        rf"{re.escape(scope.slug)}-\d{{4}}-\d{{2}}-\d{{2}}-[0-9a-f]{{12}}\.{report_format}"
    )
    for old in folder.iterdir():
        if old != keep and own.fullmatch(old.name):
            old.unlink(missing_ok=True)
