"""A real OpenID Connect provider (node-oidc-provider, tests/oidc) on 127.0.0.1, and PMF served
over HTTP with single sign-on through it; helpers to sign in through both as a person would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from access.sso import SECRET_VARIABLE
from access.users import add_user
from app import create_app
from tests.conftest import CONFIG, ROOT
from warehouse.engine import duckdb_url, get_engine

PROVIDER_DIR = ROOT / "tests" / "oidc"
NODE = shutil.which("node") or "/usr/bin/node"
CLIENT_ID = "pmf-test"
CLIENT_SECRET = "test-client-secret-not-for-use"
BREAK_GLASS = ("root", "break-glass password")
LOCAL_OFFICER = ("jo", "a local officer password")
# The accounts at the provider: the claims its ID tokens carry, and a faulty token if asked
ACCOUNTS: dict[str, dict[str, Any]] = {
    "cllr-jones": {
        "claims": {
            "name": "Councillor Jones",
            "preferred_username": "cllr.jones@council.example",
            "email": "cllr.jones@council.example",
            "groups": ["all-staff", "pmf-councillors"],
        }
    },
    "ann-officer": {
        "claims": {
            "name": "Ann Officer",
            "preferred_username": "ann.officer@council.example",
            "groups": ["all-staff", "pmf-councillors", "pmf-officers"],
        }
    },
    "no-group": {
        "claims": {
            "name": "Nat Nobody",
            "preferred_username": "nat.nobody@council.example",
            "groups": ["all-staff"],
        }
    },
    "takes-jo": {
        "claims": {"name": "Not Jo", "preferred_username": "jo", "groups": ["pmf-admins"]}
    },
    "tampered": {
        "claims": {"preferred_username": "tampered@council.example", "groups": ["all-staff"]},
        "token": "tampered",
    },
    "wrong-audience": {
        "claims": {"preferred_username": "wrong.aud@council.example", "groups": ["pmf-officers"]},
        "token": "wrong_audience",
    },
    "expired": {
        "claims": {"preferred_username": "expired@council.example", "groups": ["pmf-officers"]},
        "token": "expired",
    },
}
ROLE_MAP = {"pmf-councillors": "member", "pmf-officers": "officer", "pmf-admins": "admin"}


@dataclass
class Provider:
    """The running provider: its issuer address, and its accounts file (read at every sign-in)."""

    issuer: str
    accounts_file: Path

    def set_groups(self, account: str, groups: list[str]) -> None:
        """Move a person between groups at the provider, as the council's IT would."""
        accounts = json.loads(self.accounts_file.read_text(encoding="utf-8"))
        accounts[account]["claims"]["groups"] = groups
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")


@dataclass
class SsoServer:
    """PMF served over HTTP with single sign-on, and its warehouse."""

    url: str
    engine: sa.Engine
    provider: Provider


def start_provider(folder: Path, redirect_base: str) -> tuple[subprocess.Popen[str], Provider]:
    """Start the provider with PMF's test client registered for `redirect_base`."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "The test OpenID Connect provider is not installed: run 'make system-deps' "
            "(or 'npm ci --prefix tests/oidc')."
        )
    accounts_file = folder / "accounts.json"
    accounts_file.write_text(json.dumps(ACCOUNTS), encoding="utf-8")
    setup = {
        "accountsFile": str(accounts_file),
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{redirect_base}/login/oidc/callback"],
                "post_logout_redirect_uris": [f"{redirect_base}/"],
            }
        ],
    }
    process = subprocess.Popen(
        [NODE, str(PROVIDER_DIR / "provider.mjs")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=PROVIDER_DIR,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(setup))
    process.stdin.close()
    line = process.stdout.readline()
    if not line:
        process.wait(5)
        pytest.fail(f"The test OpenID Connect provider did not start (exit {process.returncode})")
    return process, Provider(json.loads(line)["issuer"], accounts_file)


def sso_config(folder: Path, issuer: str, extra: str = "") -> Path:
    """A copy of the shipped config with single sign-on through `issuer` turned on."""
    config = folder / "config"
    shutil.copytree(CONFIG, config)
    settings = config / "settings.yaml"
    roles = ", ".join(f"{group}: {role}" for group, role in ROLE_MAP.items())
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + f"oidc_issuer: {issuer}\n"
        + f"oidc_client_id: {CLIENT_ID}\n"
        + "oidc_name: Test County Council\n"
        + f"oidc_roles: {{{roles}}}\n"
        + extra,
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="session")
def client_secret() -> Iterator[str]:
    """PMF_OIDC_CLIENT_SECRET set for the apps the tests build."""
    before = os.environ.get(SECRET_VARIABLE)
    os.environ[SECRET_VARIABLE] = CLIENT_SECRET
    yield CLIENT_SECRET
    if before is None:
        os.environ.pop(SECRET_VARIABLE, None)
    else:
        os.environ[SECRET_VARIABLE] = before


@pytest.fixture(scope="session")
def sso_server(tmp_path_factory: pytest.TempPathFactory, client_secret: str) -> Iterator[SsoServer]:
    """PMF on a free local port with single sign-on through a real provider on another, local
    passwords kept for the break-glass account only."""
    folder = tmp_path_factory.mktemp("sso")
    holder: dict[str, Callable[..., Any]] = {}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    process, provider = start_provider(folder, url)
    try:
        config = sso_config(
            folder,
            provider.issuer,
            "local_sign_in: break_glass_only\nbreak_glass_users: [root]\n",
        )
        database = duckdb_url(folder / "sso.duckdb")
        engine = get_engine(database)
        app = create_app(config, database)
        add_user(engine, BREAK_GLASS[0], BREAK_GLASS[1], "admin", actor="test")
        add_user(engine, LOCAL_OFFICER[0], LOCAL_OFFICER[1], "officer", actor="test")
        holder["app"] = app.server
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield SsoServer(url, engine, provider)
        server.shutdown()
        engine.dispose()
    finally:
        process.terminate()
        process.wait(10)


def provider_sign_in(session: requests.Session, response: requests.Response, login: str) -> str:
    """Fill in the provider's sign-in form; returns the address it sends the browser back to."""
    form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
    assert form is not None, response.text[:500]
    answer = session.post(
        urljoin(response.url, form[1]),
        data={"prompt": "login", "login": login, "password": "anything"},
        allow_redirects=False,
    )
    return follow_to_pmf(session, answer)


def follow_to_pmf(session: requests.Session, response: requests.Response) -> str:
    """Follow the provider's redirects until one points back at PMF's callback; return it."""
    while response.is_redirect:
        target = urljoin(response.url, response.headers["Location"])
        if "/login/oidc/callback" in target:
            return target
        response = session.get(target, allow_redirects=False)
    raise AssertionError(f"the provider did not send the browser back: {response.text[:300]}")


def start_sign_in(session: requests.Session, pmf: str, next_path: str = "/") -> requests.Response:
    """Ask PMF to sign in by single sign-on and follow it to the provider's sign-in form."""
    response = session.get(f"{pmf}/login/oidc", params={"next": next_path}, timeout=10)
    assert response.status_code == 200, response.text[:500]
    return response


def sso_sign_in(pmf: str, login: str, next_path: str = "/") -> tuple[requests.Session, Any]:
    """The whole flow over HTTP, as a browser would: PMF, the provider's form, PMF's callback.

    Returns the session and PMF's answer to the callback (not followed).
    """
    session = requests.Session()
    form = start_sign_in(session, pmf, next_path)
    callback = provider_sign_in(session, form, login)
    return session, session.get(callback, allow_redirects=False, timeout=10)
