"""After sign-in the browser goes back only to a path on this site, whatever `next` says."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import dash
import pytest

from access.web import _safe_next
from tests.access.conftest import PASSWORD, csrf

SITE = "http://localhost/login"

# Each would send a browser to another host, or is not a plain path, once the browser has
# stripped tabs and newlines, turned backslashes into slashes or decoded the percent-escapes
HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "/\u3000/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%252F/evil.example",
    "/%2509/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    "/@evil.example\\@good",
    "",
]


def _signed_in_location(demo_app: dash.Dash, target: str, *, via_form: bool) -> str:
    client = demo_app.server.test_client()
    token = csrf(client)
    data = {"username": "jo", "password": PASSWORD, "csrf_token": token}
    if via_form:
        data["next"] = target
        response = client.post("/login", data=data)
    else:
        response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return str(response.headers["Location"])


def _same_site_path(location: str) -> bool:
    absolute = urlsplit(urljoin(SITE, location))
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and all(0x20 < ord(c) < 0x7F for c in location)
        and absolute.scheme == "http"
        and absolute.netloc == "localhost"
    )


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_replaced_by_the_home_page(target: str) -> None:
    assert _safe_next(target) == "/"


@pytest.mark.parametrize("via_form", [True, False], ids=["form", "query"])
def test_after_sign_in_location_is_always_a_path_on_this_site(
    demo_app: dash.Dash, via_form: bool
) -> None:
    for target in HOSTILE:
        location = _signed_in_location(demo_app, target, via_form=via_form)
        assert location == "/", (target, location)
        assert _same_site_path(location)


def test_ordinary_paths_are_kept(demo_app: dash.Dash) -> None:
    for target in ("/actions", "/metric/general-debt-outstanding?area=E10000016", "/data#runs"):
        assert _safe_next(target) == target
    location = _signed_in_location(demo_app, "/actions?flag=3", via_form=True)
    assert location == "/actions?flag=3" and _same_site_path(location)


def test_the_sign_in_page_carries_only_a_safe_next(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    page = client.get("/login", query_string={"next": "/\t/evil.example"}).get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_a_protected_page_sends_its_whole_address_to_sign_in(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    response = client.get("/portfolio/finance?area=E10000016&start=2024-01-01")
    assert response.status_code == 302
    token = csrf(client)
    target = urlsplit(response.headers["Location"])
    back = client.post(
        f"{target.path}?{target.query}",
        data={"username": "jo", "password": PASSWORD, "csrf_token": token},
    )
    assert back.headers["Location"] == "/portfolio/finance?area=E10000016&start=2024-01-01"
