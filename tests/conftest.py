"""Shared fixtures: a copy of the shipped config, a DuckDB file in a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metrics.registry import Registry, load_registry
from warehouse.engine import duckdb_url, get_engine
from warehouse.tables import create_tables

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
# Real public data (Open Government Licence v3.0), shipped with the tests; see its README
REAL_DATA = ROOT / "tests" / "fixtures" / "real"


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The shipped registry, loaded once."""
    return load_registry(CONFIG)


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped config folder."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A DuckDB URL for a new file in a temporary folder."""
    return duckdb_url(tmp_path / "warehouse.duckdb")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A real DuckDB engine with every table created; disposed after the test."""
    eng = get_engine(db_url)
    create_tables(eng)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public data (Open Government Licence) shipped with the tests."""
    return REAL_DATA


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless: one for the whole session (Playwright allows one at a time)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make system-deps' (apt package chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
