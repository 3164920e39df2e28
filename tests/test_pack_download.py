"""The page's pack download: one build at a time, and a bad format is refused in words."""

from __future__ import annotations

import sqlalchemy as sa

from app import create_app
from layouts._components import pack_download
from tests.conftest import CONFIG


def test_a_second_build_waits_its_turn(engine: sa.Engine, db_url: str) -> None:
    app = create_app(CONFIG, db_url)
    with app.server.test_request_context("/committee/corporate-review"):
        assert pack_download._BUILDING.acquire(blocking=False)
        try:
            data, message = pack_download.download_pack(
                1, {"kind": "committee", "id": "corporate-review"}, "html"
            )
        finally:
            pack_download._BUILDING.release()
        assert data is None and "Another pack is being built" in message
        data, message = pack_download.download_pack(
            1, {"kind": "committee", "id": "corporate-review"}, "docx"
        )
        assert data is None and message == "Choose one of html, pdf, xlsx."
