"""An app on a demo warehouse with one account per role, and helpers to act as each of them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from access.users import add_user
from app import create_app
from tests.browser.conftest import anonymous_page, live_url  # noqa: F401  (browser fixtures)
from tests.conftest import BACKENDS, CONFIG, DEMO_FILE, copy_demo, postgres_like
from warehouse.engine import duckdb_url, get_engine

PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "member": ("cllr-smith", "Councillor Smith"),
    "officer": ("jo", "Jo Bloggs"),
    "admin": ("root", "Ada Admin"),
}
ROLES = ("public", "member", "officer", "admin")
# The outputs of the pack control's callback, as Dash's renderer names them
PACK_OUTPUTS = [
    ("pack-download", "data"),
    ("pack-status", "children"),
    ("pack-job", "data"),
]


@pytest.fixture(scope="session", params=BACKENDS)
def demo_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_folder: Path
) -> Iterator[dash.Dash]:
    """The real app on its own copy of the demo warehouse (DuckDB, then PostgreSQL), with one
    account for each signed-in role."""
    if request.param == "duckdb":
        url = duckdb_url(copy_demo(demo_folder, tmp_path_factory.mktemp("access")))
    else:
        url = postgres_like(request, demo_folder / DEMO_FILE)
    engine = get_engine(url)
    for role, (name, display) in ACCOUNTS.items():
        add_user(engine, name, PASSWORD, role, actor="test", display_name=display)
    app = create_app(CONFIG, url)
    app.server.config["TESTING"] = True
    yield app
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(demo_app: dash.Dash) -> sa.Engine:
    """The demo app's warehouse engine."""
    from layouts._runtime import CONFIG_KEY

    engine: sa.Engine = demo_app.server.config[CONFIG_KEY].engine
    return engine


def csrf(client: Any) -> str:
    """The CSRF token the server handed this client (as Dash's renderer would read it)."""
    cookie = client.get_cookie("_csrf_token")
    if cookie is None:
        client.get("/login")
        cookie = client.get_cookie("_csrf_token")
    return str(cookie.value)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form as a browser would."""
    token = csrf(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    """Each role in turn."""
    return str(request.param)


def client_as(app: dash.Dash, role: str) -> Any:
    """A test client with a real session, signed in with `role` (or anonymous for public)."""
    client = app.server.test_client()
    client.get("/")
    if role != "public":
        response = sign_in(client, ACCOUNTS[role][0])
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


def dash_post(
    client: Any,
    outputs: list[tuple[Any, str]],
    inputs: list[tuple[Any, str, Any]],
    state: list[tuple[Any, str, Any]] = (),  # type: ignore[assignment]
    *,
    token: str | None = None,
) -> Any:
    """POST to /_dash-update-component with the body Dash's renderer builds for a callback."""

    def key(component: Any) -> str:
        return (
            json.dumps(component, separators=(",", ":"), sort_keys=True)
            if isinstance(component, dict)
            else str(component)
        )

    output = (
        f"{key(outputs[0][0])}.{outputs[0][1]}"
        if len(outputs) == 1
        else ".." + "...".join(f"{key(c)}.{p}" for c, p in outputs) + ".."
    )
    body = {
        "output": output,
        "outputs": [{"id": c, "property": p} for c, p in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": c, "property": p, "value": v} for c, p, v in inputs],
        "changedPropIds": [f"{key(inputs[0][0])}.{inputs[0][1]}"],
        "state": [{"id": c, "property": p, "value": v} for c, p, v in state],
    }
    return client.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": token if token is not None else csrf(client)},
    )


def render_page(client: Any, path: str, search: str = "") -> str:
    """The page's content as the Dash router callback returns it, as JSON text."""
    response = dash_post(
        client,
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", search)],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def latest_start(engine: sa.Engine, metric_id: str) -> date:
    """The start of the latest period held for a measure."""
    from warehouse.tables import observations

    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(sa.func.max(observations.c.period_start)).where(
                observations.c.metric_id == metric_id
            )
        ).scalar_one()
    return pd.Timestamp(latest).date()


def insert_period(
    engine: sa.Engine,
    metric_id: str,
    start: date,
    end: date,
    rows: Mapping[str, tuple[float, float | None, float | None]],
) -> None:
    """Add one period of a measure straight to the warehouse: area -> (value, num, denom)."""
    from warehouse.tables import observations

    with engine.begin() as conn:
        for code, (value, numerator, denominator) in rows.items():
            conn.execute(
                observations.insert().values(
                    metric_id=metric_id,
                    area_code=code,
                    period_start=start,
                    period_end=end,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    loaded_at=datetime.now(),
                )
            )


from tests.access.oidc_fixtures import client_secret, sso_server  # noqa: E402, F401  (SSO)
