"""The page's pack download: a councillor's or officer's pack is built by the job worker, not
in the web request, and fetched by the page when ready, by whoever asked for it only; the
public's shared pack is covered in tests/reports/test_public_pack_cache.py; a bad format is
refused in words."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from access.users import add_user
from app import create_app
from jobs.worker import JobWorker
from layouts._runtime import CONFIG_KEY
from tests.access.conftest import PACK_OUTPUTS, PASSWORD, client_as, dash_post
from warehouse.report_runs import report_run_history

SCOPE = {"kind": "committee", "id": "corporate-review"}


def ask(client: Any, report_format: str) -> Any:
    return dash_post(
        client,
        PACK_OUTPUTS,
        [("pack-button", "n_clicks", 1)],
        [("pack-scope", "data", SCOPE), ("pack-format", "value", report_format)],
    )


def poll(client: Any, job_id: Any) -> Any:
    return dash_post(
        client,
        [("pack-job-download", "data"), ("pack-progress", "children"), ("pack-poll", "disabled")],
        [("pack-poll", "n_intervals", 1), ("pack-job", "data", job_id)],
    )


def words(children: Any) -> str:
    """The text of a component's children as Dash sends them (strings and component dicts)."""
    if isinstance(children, list):
        return " ".join(w for w in (words(c) for c in children) if w)
    if isinstance(children, dict):
        return words(children.get("props", {}).get("children"))
    return "" if children is None else str(children)


def spinner_in(children: Any) -> bool:
    """Whether the children hold the (decorative, hidden from screen readers) spinner."""
    return isinstance(children, list) and any(
        isinstance(c, dict)
        and c.get("props", {}).get("className") == "pmf-spinner"
        and c["props"].get("aria-hidden") == "true"
        for c in children
    )


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body: dict[str, Any] = json.loads(response.get_data(as_text=True))["response"]
    return body


def test_a_pack_is_built_by_the_worker_and_sent_to_whoever_asked(
    engine: sa.Engine, db_url: str, config_copy: Path, tmp_path: Path
) -> None:
    settings = config_copy / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"\nreports_folder: {tmp_path / 'reports'}\n",
        encoding="utf-8",
    )
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    add_user(engine, "cllr-smith", PASSWORD, "member", actor="test")
    app = create_app(config_copy, db_url)
    officer, member = client_as(app, "officer"), client_as(app, "member")

    asked = answer(ask(officer, "xlsx"))
    job_id = asked["pack-job"]["data"]
    assert isinstance(job_id, int) and asked["pack-status"]["children"] == ""
    assert report_run_history(engine).empty  # nothing was built inside the request
    waiting = answer(poll(officer, job_id))["pack-progress"]["children"]
    # While it is prepared the page says so in words, beside a spinner, with no job number
    assert words(waiting) == (
        "Preparing the pack: waiting for its turn. This page will say when it is done."
    )
    assert spinner_in(waiting)

    registry = app.server.config[CONFIG_KEY].registry
    assert JobWorker(registry, engine).run_once()
    ready = answer(poll(officer, job_id))
    name = f"committee-corporate-review-{date.today():%Y-%m-%d}.xlsx"
    assert ready["pack-progress"]["children"] == f"Pack ready: {name}."
    assert ready["pack-job-download"]["data"]["filename"] == name
    assert ready["pack-poll"]["disabled"] is True

    # Another signed-in person cannot collect it by guessing the job number; the public may not ask
    other = answer(poll(member, job_id))
    assert "pack-job-download" not in other or other["pack-job-download"]["data"] is None
    assert other["pack-progress"]["children"] == "The pack could not be found; please ask again."
    assert poll(client_as(app, "public"), job_id).status_code == 403


def test_a_bad_format_is_refused_in_words(engine: sa.Engine, db_url: str) -> None:
    from tests.conftest import CONFIG

    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    app = create_app(CONFIG, db_url)
    for role in ("public", "officer"):
        refused = ask(client_as(app, role), "docx")
        assert refused.status_code == 400
        assert refused.get_data(as_text=True) == "A pack is one of html, pdf, xlsx, not 'docx'."
