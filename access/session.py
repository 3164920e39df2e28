"""Who is asking, for the current Flask request (the anonymous public outside a request), and
starting a signed-in session, which every way of signing in shares."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import flask
import flask_login
import sqlalchemy as sa

from access.identity import ANONYMOUS, Viewer
from warehouse.user_sessions import start_session

SESSION_TOKEN = "csrf_token"
SESSION_ID = "pmf_sid"  # names this sign-in's row in user_sessions


class SignedIn(flask_login.UserMixin):
    """Flask-Login's user object: a thin wrapper round a Viewer."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def get_id(self) -> str:
        """The id kept in the session: the user name."""
        return str(self.viewer.username)


def current_viewer() -> Viewer:
    """The signed-in viewer of this request, or the anonymous public."""
    if not flask.has_request_context() or not hasattr(flask.current_app, "login_manager"):
        return ANONYMOUS
    user = flask_login.current_user
    if isinstance(user, SignedIn) and user.is_authenticated:
        return user.viewer
    return ANONYMOUS


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    token = flask.session.get(SESSION_TOKEN)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        flask.session[SESSION_TOKEN] = token
    return token


def begin_session(engine: sa.Engine, viewer: Viewer, keep: Mapping[str, str] | None = None) -> None:
    """Sign `viewer` in on this request: a fresh session, recorded on the server, new CSRF token.

    Every way of signing in (the password form, single sign-on) must use this, since a session
    the server has no record of is treated as signed out. `keep` is put in the fresh session
    (single sign-on keeps what signing out of the provider needs).
    """
    flask.session.clear()
    session_id = secrets.token_urlsafe(32)
    start_session(engine, session_id, str(viewer.username))
    flask.session[SESSION_ID] = session_id
    flask.session.update(keep or {})
    flask_login.login_user(SignedIn(viewer))
    flask.session.permanent = True
    csrf_token()
