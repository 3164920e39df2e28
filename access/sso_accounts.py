"""The PMF account behind a single sign-on: made at the first sign-in, and its role brought into
line with the person's groups at every sign-in after, each change in the account's audit trail.

A disabled PMF account stays refused whatever the provider says, and a local (password)
account is never taken over by someone who signs in through the provider with the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from access.identity import Viewer
from access.roles import Role, parse_role
from access.sso import PROVIDER, SsoSettings, claim_username, mapped_role
from access.users import check_email
from warehouse.users import change_user, find_user, insert_sso_user, note_sign_in

ACTOR = "single sign-on"


class Refused(Exception):
    """Single sign-on worked, but PMF will not sign this person in; `code` says why."""

    def __init__(self, code: str, username: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.username = username


def _email(claims: Mapping[str, Any]) -> str | None:
    try:
        return check_email(str(claims.get("email") or ""))
    except ValueError:
        return None  # an address PMF cannot send to is simply not kept


def sso_viewer(engine: sa.Engine, sso: SsoSettings, claims: Mapping[str, Any]) -> Viewer:
    """The viewer for a verified ID token's claims, or Refused; the account is made or updated.

    Codes: no_username, local_account, other_person, disabled, no_role.
    """
    username = claim_username(claims, sso.username_claim)
    if username is None:
        raise Refused("no_username")
    external_id = f"{claims.get('iss', '')} {claims.get('sub', '')}"
    role = mapped_role(sso, claims)
    if role is None and sso.unmapped == "public":
        role = "public"
    account = find_user(engine, username)
    if account is not None:
        if account["provider"] != PROVIDER:
            raise Refused("local_account", username)
        if account["external_id"] and account["external_id"] != external_id:
            raise Refused("other_person", username)
        if account["disabled_at"] is not None:
            raise Refused("disabled", username)
    if role is None:
        if account is not None and account["role"] != "public":
            # Out of every mapped group: any session still open ends now, not at its expiry
            _change_role(engine, account, "public", "in no group that gives a role")
        raise Refused("no_role", username)
    display_name = str(claims.get("name") or "").strip()[:200] or username
    email = _email(claims)
    if account is None:
        insert_sso_user(
            engine,
            username=username,
            display_name=display_name,
            role=role,
            email=email,
            external_id=external_id,
            provider=PROVIDER,
            actor=ACTOR,
            detail=f"role {role} from the groups at single sign-on",
        )
        return Viewer(username, display_name, role)
    if account["role"] != role:
        _change_role(engine, account, role, "from the groups at single sign-on")
    details: dict[str, Any] = {"last_sign_in_at": datetime.now(), "external_id": external_id}
    if display_name != account["display_name"]:
        details["display_name"] = display_name
    if email is not None and email != account["email"]:
        details["email"] = email
    note_sign_in(engine, int(account["id"]), details)
    return Viewer(username, display_name, role)


def _change_role(engine: sa.Engine, account: dict[str, Any], role: Role, why: str) -> None:
    before = parse_role(str(account["role"]))
    change_user(
        engine,
        int(account["id"]),
        str(account["username"]),
        {"role": role},
        actor=ACTOR,
        kind="updated",
        detail=f"role {before} -> {role} ({why})",
        end_sessions="role changed at single sign-on",
    )
