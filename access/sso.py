"""Single sign-on settings, and what an ID token's claims say about a person in PMF.

Read from `config/settings.yaml` (the `oidc_*` settings) and PMF_OIDC_CLIENT_SECRET; checked
once at start-up, so a missing client id or secret stops the dashboard with one line naming it.
Pure: nothing here talks to the provider or the warehouse.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from access.roles import ROLES, Role, parse_role
from metrics.registry.settings import Settings

SECRET_VARIABLE = "PMF_OIDC_CLIENT_SECRET"
PROVIDER = "oidc"  # the users table's `provider` for accounts made by single sign-on
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
# Tried in turn when the configured claim is missing from the ID token
FALLBACK_CLAIMS = ("preferred_username", "email", "sub")


class SignInMisconfigured(RuntimeError):
    """A sign-in setting that cannot work; the message names it and says what would."""


@dataclass(frozen=True)
class SsoSettings:
    """Everything PMF needs to sign people in through an OpenID Connect provider."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    name: str  # "Sign in with <name>"
    username_claim: str
    role_claim: str
    roles: Mapping[str, Role]
    unmapped: str  # "refuse" or "public"

    @property
    def discovery_url(self) -> str:
        """Where the provider's discovery document is (OpenID Connect Discovery 1.0)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def __repr__(self) -> str:
        # Never the secret, should this end up in a log or a traceback
        return f"SsoSettings(issuer={self.issuer!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class LocalSignIn:
    """Who may sign in with a PMF password: everyone, or only the break-glass accounts."""

    break_glass_only: bool = False
    break_glass_users: frozenset[str] = frozenset()

    def allows(self, username: str) -> bool:
        """Whether this local account may sign in (or stay signed in) with its password."""
        return not self.break_glass_only or username.strip().lower() in self.break_glass_users


def sso_settings(
    settings: Settings, organisation: str, environ: Mapping[str, str] | None = None
) -> SsoSettings | None:
    """Single sign-on as configured, None when `oidc_issuer` is empty, or SignInMisconfigured."""
    environ = os.environ if environ is None else environ
    issuer = str(settings["oidc_issuer"]).strip()
    if not issuer:
        return None
    client_id = str(settings["oidc_client_id"]).strip()
    if not client_id:
        raise SignInMisconfigured(
            "oidc_client_id is empty in config/settings.yaml: set it to PMF's application "
            "(client) id at the provider, or leave oidc_issuer empty to turn single sign-on off."
        )
    secret = environ.get(SECRET_VARIABLE, "").strip()
    if not secret:
        raise SignInMisconfigured(
            f"{SECRET_VARIABLE} is not set: single sign-on (oidc_issuer) needs the client "
            "secret from PMF's registration at the provider, in the environment (never in "
            "settings.yaml). See docs/access.md."
        )
    roles: dict[str, Role] = {str(k): parse_role(str(v)) for k, v in settings["oidc_roles"].items()}
    if not roles and settings["oidc_unmapped"] == "refuse":
        raise SignInMisconfigured(
            "oidc_roles is empty, so single sign-on would refuse everyone: map the provider's "
            "groups or app roles to member, officer or admin, e.g. {pmf-councillors: member}."
        )
    return SsoSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scopes=" ".join(str(settings["oidc_scopes"]).split()),
        name=str(settings["oidc_name"]).strip() or organisation,
        username_claim=str(settings["oidc_username_claim"]).strip() or "preferred_username",
        role_claim=str(settings["oidc_role_claim"]).strip() or "groups",
        roles=roles,
        unmapped=str(settings["oidc_unmapped"]),
    )


def local_sign_in(settings: Settings, sso: SsoSettings | None) -> LocalSignIn:
    """Who may use a PMF password, or SignInMisconfigured if that would lock everyone out."""
    if settings["local_sign_in"] != "break_glass_only":
        return LocalSignIn()
    users = frozenset(str(u).strip().lower() for u in settings["break_glass_users"])
    if sso is None:
        raise SignInMisconfigured(
            "local_sign_in is break_glass_only but oidc_issuer is empty: only the break-glass "
            "accounts could sign in. Set up single sign-on first, or set local_sign_in: all."
        )
    if not users:
        raise SignInMisconfigured(
            "local_sign_in is break_glass_only but break_glass_users is empty: name at least "
            "one administrator account, e.g. break_glass_users: [root], for when the provider "
            "is down."
        )
    return LocalSignIn(break_glass_only=True, break_glass_users=users)


def claim_username(claims: Mapping[str, Any], preferred: str) -> str | None:
    """The PMF user name the claims give: the configured claim, else the fallbacks, lower-cased;
    None if none of them is a usable user name."""
    for name in (preferred, *FALLBACK_CLAIMS):
        value = claims.get(name)
        if isinstance(value, str):
            candidate = value.strip().lower()
            if USERNAME.match(candidate):
                return candidate
    return None


def claim_values(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The claim's values as text: a list of groups or roles, or one space-separated string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []


def mapped_role(sso: SsoSettings, claims: Mapping[str, Any]) -> Role | None:
    """The highest PMF role the person's groups or app roles map to, or None for none."""
    found = [
        sso.roles[value] for value in claim_values(claims, sso.role_claim) if value in sso.roles
    ]
    return max(found, key=ROLES.index) if found else None


def sign_out_targets(settings: Settings) -> tuple[str, ...]:
    """The provider's origin when single sign-on is on: signing out goes on to it."""
    issuer = urlsplit(str(settings["oidc_issuer"]).strip())
    return (f"{issuer.scheme}://{issuer.netloc}",) if issuer.netloc else ()
