"""Shared fixtures: a copy of the shipped config, a warehouse in a temporary folder (a DuckDB
file, and the same test again on a throwaway PostgreSQL database), the
demo warehouse (built once per session, copied for each test that writes to it), and a
guard that fails any test not marked `browser` that starts Chromium.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry, load_registry
from tests.postgres_server import ThrowawayPostgres
from warehouse.engine import dispose_engine, duckdb_url, get_engine
from warehouse.schema import create_tables

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
# Real public data (Open Government Licence v3.0), shipped with the tests; see its README
REAL_DATA = ROOT / "tests" / "fixtures" / "real"
# The demo is a picture as at this Monday, so what the tests read from it never changes
DEMO_AS_OF = date(2024, 11, 25)
DEMO_FILE = "demo.duckdb"


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


# Both supported warehouses; PMF_TEST_BACKENDS=duckdb narrows a quick local run to one
BACKENDS = [b for b in os.environ.get("PMF_TEST_BACKENDS", "duckdb,postgresql").split(",") if b]


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server for the session: $PMF_TEST_POSTGRES_URL, or a private throwaway one."""
    server = ThrowawayPostgres()
    server.start()
    # A server database has no folder to keep a generated session key in: it must be given
    os.environ.setdefault("PMF_SECRET_KEY", "test-only-key-" + "x" * 40)
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty warehouse: a DuckDB file in a temporary folder, or a PostgreSQL database."""
    if request.param == "duckdb":
        yield duckdb_url(tmp_path / "warehouse.duckdb")
        return
    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    url = server.database()
    yield url
    dispose_engine(url)
    server.drop(url)


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


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """The demo warehouse as at DEMO_AS_OF, built once through the real pipelines, in a folder
    with the drops it was loaded from. Read-only: copy it with `copy_demo` to write to it."""
    from demo.load import load_demo

    folder = tmp_path_factory.mktemp("demo")
    engine = sa.create_engine(duckdb_url(folder / DEMO_FILE))
    try:
        create_tables(engine)
        load_demo(registry, engine, DEMO_AS_OF)
    finally:
        engine.dispose()  # a DuckDB file is held open until its engine lets it go
    return folder


def copy_demo(demo_folder: Path, target: Path) -> Path:
    """A private copy of the session's demo warehouse (and its drops) in `target`; its file."""
    shutil.copytree(demo_folder, target, dirs_exist_ok=True)
    return target / DEMO_FILE


@pytest.fixture(params=BACKENDS)
def demo_url(request: pytest.FixtureRequest, demo_folder: Path, tmp_path: Path) -> Iterator[str]:
    """The URL of this test's own copy of the demo warehouse; its engine is disposed after."""
    if request.param == "duckdb":
        url = duckdb_url(copy_demo(demo_folder, tmp_path / "demo"))
    else:
        url = postgres_like(request, demo_folder / DEMO_FILE)
    yield url
    dispose_engine(url)


# A PostgreSQL template database for each DuckDB file copied there, made once per session
_TEMPLATES: dict[Path, str] = {}


def postgres_like(request: pytest.FixtureRequest, file: Path) -> str:
    """A new PostgreSQL database holding what the DuckDB `file` holds, made from a template
    copied from the file once (as `pmf db copy` copies); its URL."""
    from warehouse.transfer import copy_warehouse

    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    key = file.resolve()
    if key not in _TEMPLATES:
        template_url = server.database()
        source, target = sa.create_engine(duckdb_url(file)), sa.create_engine(template_url)
        try:
            copy_warehouse(source, target)
        finally:
            source.dispose()
            target.dispose()  # a template must have no connections to be copied
        _TEMPLATES[key] = str(sa.engine.make_url(template_url).database)
    return server.database(template=_TEMPLATES[key])


# The guard: Chromium (Playwright's driver, or kaleido drawing a pack's charts) only in tests
# marked `browser`, so `pytest -m "not browser"` runs on a machine without it
_LAUNCHES: list[str] = []
_LAUNCHES_BEFORE = pytest.StashKey[int]()


def _chromium_in(words: list[str]) -> str | None:
    """The word of a command line that starts Chromium or Playwright's driver, if one does."""
    for word in words:
        name = word.rsplit("/", 1)[-1].lower()
        if name == "run-driver" or name.startswith("chrom"):
            return word
    return None


def _watch_subprocesses(event: str, args: tuple[Any, ...]) -> None:
    """An audit hook: note every process started that is Chromium or Playwright's driver."""
    if event != "subprocess.Popen":
        return
    executable, argv = args[0], args[1]
    words = [str(executable)] if executable else []
    if isinstance(argv, list | tuple):
        words += [str(word) for word in argv]
    else:
        words.append(str(argv))
    found = _chromium_in(words)
    if found is not None:
        _LAUNCHES.append(found)


def pytest_configure(config: pytest.Config) -> None:
    sys.addaudithook(_watch_subprocesses)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_LAUNCHES_BEFORE] = len(_LAUNCHES)
    if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
        pytest.fail(f"{item.nodeid} uses the browser fixture: mark it @pytest.mark.browser")


@pytest.fixture(autouse=True)
def _chromium_only_in_browser_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test not marked `browser` that started Chromium (its setup included)."""
    yield
    item = request.node
    started = _LAUNCHES[item.stash.get(_LAUNCHES_BEFORE, len(_LAUNCHES)) :]
    if started and not item.get_closest_marker("browser"):
        pytest.fail(
            f"{item.nodeid} started Chromium but is not marked browser: add "
            f"@pytest.mark.browser (it ran {started[0]})"
        )
