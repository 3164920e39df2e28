"""Signing in and out, lockout after repeated failures, the audit trail and `pmf users`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import dash
import sqlalchemy as sa
from click.testing import CliRunner

from access.throttle import record_attempt, wait_seconds
from access.users import LocalPasswordProvider, add_user
from access.web import _safe_next
from cli import main
from tests.access.conftest import PASSWORD, client_as, csrf, render_page, sign_in
from warehouse.tables import sign_in_events, users
from warehouse.users import user_history


def test_sign_in_sets_a_hardened_session_cookie_and_sign_out_ends_it(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    client = demo_app.server.test_client()
    client.get("/login")
    response = sign_in(client, "jo")
    assert response.status_code == 302 and response.location == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "pmf_session" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Sign in to see this page" not in render_page(client, "/actions")
    page = client.get("/logout")
    assert b"signout-form" in page.data
    client.post("/logout", data={"csrf_token": csrf(client)})
    assert "Sign in to see this page" in render_page(client, "/actions")
    with demo_engine.connect() as conn:
        ok = conn.execute(
            sa.select(sa.func.count()).where(
                sign_in_events.c.username == "jo", sign_in_events.c.succeeded.is_(True)
            )
        ).scalar()
    assert ok and ok >= 1


def test_wrong_password_is_refused_logged_and_locks_out(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "guessme", PASSWORD, "member", actor="test")
    client = demo_app.server.test_client()
    for _ in range(5):
        response = sign_in(client, "guessme", "wrong password!!")
        assert response.status_code == 401
        assert b"not right" in response.data
    locked = sign_in(client, "guessme")  # even the right password waits out the lockout
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.data
    with demo_engine.connect() as conn:
        failures = conn.execute(
            sa.select(sa.func.count()).where(
                sign_in_events.c.username == "guessme", sign_in_events.c.succeeded.is_(False)
            )
        ).scalar()
    assert failures == 6


def test_lockout_window_passes_and_a_success_resets_it(engine: sa.Engine) -> None:
    start = datetime(2025, 1, 6, 9, 0)
    for minute in range(3):
        record_attempt(
            engine, "ann", "10.0.0.1", succeeded=False, now=start + timedelta(minutes=minute)
        )
    wait = wait_seconds(
        engine, "ann", "10.0.0.1", attempts=3, minutes=15, now=start + timedelta(minutes=3)
    )
    assert 0 < wait <= 15 * 60
    later = start + timedelta(minutes=20)
    assert wait_seconds(engine, "ann", "10.0.0.1", attempts=3, minutes=15, now=later) == 0
    record_attempt(engine, "bob", "10.0.0.2", succeeded=False, now=start)
    record_attempt(engine, "bob", "10.0.0.2", succeeded=True, now=start + timedelta(minutes=1))
    record_attempt(engine, "bob", "10.0.0.2", succeeded=False, now=start + timedelta(minutes=2))
    assert (
        wait_seconds(engine, "bob", None, attempts=2, minutes=15, now=start + timedelta(minutes=3))
        == 0
    )


def test_one_address_trying_many_names_is_slowed(engine: sa.Engine) -> None:
    now = datetime(2025, 1, 6, 9, 0)
    for i in range(20):
        record_attempt(engine, f"name{i}", "10.9.9.9", succeeded=False, now=now)
    assert wait_seconds(engine, "fresh", "10.9.9.9", attempts=2, minutes=15, now=now) > 0
    assert wait_seconds(engine, "fresh", "10.1.1.1", attempts=2, minutes=15, now=now) == 0


def test_disabled_user_is_signed_out_at_the_next_request(
    demo_app: dash.Dash, demo_engine: sa.Engine
) -> None:
    add_user(demo_engine, "leaver", PASSWORD, "officer", actor="test")
    client = demo_app.server.test_client()
    sign_in(client, "leaver")
    assert "Sign in to see this page" not in render_page(client, "/data")
    runner = CliRunner()
    url = str(demo_engine.url)
    result = runner.invoke(main, ["--database-url", url, "users", "disable", "leaver"])
    assert result.exit_code == 0, result.output
    assert "Sign in to see this page" in render_page(client, "/data")
    assert sign_in(client, "leaver").status_code == 401


def test_users_cli_adds_lists_disables_and_audits(db_url: str, engine: sa.Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--database-url", db_url, "users", "add", "Sam", "--role", "officer", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash).where(users.c.username == "sam"))
        hashed = stored.scalar_one()
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    listed = runner.invoke(main, ["--database-url", db_url, "users", "list"]).output
    assert "sam" in listed and "officer" in listed and "enabled" in listed
    short = runner.invoke(
        main,
        ["--database-url", db_url, "users", "add", "kim", "--role", "member", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    bad_role = runner.invoke(
        main,
        ["--database-url", db_url, "users", "add", "kim", "--role", "boss", "--password-stdin"],
    )
    assert bad_role.exit_code == 2
    runner.invoke(main, ["--database-url", db_url, "users", "disable", "sam"])
    assert "disabled" in runner.invoke(main, ["--database-url", db_url, "users", "list"]).output
    history = user_history(engine, "sam")
    assert history["kind"].tolist() == ["added", "disabled"]
    assert history["actor"].str.startswith("cli").all()
    assert LocalPasswordProvider(engine).authenticate("sam", PASSWORD) is None


def test_users_cli_changes_role_and_password_and_enables(db_url: str, engine: sa.Engine) -> None:
    runner = CliRunner()
    base = ["--database-url", db_url, "users"]
    runner.invoke(
        main, [*base, "add", "ali", "--role", "member", "--password-stdin"], input=PASSWORD + "\n"
    )
    runner.invoke(main, [*base, "disable", "ali"])
    new = "a-brand-new-password"
    result = runner.invoke(
        main,
        [*base, "update", "ali", "--role", "officer", "--password-stdin", "--enable"],
        input=new + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "role member -> officer" in result.output and "enabled" in result.output
    provider = LocalPasswordProvider(engine)
    assert provider.authenticate("ali", PASSWORD) is None
    viewer = provider.authenticate("ali", new)
    assert viewer is not None and viewer.role == "officer"
    assert user_history(engine, "ali")["kind"].tolist() == ["added", "disabled", "updated"]
    nothing = runner.invoke(main, [*base, "update", "ali"])
    assert nothing.exit_code == 1 and "Nothing to change" in nothing.output


def test_demo_prints_a_demo_officer_once(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["--database-url", db_url, "demo", "--as-of", "2024-06-30"])
    assert first.exit_code == 0 and "user 'demo-officer', password '" in first.output
    again = runner.invoke(main, ["--database-url", db_url, "demo", "--if-empty"])
    assert "demo-officer" not in again.output


def test_sign_in_returns_only_to_paths_on_this_site() -> None:
    assert _safe_next("/actions?flag=3") == "/actions?flag=3"
    for target in ("https://evil.example/", "//evil.example", "/\\evil", "", None):
        assert _safe_next(target) == "/"


def test_signed_in_officer_sees_their_name_in_the_header(demo_app: dash.Dash) -> None:
    layout = client_as(demo_app, "officer").get("/_dash-layout").get_data(as_text=True)
    assert "Jo Bloggs (officer)" in layout


def test_the_sign_in_page_says_where_the_visitor_was_going_and_wears_the_site_frame(
    demo_app: dash.Dash,
) -> None:
    client = demo_app.server.test_client()
    page = client.get("/actions", follow_redirects=True).get_data(as_text=True)
    assert 'id="signin-form"' in page
    assert "You asked for the Actions page." in page
    # The dashboard's header (with the pages anyone may open) and its footer
    assert 'class="pmf-nav"' in page and 'href="/catalogue"' in page
    assert 'href="/actions"' not in page  # not offered before signing in
    assert '<footer class="pmf-footer">' in page and "Connected Staffordshire" in page
    measure = client.get("/login?next=/metric/cs-social-worker-caseload").get_data(as_text=True)
    assert "You asked for a measure that is not published." in measure
    assert "cs-social-worker-caseload</" not in measure and "caseload." not in measure


def test_a_failed_sign_in_keeps_the_user_name_and_links_the_error_to_the_fields(
    demo_app: dash.Dash,
) -> None:
    client = demo_app.server.test_client()
    response = client.post(
        "/login",
        data={
            "username": "Jo",
            "password": "not the password",
            "csrf_token": csrf(client),
            "next": "/data",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'value="jo"' not in page and 'value="Jo"' in page  # as typed, not as looked up
    assert "There is a problem" in page and 'href="#signin-password"' in page
    assert page.index("There is a problem") < page.index("<h1")  # the summary comes first
    assert 'aria-invalid="true"' in page and "autofocus" in page
    assert "You asked for the Data page." in page
    assert 'type="password"' in page and "not the password" not in page
    hostile = client.post(
        "/login",
        data={"username": '"><script>x()</script>', "password": "x", "csrf_token": csrf(client)},
    ).get_data(as_text=True)
    assert "<script>x()" not in hostile and "&lt;script&gt;" in hostile
