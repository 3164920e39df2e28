"""Fixtures for the pack tests: the sample demo warehouse (with flag history), built once per
session and copied for the tests that write to it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry
from reports.samples import SAMPLE_AS_AT, build_sample_warehouse
from tests.conftest import BACKENDS, postgres_like
from warehouse.engine import duckdb_url, get_engine


@dataclass(frozen=True)
class Sample:
    """The shipped registry and a demo warehouse as at the sample date."""

    registry: Registry
    engine: sa.Engine
    url: str
    as_at: date


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """A demo warehouse as at Monday 25 November 2024, with four weeks of flag history,
    two overdue actions and some commentary (the same one `make samples` uses), built once.
    Read-only: the tests each copy it."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    engine = sa.create_engine(duckdb_url(path))
    try:
        build_sample_warehouse(registry, engine, SAMPLE_AS_AT)
    finally:
        engine.dispose()
    return path


def copy_sample(sample_file: Path, folder: Path) -> str:
    """A private copy of the sample warehouse in `folder`; its URL."""
    path = folder / sample_file.name
    shutil.copy(sample_file, path)
    return duckdb_url(path)


@pytest.fixture(scope="session", params=BACKENDS)
def sample(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sample_file: Path,
    registry: Registry,
) -> Iterator[Sample]:
    """The pack tests' own copy of the sample warehouse (DuckDB, then PostgreSQL), shared."""
    if request.param == "duckdb":
        url = copy_sample(sample_file, tmp_path_factory.mktemp("packs"))
    else:
        url = postgres_like(request, sample_file)
    engine = get_engine(url)
    yield Sample(registry, engine, url, SAMPLE_AS_AT)
    engine.dispose()
