"""Wire sign-in into the Flask server under Dash: session, cookies, CSRF, routes and guards.

CSRF: every POST must carry the session's token, either as the `csrf_token` form field (the
sign-in and sign-out forms) or as the `X-CSRFToken` header, which Dash's renderer copies from
the `_csrf_token` cookie on every callback. Another site can make a browser send the cookie but
cannot read it to set the header, and a cross-site Origin is refused outright. Session cookies
are HttpOnly and SameSite=Lax, and Secure whenever the request came over HTTPS (directly, or
through one of `trusted_proxies` proxies) or always with the `secure_cookies` setting.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import flask
import flask_login
import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from access.identity import IdentityProvider, PasswordProvider
from access.oidc import ID_TOKEN_KEY, OidcSignIn, install_oidc
from access.pages import refused_page, sign_in_page, sign_out_page
from access.policy import callback_permission, page_permission
from access.redirects import safe_next as _safe_next
from access.roles import denial
from access.session import (
    SESSION_ID,
    SESSION_TOKEN,
    SignedIn,
    begin_session,
    csrf_token,
    current_viewer,
)
from access.sso import PROVIDER, local_sign_in, sso_settings
from access.throttle import record_attempt, wait_seconds
from access.users import enabled_viewer
from metrics.registry.loader import Registry
from warehouse.engine import database_path
from warehouse.user_sessions import end_session, live_session_account

# Kept here too for the code and tests that import them from this module
__all__ = ["SESSION_ID", "SESSION_TOKEN", "_safe_next", "begin_session", "csrf_token"]

LOG = logging.getLogger("pmf.access")
CSRF_COOKIE = "_csrf_token"  # the name Dash's renderer reads
CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECRET_FILE = "secret_key"
RENEWED = "_renewed"  # in the session: when its cookie was last sent, in seconds since 1970
RENEW_SECONDS = 300


class MissingSecretKey(RuntimeError):
    """A server database and no PMF_SECRET_KEY: there is nowhere to keep a generated key."""


def secret_key(database_url: str) -> str:
    """PMF_SECRET_KEY, or a key generated once and kept beside a local database file."""
    key = os.environ.get("PMF_SECRET_KEY", "").strip()
    if key:
        return key
    path = database_path(database_url)
    if path is None:
        raise MissingSecretKey(
            "Set PMF_SECRET_KEY to a long random string (the same for every web worker): it "
            "signs sign-in sessions, and with a server database there is no folder to keep a "
            "generated one in. See docs/deploy.md."
        )
    keyfile = Path(path).parent / SECRET_FILE
    if not keyfile.exists():
        keyfile.parent.mkdir(parents=True, exist_ok=True)
        keyfile.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        keyfile.chmod(0o600)
        LOG.warning("PMF_SECRET_KEY is not set; generated one in %s", keyfile)
    return keyfile.read_text(encoding="utf-8").strip()


def _same_origin() -> bool:
    origin = flask.request.headers.get("Origin")
    if not origin or origin == "null":
        referer = flask.request.headers.get("Referer")
        if not referer:
            return origin is None  # a missing Origin is allowed; the token still has to match
        origin = referer
    parts = urlsplit(origin)
    return parts.netloc == flask.request.host


def _token_ok() -> bool:
    expected = flask.session.get(SESSION_TOKEN)
    given = flask.request.headers.get(CSRF_HEADER) or flask.request.form.get("csrf_token", "")
    return isinstance(expected, str) and bool(given) and hmac.compare_digest(expected, str(given))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure whenever the request came over HTTPS.

    A signed-in session's cookie is renewed (its eight hours start again) at most once every
    five minutes, not on every request: signing the cookie again was a fifth of the work of
    answering a page's smaller requests, and a page load makes four or five of them.
    """

    def should_set_cookie(self, app: flask.Flask, session: Any) -> bool:
        """Send the cookie when the session changed, or a permanent one is due for renewal."""
        if not session.permanent:
            return bool(session.modified)
        now = int(time.time())
        renewed = session.get(RENEWED)
        due = not (isinstance(renewed, int) and 0 <= now - renewed < RENEW_SECONDS)
        if due:
            session[RENEWED] = now  # the cookie sent now lasts eight hours from now
        return bool(due or session.modified)

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        """Secure if the setting says always, or this request is HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            flask.has_request_context() and flask.request.is_secure
        )


def trust_proxies(server: flask.Flask, count: int) -> None:
    """Believe the X-Forwarded-* headers set by `count` reverse proxies in front of PMF.

    Then a request that reached the proxy over HTTPS counts as HTTPS (Secure cookies), and the
    sign-in throttle sees the visitor's address rather than the proxy's. With 0, the headers are
    ignored, since anyone could send them.
    """
    if count > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def install_access(
    server: flask.Flask,
    registry: Registry,
    engine: sa.Engine,
    database_url: str,
    provider: IdentityProvider,
) -> None:
    """Add sessions, sign-in routes, CSRF checks and role guards to the dashboard's server.

    Raises SignInMisconfigured (one line naming the setting) if single sign-on or the
    break-glass setting cannot work as configured.
    """
    settings = registry.settings
    organisation = registry.plan.organisation.name
    sso = sso_settings(settings, organisation)
    local = local_sign_in(settings, sso)
    secure = bool(settings["secure_cookies"])
    trust_proxies(server, int(settings["trusted_proxies"]))
    server.session_interface = SessionCookies()
    server.secret_key = secret_key(database_url)
    server.config.update(
        SESSION_COOKIE_NAME="pmf_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(username: str) -> SignedIn | None:
        # The cookie alone is not enough: its session must still be open on the server, so a
        # copied cookie dies with sign-out, and disabling an account ends its sessions
        session_id = flask.session.get(SESSION_ID)
        if not isinstance(session_id, str):
            return None
        account = live_session_account(engine, session_id, username)
        if account is None:
            return None
        if account["provider"] != PROVIDER and not local.allows(username):
            return None  # passwords are off for everyone but the break-glass accounts
        viewer = enabled_viewer(account)
        return SignedIn(viewer) if viewer else None

    def base_url() -> str:
        # The address registered at the provider: the setting if given, else as reached
        configured = str(settings["dashboard_url"]).strip().rstrip("/")
        return configured or flask.request.host_url.rstrip("/")

    oidc: OidcSignIn | None = (
        install_oidc(server, engine, sso, organisation, base_url) if sso is not None else None
    )

    def sign_in_form(next_path: str, error: str = "") -> str:
        return sign_in_page(
            organisation,
            csrf_token(),
            next_path,
            error,
            sso_name=sso.name if sso is not None else None,
            break_glass_only=local.break_glass_only,
        )

    def refuse(message: str, status: int) -> flask.Response:
        path = flask.request.path
        if path.startswith("/_dash"):
            return flask.Response(message, status=status, mimetype="text/plain")
        return flask.Response(refused_page(organisation, message), status=status)

    @server.before_request
    def guard() -> Any:
        request = flask.request
        csrf_token()
        if request.method not in SAFE_METHODS:
            if not _same_origin():
                return refuse("Refused: the request came from another website.", 403)
            if not _token_ok():
                return refuse(
                    "Refused: the form had expired or did not come from this site. "
                    "Reload the page and try again.",
                    403,
                )
        viewer = current_viewer()
        if request.path == "/_dash-update-component":
            body = request.get_json(silent=True)
            output = str(body.get("output", "")) if isinstance(body, dict) else ""
            needed = callback_permission(output)
            if needed and not viewer.can(needed):
                return refuse(denial(needed), 403)
            return None
        needed = page_permission(request.path)
        if needed and not viewer.can(needed) and request.method in SAFE_METHODS:
            # Quoted whole, so a query string's "&" stays part of the page to return to
            return flask.redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/"))
        return None

    @server.after_request
    def set_csrf_cookie(response: flask.Response) -> flask.Response:
        token = csrf_token()  # a fresh one after sign-in or sign-out cleared the session
        if flask.request.cookies.get(CSRF_COOKIE) != token:
            # Readable by the page's own script (Dash sends it back as a header), never by others
            response.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=False,
                samesite="Lax",
                secure=secure or flask.request.is_secure,
                path="/",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    def login() -> Any:
        request = flask.request
        next_path = _safe_next(request.values.get("next"))
        if request.method == "GET":
            return sign_in_form(next_path)
        if not isinstance(provider, PasswordProvider):
            return refuse("Sign in through your organisation's single sign-on instead.", 400)
        username = request.form.get("username", "").strip().lower()[:80]
        password = request.form.get("password", "")
        ip = request.remote_addr
        wait = wait_seconds(
            engine,
            username,
            ip,
            attempts=int(settings["sign_in_attempts"]),
            minutes=int(settings["sign_in_lockout_minutes"]),
        )
        if wait > 0:
            record_attempt(engine, username, ip, succeeded=False, reason="locked out")
            LOG.warning("sign-in refused for %r from %s: locked out", username, ip)
            minutes = max(1, -(-wait // 60))
            error = (
                "Too many failed sign-ins. Wait "
                f"{minutes} minute{'s' if minutes != 1 else ''} and try again."
            )
            return sign_in_form(next_path, error), 429
        if not local.allows(username):
            record_attempt(engine, username, ip, succeeded=False, reason="passwords are off")
            LOG.warning("sign-in refused for %r from %s: not a break-glass account", username, ip)
            error = (
                f"Sign in with {sso.name if sso else 'single sign-on'} instead: PMF passwords "
                "are only for administrators when single sign-on is not working."
            )
            return sign_in_form(next_path, error), 403
        viewer = provider.authenticate(username, password) if username and password else None
        if viewer is None:
            record_attempt(engine, username, ip, succeeded=False, reason="wrong name or password")
            LOG.warning("sign-in failed for %r from %s", username, ip)
            error = "The user name or password is not right, or the account is disabled."
            return sign_in_form(next_path, error), 401
        begin_session(engine, viewer)
        record_attempt(engine, username, ip, succeeded=True)
        LOG.info("signed in: %s (%s) from %s", viewer.username, viewer.role, ip)
        return flask.redirect(next_path)

    def logout() -> Any:
        viewer = current_viewer()
        if flask.request.method == "GET":
            if not viewer.signed_in:
                return flask.redirect("/")
            return sign_out_page(organisation, csrf_token(), viewer.display_name)
        session_id = flask.session.get(SESSION_ID)
        if isinstance(session_id, str):
            end_session(engine, session_id)
        id_token = flask.session.get(ID_TOKEN_KEY)
        signed_in_by_sso = ID_TOKEN_KEY in flask.session
        flask_login.logout_user()
        flask.session.clear()
        LOG.info("signed out: %s", viewer.username)
        if oidc is not None and signed_in_by_sso:
            # RP-initiated logout: the provider ends its own session and sends the browser back
            leave = oidc.logout_url(id_token or None, base_url() + "/")
            if leave is not None:
                return flask.redirect(leave)
        return flask.redirect("/")

    server.add_url_rule("/login", "pmf_login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "pmf_logout", logout, methods=["GET", "POST"])
