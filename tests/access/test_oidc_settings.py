"""Single sign-on's settings and claims: a wrong setting stops start-up in one line naming it,
the provider being down is a page of its own, and claims map to a user name and a role."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from access.sso import (
    SECRET_VARIABLE,
    SignInMisconfigured,
    SsoSettings,
    claim_username,
    local_sign_in,
    mapped_role,
    sso_settings,
)
from access.sso_accounts import Refused, sso_viewer
from app import create_app
from metrics.registry.loader import ConfigError, load_registry
from metrics.registry.settings import Settings
from tests.access.oidc_fixtures import ROLE_MAP, sso_config
from warehouse.engine import duckdb_url
from warehouse.users import find_user, user_history

SSO = SsoSettings(
    issuer="https://login.example/tenant/v2.0",
    client_id="pmf",
    client_secret="not-a-real-secret",
    scopes="openid profile email",
    name="Test County Council",
    username_claim="preferred_username",
    role_claim="groups",
    roles={"g-members": "member", "g-officers": "officer"},
    unmapped="refuse",
)


def settings(**values: object) -> Settings:
    """The default settings with some changed."""
    resolved = Settings()
    return Settings({**resolved.values, **values})


def test_the_client_secret_comes_only_from_the_environment() -> None:
    on = settings(oidc_issuer="https://login.example/t/v2.0", oidc_client_id="pmf")
    with pytest.raises(SignInMisconfigured, match=f"^{SECRET_VARIABLE} is not set"):
        sso_settings(on, "Council", environ={})
    configured = sso_settings(
        settings(
            oidc_issuer="https://login.example/t/v2.0",
            oidc_client_id="pmf",
            oidc_roles={"g": "member"},
        ),
        "Council",
        environ={SECRET_VARIABLE: "very secret"},
    )
    assert configured is not None and "very secret" not in repr(configured)
    assert configured.name == "Council"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"oidc_issuer": "https://login.example/t/v2.0"}, "oidc_client_id is empty"),
        (
            {"oidc_issuer": "https://login.example/t/v2.0", "oidc_client_id": "pmf"},
            "oidc_roles is empty",
        ),
        ({"local_sign_in": "break_glass_only"}, "local_sign_in is break_glass_only but oidc_"),
    ],
)
def test_settings_that_cannot_work_are_named_in_one_line(
    values: dict[str, object], named: str
) -> None:
    with pytest.raises(SignInMisconfigured, match=named) as caught:
        sso = sso_settings(settings(**values), "Council", environ={SECRET_VARIABLE: "s"})
        local_sign_in(settings(**values), sso)
    assert "\n" not in str(caught.value)


def test_a_wrong_value_in_settings_yaml_stops_validation_naming_it(config_copy: Path) -> None:
    settings_file = config_copy / "settings.yaml"
    settings_file.write_text(
        "oidc_issuer: http://login.example/t\n"
        "oidc_roles: {pmf-councillors: councillor}\n"
        "local_sign_in: break_glass\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_registry(config_copy)
    text = str(caught.value)
    assert "oidc_issuer" in text and "https" in text
    assert "'councillor', which is not a role" in text
    assert "did you mean 'break_glass_only'" in text


def test_the_dashboard_will_not_start_without_the_client_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    config = sso_config(tmp_path, "https://login.example/t/v2.0")
    with pytest.raises(SignInMisconfigured, match=SECRET_VARIABLE):
        create_app(config, duckdb_url(tmp_path / "pmf.duckdb"))


def test_a_provider_that_cannot_be_reached_gets_a_page_of_its_own(
    tmp_path: Path, client_secret: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the probe is closed
    app = create_app(
        sso_config(tmp_path, f"http://127.0.0.1:{closed}"), duckdb_url(tmp_path / "pmf.duckdb")
    )
    answer = app.server.test_client().get("/login/oidc")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "Sign-in is not working at the moment" in page
    assert "Try again in a few minutes" in page
    assert str(closed) not in page and "Connection" not in page


def test_claims_give_a_user_name_and_the_highest_role() -> None:
    assert claim_username({"preferred_username": "Jo.Bloggs@Council.gov.uk"}, "upn") == (
        "jo.bloggs@council.gov.uk"
    )
    assert claim_username({"upn": "jo@council.gov.uk", "sub": "x1"}, "upn") == "jo@council.gov.uk"
    assert claim_username({"email": "ann@council.gov.uk", "sub": "x1"}, "upn") == (
        "ann@council.gov.uk"
    )
    assert claim_username({"preferred_username": "has spaces", "sub": "abc123"}, "x") == "abc123"
    assert claim_username({"name": "Nobody"}, "preferred_username") is None
    assert mapped_role(SSO, {"groups": ["g-members", "g-officers", "other"]}) == "officer"
    assert mapped_role(SSO, {"groups": "g-members other"}) == "member"  # roles as one string
    assert mapped_role(SSO, {"groups": ["other"]}) is None
    assert set(ROLE_MAP.values()) == {"member", "officer", "admin"}


def test_the_unmapped_may_be_let_in_with_the_publics_view(engine: sa.Engine) -> None:
    public = SsoSettings(**{**SSO.__dict__, "unmapped": "public"})
    claims = {"iss": SSO.issuer, "sub": "s1", "preferred_username": "pat", "groups": ["other"]}
    viewer = sso_viewer(engine, public, claims)
    assert (viewer.username, viewer.role, viewer.signed_in) == ("pat", "public", True)
    with pytest.raises(Refused) as refused:
        sso_viewer(engine, SSO, {**claims, "preferred_username": "kim", "sub": "s2"})
    assert refused.value.code == "no_role"
    # The same name from another person at the provider does not get pat's account
    with pytest.raises(Refused) as taken:
        sso_viewer(engine, SSO, {**claims, "sub": "s3", "groups": ["g-officers"]})
    assert taken.value.code == "other_person"
    account = find_user(engine, "pat")
    assert account is not None and account["role"] == "public"
    assert user_history(engine, "pat")["actor"].tolist() == ["single sign-on"]
