"""Response headers: a strict Content-Security-Policy, no caching of anything personal, and
Secure cookies whenever the request came over HTTPS (directly or through a trusted proxy)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dash
import sqlalchemy as sa

from access.users import add_user
from app import create_app
from tests.access.conftest import PASSWORD, client_as, dash_post, render_page
from tests.conftest import CONFIG
from warehouse.engine import duckdb_url, get_engine
from warehouse.tables import sign_in_events


def _directives(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    found: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_pages_carry_a_strict_content_security_policy(demo_app: dash.Dash) -> None:
    client = client_as(demo_app, "public")
    for path in ("/", "/catalogue", "/login"):
        policy = _directives(client.get(path))
        assert policy.get("default-src") == ["'self'"], path
        scripts = policy["script-src"]
        assert "'self'" in scripts and "'unsafe-inline'" not in scripts
        assert "'unsafe-eval'" not in scripts
        assert set(demo_app.csp_hashes()) <= set(scripts)
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert "data:" in policy["img-src"]


def test_the_hashes_match_the_inline_scripts_of_the_page(demo_app: dash.Dash) -> None:
    import base64
    import hashlib
    import re

    page = client_as(demo_app, "public").get("/")
    html = page.get_data(as_text=True)
    scripts = re.findall(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S
    )
    assert scripts
    allowed = _directives(page)["script-src"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def _no_store(response: Any) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_personal_and_dynamic_responses_are_not_stored(demo_app: dash.Dash) -> None:
    anonymous = client_as(demo_app, "public")
    assert _no_store(anonymous.get("/login"))
    response = dash_post(
        anonymous,
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/"), ("_pages_location", "search", "")],
    )
    assert response.status_code == 200 and _no_store(response)
    officer = client_as(demo_app, "officer")
    for path in ("/", "/actions", "/logout", "/_dash-layout"):
        assert _no_store(officer.get(path)), path
    assert "Sign in to see this page" not in render_page(officer, "/actions")
    # Bundled scripts and styles are the same for everyone, so browsers may keep them
    assert not _no_store(officer.get("/assets/pmf.css"))


def test_cookies_are_secure_when_the_request_came_over_https(demo_app: dash.Dash) -> None:
    http = demo_app.server.test_client().get("/login")
    assert all("Secure" not in c for c in http.headers.getlist("Set-Cookie"))
    secure = demo_app.server.test_client()
    first = secure.get("/login", base_url="https://localhost")
    cookies = first.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)
    token = secure.get_cookie("_csrf_token", domain="localhost").value
    signed = secure.post(
        "/login",
        base_url="https://localhost",
        data={"username": "jo", "password": PASSWORD, "csrf_token": token, "next": "/"},
        headers={"Origin": "https://localhost"},
    )
    assert signed.status_code == 302
    session = [c for c in signed.headers.getlist("Set-Cookie") if c.startswith("pmf_session=")]
    assert session and "; Secure" in session[0] and "HttpOnly" in session[0]
    # An untrusted client cannot claim HTTPS with a header
    spoofed = demo_app.server.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert all("Secure" not in c for c in spoofed.headers.getlist("Set-Cookie"))


def _app_with(tmp_path: Path, settings_lines: str) -> tuple[dash.Dash, sa.Engine]:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    settings = config / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + settings_lines, encoding="utf-8")
    url = duckdb_url(tmp_path / "warehouse.duckdb")
    app = create_app(config, url)
    app.server.config["TESTING"] = True
    engine: sa.Engine = get_engine(url)
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    return app, engine


def test_a_trusted_proxy_says_the_request_was_https_and_whose_it_was(tmp_path: Path) -> None:
    app, engine = _app_with(tmp_path, "trusted_proxies: 1\n")
    client = app.server.test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    first = client.get("/login", headers=proxied)
    assert all("; Secure" in c for c in first.headers.getlist("Set-Cookie"))
    token = client.get_cookie("_csrf_token").value
    signed = client.post(
        "/login",
        data={"username": "jo", "password": PASSWORD, "csrf_token": token, "next": "/"},
        headers=proxied,
    )
    assert signed.status_code == 302
    assert "Strict-Transport-Security" in signed.headers
    with engine.connect() as conn:
        ips = conn.execute(sa.select(sign_in_events.c.ip)).scalars().all()
    assert ips == ["203.0.113.7"]


def test_secure_cookies_setting_means_always(tmp_path: Path) -> None:
    app, _ = _app_with(tmp_path, "secure_cookies: true\n")
    client = app.server.test_client()
    response = client.get("/login")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)
