"""Signing out, disabling an account or changing its role or password ends sessions on the
server: a copied session cookie stops working."""

from __future__ import annotations

import time
from typing import Any

import dash
import sqlalchemy as sa

from access.users import add_user, disable_user, update_user
from tests.access.conftest import PASSWORD, csrf, sign_in

COOKIE = "pmf_session"


def _signed_in(demo_app: dash.Dash, username: str) -> tuple[Any, str]:
    client = demo_app.server.test_client()
    assert sign_in(client, username).status_code == 302
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return client, str(cookie.value)


def _replay(demo_app: dash.Dash, cookie: str) -> Any:
    client = demo_app.server.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def _reaches_actions(client: Any) -> bool:
    response = client.get("/actions")
    return bool(response.status_code == 200)


def test_a_copied_cookie_stops_working_after_sign_out(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "copied", PASSWORD, "officer", actor="test")
    client, cookie = _signed_in(demo_app, "copied")
    assert _reaches_actions(_replay(demo_app, cookie))  # the copy works while signed in
    client.post("/logout", data={"csrf_token": csrf(client)})
    stolen = _replay(demo_app, cookie)
    response = stolen.get("/actions")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert b"signed-in-as" not in stolen.get("/_dash-layout").data


def test_sign_out_ends_only_that_session(demo_app: dash.Dash, demo_engine: sa.Engine) -> None:
    add_user(demo_engine, "two-desks", PASSWORD, "officer", actor="test")
    laptop, _ = _signed_in(demo_app, "two-desks")
    desktop, _ = _signed_in(demo_app, "two-desks")
    laptop.post("/logout", data={"csrf_token": csrf(laptop)})
    assert not _reaches_actions(laptop)
    assert _reaches_actions(desktop)


def test_disabling_an_account_ends_its_open_sessions(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "mover", PASSWORD, "officer", actor="test")
    _, cookie = _signed_in(demo_app, "mover")
    disable_user(demo_engine, "mover", actor="test")
    assert not _reaches_actions(_replay(demo_app, cookie))
    update_user(demo_engine, "mover", actor="test", enable=True)
    # Enabled again, the person signs in afresh: the old cookie stays dead
    assert not _reaches_actions(_replay(demo_app, cookie))
    assert _reaches_actions(_signed_in(demo_app, "mover")[0])


def test_a_new_role_or_password_ends_open_sessions(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "promoted", PASSWORD, "member", actor="test")
    client, _ = _signed_in(demo_app, "promoted")
    update_user(demo_engine, "promoted", actor="test", role="officer")
    assert not _reaches_actions(client)
    client, _ = _signed_in(demo_app, "promoted")
    assert _reaches_actions(client)
    update_user(demo_engine, "promoted", actor="test", password=PASSWORD + "!")
    assert not _reaches_actions(client)


def test_a_session_cookie_without_a_server_record_is_anonymous(demo_app: dash.Dash) -> None:
    # A cookie signed with the right key but never issued by sign-in (e.g. made before this
    # release, or forged with a leaked key and a guessed name) carries no session id
    server = demo_app.server
    with server.test_request_context("/"):
        from flask import session

        session["_user_id"] = "jo"
        session["_fresh"] = True
        interface = server.session_interface
        serializer = interface.get_signing_serializer(server)
        assert serializer is not None
        forged = serializer.dumps(dict(session))
    assert not _reaches_actions(_replay(demo_app, forged))


def _session_cookie_sent(response: Any) -> str | None:
    sent = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    return sent[0] if sent else None


def test_an_active_session_is_renewed_every_few_minutes_not_on_every_request(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    """The eight hours start again while someone works, but the cookie is not signed and sent
    again on each of a page's requests."""
    from access.web import RENEW_SECONDS, RENEWED

    add_user(demo_engine, "renewed", PASSWORD, "officer", actor="test")
    client, _ = _signed_in(demo_app, "renewed")
    for path in ("/actions", "/_dash-layout", "/_dash-dependencies"):
        response = client.get(path)
        assert response.status_code == 200
        assert _session_cookie_sent(response) is None, path
    # The same session as if its cookie had been sent a little over five minutes ago
    with client.session_transaction() as session:
        kept = dict(session)
    kept[RENEWED] = int(time.time()) - RENEW_SECONDS - 1
    server = demo_app.server
    signer = server.session_interface.get_signing_serializer(server)
    client.set_cookie(COOKIE, signer.dumps(kept))
    renewed = _session_cookie_sent(client.get("/_dash-layout"))
    assert renewed is not None and "Expires=" in renewed
    assert _session_cookie_sent(client.get("/_dash-layout")) is None
    assert _reaches_actions(client)  # still signed in with the renewed cookie
