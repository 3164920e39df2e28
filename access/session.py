"""Who is asking, for the current Flask request (the anonymous public outside a request)."""

from __future__ import annotations

import flask
import flask_login

from access.identity import ANONYMOUS, Viewer


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
