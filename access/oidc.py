"""Single sign-on with OpenID Connect (Microsoft Entra ID or any other provider), by Authlib.

`/login/oidc` sends the browser to the provider: the authorization code flow with PKCE (S256),
a fresh `state` and `nonce` kept in the signed session. `/login/oidc/callback` takes the state
once only (a replayed one is refused), exchanges the code over a back channel with the client
secret, and has Authlib verify the ID token: its signature against the provider's published
keys, its issuer, audience, expiry and nonce. The claims then give the PMF account and role
(access.sso_accounts), and the person gets the same server-side session as a password sign-in.

Every outcome goes to the sign-in log (`sign_in_events`, method "oidc") and the `pmf.access`
logger; a failure shows a plain page saying what the person can do, never what went wrong inside.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import flask
import requests
import sqlalchemy as sa
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidClaimError, JoseError

from access.pages import sso_problem_page
from access.redirects import safe_next
from access.session import begin_session
from access.sso import SsoSettings
from access.sso_accounts import Refused, sso_viewer
from access.throttle import record_attempt

LOG = logging.getLogger("pmf.access")
CLIENT = "council"
NEXT_KEY = "pmf_oidc_next"  # where to go after signing in, while the provider is asked
ID_TOKEN_KEY = "pmf_oidc_id_token"  # kept for signing out of the provider too
# The ID token is kept in the cookie only if this short: one listing many groups would not fit
ID_TOKEN_KEPT = 2000
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Failure:
    """A page for one way single sign-on can fail: its title, what to do, the HTTP status."""

    title: str
    message: str
    status: int


def failures(name: str) -> dict[str, Failure]:
    """Every failure page, worded for someone signing in through `name`."""
    desk = "If this keeps happening, contact your IT service desk and tell them the time."
    return {
        "unavailable": Failure(
            "Sign-in is not working at the moment",
            f"PMF could not reach {name}'s sign-in service. Try again in a few minutes. {desk}",
            503,
        ),
        "cancelled": Failure(
            "You have not signed in",
            "Signing in was cancelled, or permission to use your account with PMF was not "
            "given. You can try again, or read the published measures without signing in.",
            403,
        ),
        "replayed": Failure(
            "Your sign-in link has expired",
            "This sign-in had already been used or had timed out. Start again from the "
            "sign-in page.",
            400,
        ),
        "wrong_audience": Failure(
            "PMF could not sign you in",
            "The sign-in service's answer was meant for another application, so PMF did not "
            f"accept it. {desk}",
            401,
        ),
        "expired": Failure(
            "Your sign-in has expired",
            "The sign-in service's answer was too old by the time it reached PMF. Try again. "
            f"{desk}",
            401,
        ),
        "invalid": Failure(
            "PMF could not sign you in",
            "The sign-in service's answer could not be checked, so PMF did not accept it. "
            f"Try again. {desk}",
            401,
        ),
        "no_role": Failure(
            "You do not have access to PMF",
            f"Your {name} account is not in a group that may use PMF. If you need access, ask "
            "the performance team to have you added. You can still read the published "
            "measures without signing in.",
            403,
        ),
        "disabled": Failure(
            "Your PMF account is disabled",
            "Ask the performance team if you need it enabled again.",
            403,
        ),
        "no_username": Failure(
            "PMF could not tell who you are",
            f"Your {name} account did not give PMF a user name it can use. {desk}",
            403,
        ),
        "local_account": Failure(
            "PMF could not sign you in",
            "A PMF account with a password already has your user name, so PMF will not sign "
            "you in to it through single sign-on. Ask the performance team to sort it out.",
            403,
        ),
        "other_person": Failure(
            "PMF could not sign you in",
            "Your user name belongs to a PMF account made for someone else at the sign-in "
            "service. Ask the performance team to sort it out.",
            403,
        ),
    }


def _token_failure(error: Exception) -> str:
    if isinstance(error, ExpiredTokenError):
        return "expired"
    if isinstance(error, InvalidClaimError) and error.claim in {"aud", "azp"}:
        return "wrong_audience"
    return "invalid"


@dataclass(frozen=True)
class OidcSignIn:
    """Single sign-on installed on a server: says where to send someone who signs out."""

    client: Any  # Authlib's Flask OAuth 2 client
    sso: SsoSettings

    def logout_url(self, id_token: str | None, after: str) -> str | None:
        """The provider's end-session address (RP-initiated logout), coming back to `after`;
        None if the provider offers none or cannot be reached."""
        try:
            endpoint = self.client.load_server_metadata().get("end_session_endpoint")
        except (requests.RequestException, ValueError) as exc:
            LOG.warning("could not sign out of the provider: %s", type(exc).__name__)
            return None
        if not endpoint:
            return None
        # No `state`: nothing is carried back, and the home page needs no query string
        params = {"client_id": self.sso.client_id, "post_logout_redirect_uri": after}
        if id_token:
            params["id_token_hint"] = id_token
        joiner = "&" if "?" in str(endpoint) else "?"
        return f"{endpoint}{joiner}{urlencode(params)}"


def install_oidc(
    server: flask.Flask,
    engine: sa.Engine,
    sso: SsoSettings,
    organisation: str,
    base_url: Callable[[], str],
) -> OidcSignIn:
    """Add `/login/oidc` and `/login/oidc/callback` to the server; `base_url` gives the
    dashboard's address (for the callback's address registered at the provider)."""
    oauth = OAuth(server)
    client = oauth.register(
        CLIENT,
        client_id=sso.client_id,
        client_secret=sso.client_secret,
        server_metadata_url=sso.discovery_url,
        client_kwargs={
            "scope": sso.scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )
    pages = failures(sso.name)

    def fail(code: str, username: str = "", detail: str = "") -> flask.Response:
        ip = flask.request.remote_addr
        reason = f"single sign-on: {code}" + (f" ({detail})" if detail else "")
        record_attempt(engine, username, ip, succeeded=False, reason=reason, method="oidc")
        LOG.warning("single sign-on refused for %r from %s: %s", username, ip, reason)
        failure = pages[code]
        body = sso_problem_page(organisation, failure.title, failure.message)
        return flask.Response(body, status=failure.status)

    def metadata_checked() -> None:
        metadata = client.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != sso.issuer.rstrip("/"):
            # Discovery must name the issuer it was asked for (OpenID Connect Discovery 4.3)
            raise ValueError("the discovery document names another issuer")

    def start() -> Any:
        # One sign-in in flight per browser: an abandoned one's state goes, so the signed
        # cookie cannot grow with every click (and an older tab's callback is refused)
        for key in [k for k in flask.session if k.startswith(f"_state_{CLIENT}_")]:
            flask.session.pop(key)
        flask.session[NEXT_KEY] = safe_next(flask.request.args.get("next"))
        try:
            metadata_checked()
            return client.authorize_redirect(base_url() + "/login/oidc/callback")
        except (requests.RequestException, ValueError) as exc:
            return fail("unavailable", detail=type(exc).__name__)

    def callback() -> Any:
        try:
            token = client.authorize_access_token()
        except MismatchingStateError:
            return fail("replayed")
        except OAuthError as exc:
            if exc.error == "access_denied":
                return fail("cancelled")
            return fail("invalid", detail=str(exc.error)[:60])
        except requests.RequestException as exc:
            return fail("unavailable", detail=type(exc).__name__)
        except (ClaimError, JoseError, ValueError) as exc:
            return fail(_token_failure(exc), detail=type(exc).__name__)
        claims = token.get("userinfo")
        if not claims:
            return fail("invalid", detail="no ID token")
        try:
            viewer = sso_viewer(engine, sso, claims)
        except Refused as refused:
            return fail(refused.code, refused.username)
        next_path = safe_next(flask.session.get(NEXT_KEY))
        id_token = str(token.get("id_token", ""))
        # Always the key (it marks a single sign-on session); the token itself only if it fits
        keep = {ID_TOKEN_KEY: id_token if len(id_token) <= ID_TOKEN_KEPT else ""}
        begin_session(engine, viewer, keep)
        ip = flask.request.remote_addr
        record_attempt(
            engine, str(viewer.username), ip, succeeded=True, reason="single sign-on", method="oidc"
        )
        LOG.info("signed in by single sign-on: %s (%s) from %s", viewer.username, viewer.role, ip)
        return flask.redirect(next_path)

    server.add_url_rule("/login/oidc", "pmf_login_oidc", start, methods=["GET"])
    server.add_url_rule("/login/oidc/callback", "pmf_oidc_callback", callback, methods=["GET"])
    return OidcSignIn(client, sso)
