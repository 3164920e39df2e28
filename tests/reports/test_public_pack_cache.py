"""Packs downloaded by the public are built once per scope, as-at date and format, then served
from a cache; a request for a scope or format that does not exist is refused with 400."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dash
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from access.users import add_user
from app import create_app
from metrics.registry.loader import load_registry
from reports.samples import build_sample_warehouse
from tests.access.conftest import PACK_OUTPUTS, PASSWORD, client_as, dash_post
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine
from warehouse.tables import observations, report_runs

TRIGGER = "public download"


@pytest.fixture(scope="module")
def packs_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dash.Dash, Path]]:
    """The app on a sample warehouse as at today, and the folder that warehouse is in."""
    folder = tmp_path_factory.mktemp("public-packs")
    url = duckdb_url(folder / "warehouse.duckdb")
    engine = get_engine(url)
    build_sample_warehouse(load_registry(CONFIG), engine, date.today())
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    app = create_app(CONFIG, url)
    app.server.config["TESTING"] = True
    yield app, folder
    engine.dispose()


def _engine(app: dash.Dash) -> sa.Engine:
    engine: sa.Engine = app.server.config["PMF_RUNTIME"].engine
    return engine


def _ask(app: dash.Dash, scope: Any, report_format: Any, role: str = "public") -> Any:
    return dash_post(
        client_as(app, role),
        PACK_OUTPUTS,
        [("pack-button", "n_clicks", 1)],
        [("pack-scope", "data", scope), ("pack-format", "value", report_format)],
    )


def _sent(response: Any) -> bytes:
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    body = json.loads(response.get_data(as_text=True))["response"]
    download = body["pack-download"]["data"]
    assert download["base64"]
    return base64.b64decode(download["content"])


def _builds(app: dash.Dash, ident: str) -> int:
    with _engine(app).connect() as conn:
        found = conn.execute(
            sa.select(sa.func.count()).where(
                report_runs.c.trigger == TRIGGER, report_runs.c.target_id == ident
            )
        ).scalar()
    return int(found or 0)


def _cached(folder: Path, ident: str) -> list[Path]:
    return sorted(p for p in folder.rglob(f"*{ident}*.xlsx") if not p.name.startswith("."))


def test_a_public_pack_is_built_once_and_then_served_from_the_cache(
    packs_app: tuple[dash.Dash, Path],
) -> None:
    app, folder = packs_app
    scope = {"kind": "committee", "id": "corporate-review"}
    first = _sent(_ask(app, scope, "xlsx"))
    assert load_workbook(io.BytesIO(first)).sheetnames[0] == "Summary"
    assert _builds(app, "corporate-review") == 1
    [cached] = _cached(folder, "corporate-review")
    built_at = cached.stat().st_mtime_ns
    again = _sent(_ask(app, scope, "xlsx"))
    assert again == first
    assert _builds(app, "corporate-review") == 1
    assert cached.stat().st_mtime_ns == built_at


def test_two_visitors_at_once_cause_one_build(packs_app: tuple[dash.Dash, Path]) -> None:
    app, _ = packs_app
    scope = {"kind": "committee", "id": "health-care"}
    answers: list[bytes] = []

    def ask() -> None:
        answers.append(_sent(_ask(app, scope, "xlsx")))

    visitors = [threading.Thread(target=ask) for _ in range(3)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=120)
    assert len(answers) == 3 and len(set(answers)) == 1
    assert _builds(app, "health-care") == 1


def test_new_figures_mean_a_new_build(packs_app: tuple[dash.Dash, Path]) -> None:
    app, folder = packs_app
    scope = {"kind": "priority", "id": "jobs-growth"}
    _sent(_ask(app, scope, "xlsx"))
    registry = app.server.config["PMF_RUNTIME"].registry
    metric = registry.for_priority("jobs-growth")[0]
    with _engine(app).begin() as conn:
        conn.execute(
            observations.insert().values(
                metric_id=metric.id,
                area_code=registry.plan.county.code,
                period_start=date(2001, 1, 1),
                period_end=date(2001, 1, 31),
                value=1.0,
                loaded_at=datetime.now(),
            )
        )
    _sent(_ask(app, scope, "xlsx"))
    assert _builds(app, "jobs-growth") == 2
    assert len(_cached(folder, "jobs-growth")) == 1  # the stale file is cleared away


def test_signed_in_people_ask_the_worker_for_a_fresh_build(
    packs_app: tuple[dash.Dash, Path],
) -> None:
    app, folder = packs_app
    scope = {"kind": "portfolio", "id": "finance"}
    response = _ask(app, scope, "xlsx", role="officer")
    assert response.status_code == 200
    body = json.loads(response.get_data(as_text=True))["response"]
    assert body["pack-status"]["children"] == "" and isinstance(body["pack-job"]["data"], int)
    assert _builds(app, "finance") == 0 and _cached(folder, "finance") == []


@pytest.mark.parametrize(
    ("scope", "report_format", "words"),
    [
        ({"kind": "ward", "id": "x"}, "xlsx", "portfolio, committee or priority"),
        ({"kind": "__class__", "id": "x"}, "xlsx", "portfolio, committee or priority"),
        ({"kind": "committee", "id": "no-such-committee"}, "xlsx", "no committee"),
        ({"kind": "committee", "id": "../../etc/passwd"}, "xlsx", "no committee"),
        ({"kind": "committee", "id": "corporate-review"}, "docx", "html, pdf, xlsx"),
        ({"kind": "committee", "id": "corporate-review"}, None, "html, pdf, xlsx"),
        ({"kind": "committee"}, "xlsx", "portfolio, committee or priority"),
        ("committee", "xlsx", "portfolio, committee or priority"),
        (None, "xlsx", "portfolio, committee or priority"),
    ],
)
def test_a_bad_request_is_refused_with_400_in_words(
    packs_app: tuple[dash.Dash, Path], scope: Any, report_format: Any, words: str
) -> None:
    app, _ = packs_app
    for role in ("public", "officer"):
        response = _ask(app, scope, report_format, role=role)
        assert response.status_code == 400, response.get_data(as_text=True)[:500]
        assert response.mimetype == "text/plain"
        text = response.get_data(as_text=True)
        assert words in text and "Traceback" not in text and "plan.yaml" not in text
