"""Page and callback tests without a browser: the real app on the small fixtures warehouse
(tests/fixtures/warehouse.py), with page `layout()`s and callbacks called as plain functions
inside a request, as the public or as someone signed in through the app's own sign-in.
"""

from __future__ import annotations

import contextvars
import importlib
import inspect
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import dash
import pytest
import sqlalchemy as sa
from dash._callback_context import context_value
from dash._utils import AttributeDict

from access.users import LocalPasswordProvider, add_user
from access.web import begin_session
from app import create_app
from metrics.registry.loader import Registry
from tests.conftest import BACKENDS, CONFIG, postgres_like
from tests.fixtures.warehouse import build_fixtures_warehouse
from warehouse.engine import dispose_engine, duckdb_url

PASSWORD = "fixtures-password-1"
ACCOUNTS = {
    "member": ("cllr-smith", "Councillor Smith"),
    "officer": ("jo", "Jo Bloggs"),
}


@pytest.fixture(scope="session")
def fixtures_file(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """The fixtures warehouse with a councillor's and an officer's account, built once."""
    path = tmp_path_factory.mktemp("fixtures") / "fixtures.duckdb"
    engine = sa.create_engine(build_fixtures_warehouse(registry, path))
    try:
        for role, (username, name) in ACCOUNTS.items():
            add_user(engine, username, PASSWORD, role, actor="test", display_name=name)
    finally:
        engine.dispose()
    return path


def _app_on_copy(
    request: pytest.FixtureRequest, fixtures_file: Path, folder: Path
) -> tuple[dash.Dash, str]:
    if request.param == "duckdb":
        path = folder / fixtures_file.name
        shutil.copy(fixtures_file, path)
        url = duckdb_url(path)
    else:
        url = postgres_like(request, fixtures_file)
    return create_app(CONFIG, url), url


@pytest.fixture(scope="session", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fixtures_file: Path
) -> Iterator[dash.Dash]:
    """The real app on a copy of the fixtures warehouse (DuckDB, then PostgreSQL), shared by
    tests that only read."""
    shared, url = _app_on_copy(request, fixtures_file, tmp_path_factory.mktemp("pages"))
    yield shared
    dispose_engine(url)


@pytest.fixture(params=BACKENDS)
def writable_app(
    request: pytest.FixtureRequest, fixtures_file: Path, tmp_path: Path
) -> Iterator[dash.Dash]:
    """The real app on this test's own copy of the fixtures warehouse, for tests that write."""
    own, url = _app_on_copy(request, fixtures_file, tmp_path)
    yield own
    dispose_engine(url)


def engine_of(app: dash.Dash) -> sa.Engine:
    """The warehouse engine the app serves from."""
    from layouts._runtime import CONFIG_KEY

    engine: sa.Engine = app.server.config[CONFIG_KEY].engine
    return engine


@contextmanager
def viewing(app: dash.Dash, role: str) -> Iterator[None]:
    """A request to `app` from the public, or from the account for `role` signed in with its
    password through the app's own sign-in step."""
    with app.server.test_request_context("/"):
        if role != "public":
            engine = engine_of(app)
            username, _ = ACCOUNTS[role]
            viewer = LocalPasswordProvider(engine).authenticate(username, PASSWORD)
            assert viewer is not None, f"the {role} account could not sign in"
            begin_session(engine, viewer)
        yield


def page(name: str) -> ModuleType:
    """A page module (imported once an app exists, since pages register themselves)."""
    return importlib.import_module(f"layouts.{name}")


def plain(callback: Callable[..., Any]) -> Callable[..., Any]:
    """The function under a Dash callback, to call with the callback's inputs and states."""
    return inspect.unwrap(callback)


def triggered(
    callback: Callable[..., Any], component_id: str | dict[str, str], prop: str, *args: Any
) -> Any:
    """Call a callback as Dash does after `component_id`'s `prop` changed (for `ctx`)."""
    key = (
        json.dumps(component_id, separators=(",", ":"), sort_keys=True)
        if isinstance(component_id, dict)
        else component_id
    )

    def run() -> Any:
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{key}.{prop}"}]))
        return plain(callback)(*args)

    return contextvars.copy_context().run(run)


def text_of(component: Any) -> str:
    """The words a component shows (its children's too), separated by spaces."""
    if component is None or isinstance(component, bool):
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(child) for child in component)
    return text_of(getattr(component, "children", None))
