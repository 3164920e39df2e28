"""Writes by each role, hand-crafted callback POSTs, CSV downloads and the CSRF checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from access.identity import ANONYMOUS, Viewer
from access.roles import AccessDenied
from access.writes import guarded
from layouts._runtime import CONFIG_KEY
from metrics.flags.lifecycle import allowed_next
from tests.access.conftest import client_as, dash_post
from warehouse.commentary import comments_for
from warehouse.flags import read_flag_events
from warehouse.jobs import read_job
from warehouse.tables import flags, pipeline_runs

COMMENT_OUTPUTS = [
    ("metric-comment-status", "children"),
    ("metric-comments", "children"),
    ("metric-comment-body", "value"),
]


def _comment(client: Any, metric_id: str, body: str, author: str = "Mallory") -> Any:
    return dash_post(
        client,
        COMMENT_OUTPUTS,
        [("metric-comment-submit", "n_clicks", 1)],
        [
            ("metric-id", "data", metric_id),
            ("metric-comment-author", "value", author),
            ("metric-comment-body", "value", body),
        ],
    )


def test_comment_by_role_is_refused_or_recorded_as_the_signed_in_name(
    demo_app: dash.Dash, demo_engine: sa.Engine, role: str
) -> None:
    body = f"Comment written as {role}"
    response = _comment(client_as(demo_app, role), "general-debt-outstanding", body)
    saved = comments_for(demo_engine, "general-debt-outstanding")
    mine = saved[saved["body"] == body]
    if role == "public":
        assert response.status_code == 403
        assert mine.empty
    else:
        assert response.status_code == 200
        assert "Comment saved." in response.get_data(as_text=True)
        names = {"member": "Councillor Smith", "officer": "Jo Bloggs", "admin": "Ada Admin"}
        assert mine["author"].tolist() == [names[role]]  # not the typed "Mallory"


def _flag_step(client: Any, flag_id: int, step: str) -> Any:
    return dash_post(
        client,
        [
            ("flag-status", "children"),
            ("flag-panel-body", "children"),
            ("actions-register", "children"),
        ],
        [("flag-save", "n_clicks", 1)],
        [
            ("actions-flag-id", "data", flag_id),
            ("flag-step", "value", step),
            ("flag-note", "value", None),
            ("flag-action", "value", None),
            ("flag-owner", "value", None),
            ("flag-due-day", "value", None),
            ("flag-due-month", "value", None),
            ("flag-due-year", "value", None),
            ("actions-status", "value", "open"),
            ("actions-portfolio", "value", ""),
            ("actions-owner", "value", ""),
            ("actions-overdue", "value", []),
        ],
    )


def test_flag_update_by_role(demo_app: dash.Dash, demo_engine: sa.Engine, role: str) -> None:
    with demo_engine.connect() as conn:
        found = conn.execute(
            sa.select(flags.c.id, flags.c.status)
            .where(flags.c.status.in_(["open", "acknowledged"]))
            .order_by(flags.c.id)
        ).first()
    assert found is not None, "the demo raises open flags"
    flag_id, status = found
    before = len(read_flag_events(demo_engine, flag_id))
    response = _flag_step(client_as(demo_app, role), flag_id, allowed_next(status)[0])
    events = read_flag_events(demo_engine, flag_id)
    if role in ("public", "member"):
        assert response.status_code == 403
        assert len(events) == before
    else:
        assert response.status_code == 200
        assert events["actor"].iloc[-1] in ("Jo Bloggs", "Ada Admin")


def test_run_now_is_refused_below_officer(demo_app: dash.Dash, demo_engine: sa.Engine) -> None:
    for role in ("public", "member"):
        with demo_engine.connect() as conn:
            before = conn.execute(sa.select(sa.func.count()).select_from(pipeline_runs)).scalar()
        response = dash_post(
            client_as(demo_app, role),
            [("run-now-status", "children")],
            [({"type": "run-now", "pipeline": "demo-finance"}, "n_clicks", 1)],
            [("run-now-by", "value", "Mallory")],
        )
        assert response.status_code == 403, role
        with demo_engine.connect() as conn:
            after = conn.execute(sa.select(sa.func.count()).select_from(pipeline_runs)).scalar()
        assert after == before


def test_guarded_writes_check_roles_even_without_the_web_guard(demo_app: dash.Dash) -> None:
    base = demo_app.server.config[CONFIG_KEY].writes
    writes = guarded(base, Viewer("jo", "Jo Bloggs", "officer"))
    job = read_job(base.engine, writes.run_pipeline("demo-finance", "Mallory"))
    assert job is not None
    assert (job.kind, job.target_id, job.requested_by) == (
        "pipeline_run",
        "demo-finance",
        "Jo Bloggs",
    )
    member = guarded(base, Viewer("cllr", "Cllr", "member"))
    pack = read_job(
        base.engine,
        member.ask_for_pack("committee", "corporate-review", "pdf", date(2024, 11, 25), "x"),
    )
    assert pack is not None and (pack.kind, pack.requested_by) == ("pack", "cllr")
    with pytest.raises(AccessDenied, match="Sign in"):
        guarded(base, ANONYMOUS).ask_for_pack(
            "committee", "corporate-review", "pdf", date(2024, 11, 25), "x"
        )
    for viewer in (ANONYMOUS, Viewer("cllr", "Cllr", "member")):
        with pytest.raises(AccessDenied, match="Sign in"):
            guarded(base, viewer).run_pipeline("demo-finance", "x")
        with pytest.raises(AccessDenied):
            guarded(base, viewer).update_flag(1, to_status="acknowledged", actor="x")
    with pytest.raises(AccessDenied):
        guarded(base, ANONYMOUS).add_comment(metric_id="jobs-created", author="x", body="y")


def test_anonymous_download_of_an_internal_measure_sends_nothing(demo_app: dash.Dash) -> None:
    response = dash_post(
        client_as(demo_app, "public"),
        [("metric-download", "data")],
        [("metric-download-button", "n_clicks", 1)],
        [("metric-id", "data", "cs-social-worker-caseload"), ("metric-area", "value", "E10000028")],
    )
    assert response.status_code == 204
    member = dash_post(
        client_as(demo_app, "member"),
        [("metric-download", "data")],
        [("metric-download-button", "n_clicks", 1)],
        [("metric-id", "data", "cs-social-worker-caseload"), ("metric-area", "value", "E10000028")],
    )
    assert member.status_code == 200 and "Period start" in member.get_data(as_text=True)


def test_catalogue_download_lists_only_published_measures_for_the_public(
    demo_app: dash.Dash,
) -> None:
    def download(role: str) -> str:
        response = dash_post(
            client_as(demo_app, role),
            [("catalogue-download", "data")],
            [("catalogue-download-button", "n_clicks", 1)],
            [("catalogue-search", "value", "")],
        )
        assert response.status_code == 200
        return str(response.get_data(as_text=True))

    assert "cs-social-worker-caseload" not in download("public")
    assert "road-casualties-ksi" in download("public")
    assert "cs-social-worker-caseload" in download("member")


def test_callback_without_the_csrf_token_is_refused(demo_app: dash.Dash) -> None:
    client = client_as(demo_app, "member")
    response = _comment_with(client, token="forged")
    assert response.status_code == 403
    response = _comment_with(client, token="")
    assert response.status_code == 403


def _comment_with(client: Any, token: str) -> Any:
    return dash_post(
        client,
        COMMENT_OUTPUTS,
        [("metric-comment-submit", "n_clicks", 1)],
        [
            ("metric-id", "data", "jobs-created"),
            ("metric-comment-author", "value", ""),
            ("metric-comment-body", "value", "csrf"),
        ],
        token=token,
    )


def test_cross_site_origin_is_refused(demo_app: dash.Dash) -> None:
    from tests.access.conftest import csrf

    client = client_as(demo_app, "member")
    response = client.post(
        "/_dash-update-component",
        json={"output": "metric-comment-status.children"},
        headers={"X-CSRFToken": csrf(client), "Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "another website" in response.get_data(as_text=True)


def test_sign_in_form_needs_its_token(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "jo", "password": "x" * 20})
    assert response.status_code == 403


def test_public_comments_only_are_shown_to_the_public(demo_engine: sa.Engine) -> None:
    frame = comments_for(demo_engine, "general-debt-outstanding", public_only=True)
    assert isinstance(frame, pd.DataFrame) and frame["visibility"].eq("public").all()
