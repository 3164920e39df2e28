"""Each role against each page, through real sessions and Dash's own router callback."""

from __future__ import annotations

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.access.conftest import client_as, render_page
from warehouse.tables import flags

INTERNAL_PAGES = ["/portfolio/children-young-people", "/milestones", "/actions", "/data"]
INTERNAL_METRIC = "cs-social-worker-caseload"
PUBLIC_METRIC = "road-casualties-ksi"


@pytest.mark.parametrize("path", INTERNAL_PAGES)
def test_internal_pages_need_sign_in_by_url_and_by_router(
    demo_app: dash.Dash, role: str, path: str
) -> None:
    client = client_as(demo_app, role)
    direct = client.get(path)
    text = render_page(client, path)
    if role == "public":
        assert direct.status_code == 302 and direct.location.startswith("/login?next=")
        assert "Sign in to see this page" in text
    else:
        assert direct.status_code == 200
        assert "Sign in to see this page" not in text


def test_overview_shows_actions_and_milestones_only_to_signed_in(
    demo_app: dash.Dash, role: str
) -> None:
    text = render_page(client_as(demo_app, role), "/")
    assert "Performance overview" in text
    assert ("planned action" in text) is (role != "public")
    assert ("Cabinet portfolios" in text) is (role != "public")


# Each public page, with a view that would list an internal measure if it leaked
PUBLIC_VIEWS = {
    "/catalogue": ("", INTERNAL_METRIC),
    "/plan": ("", "Children's social worker average caseload"),
    "/": ("?priority=safer-supported&enabler=workforce", "social worker average caseload"),
    "/committee/health-care": ("", "Delayed transfers of care"),
}


@pytest.mark.parametrize("path", list(PUBLIC_VIEWS))
def test_public_pages_list_only_published_measures(
    demo_app: dash.Dash, role: str, path: str
) -> None:
    search, internal = PUBLIC_VIEWS[path]
    text = render_page(client_as(demo_app, role), path, search)
    assert (internal in text) is (role != "public"), path


def test_overview_cell_hides_internal_measures_from_the_public(demo_app: dash.Dash) -> None:
    query = "?priority=safer-supported&enabler=workforce"
    public = render_page(client_as(demo_app, "public"), "/", query)
    member = render_page(client_as(demo_app, "member"), "/", query)
    assert "social worker average caseload" in member
    assert "social worker average caseload" not in public


def test_internal_measure_asks_the_public_to_sign_in(demo_app: dash.Dash, role: str) -> None:
    text = render_page(client_as(demo_app, role), f"/metric/{INTERNAL_METRIC}")
    assert ("Sign in to see this measure" in text) is (role == "public")
    assert ("average caseload" in text) is (role != "public")  # nothing of the measure is told


def test_comment_form_only_for_those_who_may_comment(demo_app: dash.Dash, role: str) -> None:
    text = render_page(client_as(demo_app, role), f"/metric/{PUBLIC_METRIC}")
    assert ("metric-comment-submit" in text) is (role != "public")
    assert ("metric-comment-signin" in text) is (role == "public")
    assert ("Revision history" in text) is (role != "public")


def test_actions_form_only_for_officers(
    demo_app: dash.Dash, demo_engine: sa.Engine, role: str
) -> None:
    with demo_engine.connect() as conn:
        flag_id = conn.execute(sa.select(sa.func.min(flags.c.id))).scalar_one()
    text = render_page(client_as(demo_app, role), "/actions", f"?flag={flag_id}")
    if role == "public":
        assert "Sign in to see this page" in text
    elif role == "member":
        assert "flag-read-only" in text and "flag-save" not in text
    else:
        assert "flag-save" in text


def test_run_now_only_for_officers(demo_app: dash.Dash, role: str) -> None:
    text = render_page(client_as(demo_app, role), "/data")
    if role == "public":
        assert "Sign in to see this page" in text
    else:
        assert ("run-now" in text and "Officers only" not in text) is (role in ("officer", "admin"))


def test_header_offers_sign_in_or_sign_out(demo_app: dash.Dash, role: str) -> None:
    layout = client_as(demo_app, role).get("/_dash-layout").get_data(as_text=True)
    assert ("signin-link" in layout) is (role == "public")
    assert ("signout-link" in layout) is (role != "public")
    assert ('"Actions"' in layout) is (role != "public")


def test_frames_are_narrowed_for_the_public(demo_app: dash.Dash) -> None:
    from access.identity import ANONYMOUS
    from layouts._runtime import CONFIG_KEY

    base = demo_app.server.config[CONFIG_KEY]
    public = base.for_viewer(ANONYMOUS)
    frame = pd.DataFrame({"metric_id": [INTERNAL_METRIC, PUBLIC_METRIC]})
    assert public.visible(frame)["metric_id"].tolist() == [PUBLIC_METRIC]
    assert len(public.registry) < len(base.registry)
