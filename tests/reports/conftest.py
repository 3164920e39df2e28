"""Fixtures for the pack tests: one sample demo warehouse (with flag history) per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from metrics.registry import Registry, load_registry
from reports.samples import SAMPLE_AS_AT, build_sample_warehouse
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine


@dataclass(frozen=True)
class Sample:
    """The shipped registry and a demo warehouse as at the sample date."""

    registry: Registry
    engine: sa.Engine
    url: str
    as_at: date


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    """A demo warehouse as at Monday 25 November 2024, with four weeks of flag history,
    two overdue actions and some commentary (the same one `make samples` uses)."""
    registry = load_registry(CONFIG)
    url = duckdb_url(tmp_path_factory.mktemp("packs") / "sample.duckdb")
    engine = get_engine(url)
    build_sample_warehouse(registry, engine, SAMPLE_AS_AT)
    yield Sample(registry, engine, url, SAMPLE_AS_AT)
    engine.dispose()
