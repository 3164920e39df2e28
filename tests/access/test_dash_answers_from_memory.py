"""`/_dash-dependencies` and `/_dash-layout` are answered from bytes made once (app.py): the
answers must be exactly what Dash itself would serialise, for each viewer."""

from __future__ import annotations

from typing import Any

import dash
from dash._utils import to_json

from tests.access.conftest import ACCOUNTS, client_as, sign_in


def _dash_layout(app: dash.Dash, cookie_header: str) -> bytes:
    # What Dash's own serve_layout gives for the viewer behind these cookies
    with app.server.test_request_context("/_dash-layout", headers={"Cookie": cookie_header}):
        app.server.preprocess_request()
        return to_json(app.get_layout()).encode("utf-8")


def _cookies(client: Any) -> str:
    session = client.get_cookie("pmf_session")
    return f"pmf_session={session.value}" if session is not None else ""


def test_dependencies_are_dash_own_answer_every_time(demo_app: dash.Dash) -> None:
    client = client_as(demo_app, "officer")
    first = client.get("/_dash-dependencies")
    again = client_as(demo_app, "public").get("/_dash-dependencies")
    with demo_app.server.test_request_context("/_dash-dependencies"):
        own = demo_app.dependencies()
    assert first.status_code == again.status_code == 200
    assert first.data == again.data == own.get_data()
    assert first.headers["Content-Type"] == own.headers["Content-Type"]
    # Still a fresh response: the security headers are set on each
    assert first.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in first.headers


def test_each_viewer_gets_dash_own_layout_for_them(demo_app: dash.Dash, role: str) -> None:
    client = client_as(demo_app, role)
    served = [client.get("/_dash-layout") for _ in range(2)]
    assert all(answer.status_code == 200 for answer in served)
    assert served[0].data == served[1].data == _dash_layout(demo_app, _cookies(client))
    assert served[0].headers["Content-Type"].startswith("application/json")
    if role == "public":
        assert b"signed-in-as" not in served[0].data
    else:
        assert ACCOUNTS[role][1].encode("utf-8") in served[0].data


def test_a_layout_made_for_one_viewer_never_reaches_another(demo_app: dash.Dash) -> None:
    officer = client_as(demo_app, "officer").get("/_dash-layout").data
    member = client_as(demo_app, "member").get("/_dash-layout").data
    public = demo_app.server.test_client().get("/_dash-layout").data
    assert len({officer, member, public}) == 3
    assert ACCOUNTS["member"][1].encode() not in officer + public


def test_signing_out_changes_the_layout_on_the_next_request(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    assert sign_in(client, ACCOUNTS["admin"][0]).status_code == 302
    assert b"signed-in-as" in client.get("/_dash-layout").data
    token = client.get_cookie("_csrf_token").value
    client.post("/logout", data={"csrf_token": token})
    assert b"signed-in-as" not in client.get("/_dash-layout").data
