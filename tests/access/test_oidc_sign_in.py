"""Single sign-on over HTTP against a real OpenID Connect provider: the account and role come
from the groups at every sign-in, and every faulty answer is refused with a page of its own."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd
import requests
import sqlalchemy as sa

from access.throttle import wait_seconds
from access.users import disable_user, update_user
from tests.access.oidc_fixtures import (
    BREAK_GLASS,
    LOCAL_OFFICER,
    SsoServer,
    provider_sign_in,
    sso_sign_in,
    start_sign_in,
)
from warehouse.tables import sign_in_events
from warehouse.users import find_user, user_history


def sign_in_log(engine: sa.Engine, username: str) -> pd.DataFrame:
    """The sign-in log's rows for one user name, oldest first."""
    with engine.connect() as conn:
        return pd.read_sql(
            sa.select(sign_in_events)
            .where(sign_in_events.c.username == username)
            .order_by(sign_in_events.c.id),
            conn,
        )


def may_open(session: requests.Session, url: str, path: str) -> bool:
    """Whether the signed-in person may open a page (else PMF sends them to sign in)."""
    return session.get(url + path, allow_redirects=False).status_code == 200


def test_a_councillor_signs_in_with_the_councils_account_as_a_member(
    sso_server: SsoServer,
) -> None:
    url = sso_server.url
    session, answer = sso_sign_in(url, "cllr-jones", "/actions")
    assert answer.status_code == 302 and answer.headers["Location"] == "/actions"
    account = find_user(sso_server.engine, "cllr.jones@council.example")
    assert account is not None
    assert (account["role"], account["provider"], account["password_hash"]) == (
        "member",
        "oidc",
        None,
    )
    assert account["email"] == "cllr.jones@council.example"
    assert "Councillor Jones" in session.get(f"{url}/logout").text
    assert may_open(session, url, "/actions") and not may_open(session, url, "/audit")
    log = sign_in_log(sso_server.engine, "cllr.jones@council.example")
    assert log.iloc[-1][["succeeded", "method"]].tolist() == [True, "oidc"]


def test_the_highest_mapped_group_gives_the_role(sso_server: SsoServer) -> None:
    session, answer = sso_sign_in(sso_server.url, "ann-officer")
    assert answer.status_code == 302
    assert may_open(session, sso_server.url, "/audit")  # officers read the audit trail
    account = find_user(sso_server.engine, "ann.officer@council.example")
    assert account is not None and account["role"] == "officer"


def test_the_role_follows_the_groups_at_every_sign_in(sso_server: SsoServer) -> None:
    url, engine, provider = sso_server.url, sso_server.engine, sso_server.provider
    name = "ann.officer@council.example"
    try:
        provider.set_groups("ann-officer", ["all-staff", "pmf-councillors"])
        session, answer = sso_sign_in(url, "ann-officer")
        assert answer.status_code == 302 and not may_open(session, url, "/audit")
        assert find_user(engine, name)["role"] == "member"  # type: ignore[index]
        # Leaves every PMF group: refused next time, and the session still open ends at once
        provider.set_groups("ann-officer", ["all-staff"])
        _, refused = sso_sign_in(url, "ann-officer")
        assert refused.status_code == 403
        assert "You do not have access to PMF" in refused.text
        assert not may_open(session, url, "/actions")
        assert find_user(engine, name)["role"] == "public"  # type: ignore[index]
    finally:
        provider.set_groups("ann-officer", ["all-staff", "pmf-councillors", "pmf-officers"])
    details = user_history(engine, name)["detail"].tolist()
    assert "role officer -> member (from the groups at single sign-on)" in details
    assert "role member -> public (in no group that gives a role)" in details
    assert sign_in_log(engine, name).iloc[-1]["reason"] == "single sign-on: no_role"


def test_someone_in_no_mapped_group_is_refused_and_it_is_logged(sso_server: SsoServer) -> None:
    _, answer = sso_sign_in(sso_server.url, "no-group")
    assert answer.status_code == 403
    assert '<h1 id="signin-title">You do not have access to PMF</h1>' in answer.text
    assert "all-staff" not in answer.text  # nothing about the groups is given away
    assert find_user(sso_server.engine, "nat.nobody@council.example") is None
    log = sign_in_log(sso_server.engine, "nat.nobody@council.example")
    assert log.iloc[-1][["succeeded", "reason"]].tolist() == [False, "single sign-on: no_role"]


def test_a_tampered_id_token_is_refused(sso_server: SsoServer) -> None:
    session, answer = sso_sign_in(sso_server.url, "tampered")
    assert answer.status_code == 401
    assert "could not be checked" in answer.text
    assert "signature" not in answer.text.lower()
    assert find_user(sso_server.engine, "tampered@council.example") is None
    assert not may_open(session, sso_server.url, "/actions")


def test_an_id_token_for_another_application_is_refused(sso_server: SsoServer) -> None:
    _, answer = sso_sign_in(sso_server.url, "wrong-audience")
    assert answer.status_code == 401
    assert "meant for another application" in answer.text
    assert find_user(sso_server.engine, "wrong.aud@council.example") is None


def test_an_expired_id_token_is_refused(sso_server: SsoServer) -> None:
    _, answer = sso_sign_in(sso_server.url, "expired")
    assert answer.status_code == 401
    assert "Your sign-in has expired" in answer.text
    assert find_user(sso_server.engine, "expired@council.example") is None


def test_a_replayed_state_is_refused(sso_server: SsoServer) -> None:
    session = requests.Session()
    callback = provider_sign_in(session, start_sign_in(session, sso_server.url), "cllr-jones")
    assert session.get(callback, allow_redirects=False).status_code == 302
    replayed = session.get(callback, allow_redirects=False)
    assert replayed.status_code == 400 and "already been used" in replayed.text


def test_a_state_from_another_browser_is_refused(sso_server: SsoServer) -> None:
    victim = requests.Session()
    attacker = requests.Session()
    callback = provider_sign_in(attacker, start_sign_in(attacker, sso_server.url), "no-group")
    answer = victim.get(callback, allow_redirects=False)
    assert answer.status_code == 400


def test_cancelling_at_the_provider_says_so(sso_server: SsoServer) -> None:
    session = requests.Session()
    form = start_sign_in(session, sso_server.url)
    cancel = session.get(
        form.url.rstrip("/") + "/abort", allow_redirects=False
    )  # the provider's "Cancel" link
    callback = None
    while cancel.is_redirect:
        target = requests.compat.urljoin(cancel.url, cancel.headers["Location"])
        if "/login/oidc/callback" in target:
            callback = target
            break
        cancel = session.get(target, allow_redirects=False)
    assert callback is not None and parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    answer = session.get(callback, allow_redirects=False)
    assert answer.status_code == 403 and "You have not signed in" in answer.text


def test_a_disabled_account_stays_refused_though_the_provider_says_yes(
    sso_server: SsoServer,
) -> None:
    session, answer = sso_sign_in(sso_server.url, "cllr-jones")
    assert answer.status_code == 302
    disable_user(sso_server.engine, "cllr.jones@council.example", actor="test")
    try:
        assert not may_open(session, sso_server.url, "/actions")  # its session ended at once
        _, again = sso_sign_in(sso_server.url, "cllr-jones")
        assert again.status_code == 403 and "Your PMF account is disabled" in again.text
    finally:
        update_user(sso_server.engine, "cllr.jones@council.example", actor="test", enable=True)


def test_a_local_account_is_not_taken_over_through_the_provider(sso_server: SsoServer) -> None:
    _, answer = sso_sign_in(sso_server.url, "takes-jo")
    assert answer.status_code == 403
    account = find_user(sso_server.engine, "jo")
    assert account is not None and account["provider"] == "local" and account["role"] == "officer"


def test_passwords_are_only_for_the_break_glass_account(sso_server: SsoServer) -> None:
    url = sso_server.url
    page = requests.Session()
    form = page.get(f"{url}/login").text
    assert form.index('id="signin-sso"') < form.index('id="signin-form"')
    assert "Sign in with Test County Council" in form

    def password_sign_in(username: str, password: str) -> requests.Response:
        token = page.cookies.get("_csrf_token")
        return page.post(
            f"{url}/login",
            data={"username": username, "password": password, "csrf_token": token, "next": "/"},
            allow_redirects=False,
        )

    refused = password_sign_in(*LOCAL_OFFICER)
    assert refused.status_code == 403 and "Sign in with Test County Council instead" in refused.text
    assert password_sign_in(*BREAK_GLASS).status_code == 302
    assert may_open(page, url, "/audit")


def test_signing_out_ends_pmfs_session_and_goes_on_to_the_providers(
    sso_server: SsoServer,
) -> None:
    url = sso_server.url
    session, _ = sso_sign_in(url, "cllr-jones")
    cookie_before = str(session.cookies.get("pmf_session"))
    token = session.cookies.get("_csrf_token")
    answer = session.post(f"{url}/logout", data={"csrf_token": token}, allow_redirects=False)
    leave = urlsplit(answer.headers["Location"])
    assert answer.status_code == 302
    assert f"{leave.scheme}://{leave.netloc}" == sso_server.provider.issuer
    query = parse_qs(leave.query)
    assert query["post_logout_redirect_uri"] == [f"{url}/"] and "id_token_hint" in query
    # The old cookie is dead on the server, even if someone kept a copy
    stolen = requests.Session()
    stolen.cookies.set("pmf_session", cookie_before)
    assert not may_open(stolen, url, "/actions")


def test_refusals_at_single_sign_on_do_not_count_towards_a_lockout(
    sso_server: SsoServer,
) -> None:
    for _ in range(6):
        sso_sign_in(sso_server.url, "no-group")
    name = "nat.nobody@council.example"
    assert (~sign_in_log(sso_server.engine, name)["succeeded"]).sum() >= 6  # all logged
    wait = wait_seconds(sso_server.engine, name, "127.0.0.1", attempts=5, minutes=15)
    assert wait == 0  # no password was guessed
