"""The page's pack download: one build at a time, and a bad format is refused in words."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from access.users import add_user
from app import create_app
from layouts._components import pack_download
from tests.access.conftest import PASSWORD, client_as, dash_post
from tests.conftest import CONFIG


def test_a_second_build_waits_its_turn(engine: sa.Engine, db_url: str) -> None:
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    app = create_app(CONFIG, db_url)
    officer = client_as(app, "officer")

    def ask(report_format: str) -> Any:
        return dash_post(
            officer,
            [("pack-download", "data"), ("pack-status", "children")],
            [("pack-button", "n_clicks", 1)],
            [
                ("pack-scope", "data", {"kind": "committee", "id": "corporate-review"}),
                ("pack-format", "value", report_format),
            ],
        )

    assert pack_download._BUILDING.acquire(blocking=False)
    try:
        busy = ask("html")
    finally:
        pack_download._BUILDING.release()
    body = json.loads(busy.get_data(as_text=True))["response"]
    assert "Another pack is being built" in body["pack-status"]["children"]
    refused = ask("docx")
    assert refused.status_code == 400
    assert refused.get_data(as_text=True) == ("A pack is one of html, pdf, xlsx, not 'docx'.")
