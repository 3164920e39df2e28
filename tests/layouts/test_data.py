"""The data page: the public sees a sign-in notice and its run-now callback starts nothing; an
officer's run is queued, done by the job worker, and its progress shown."""

from __future__ import annotations

import dash

from jobs.worker import JobWorker
from layouts._runtime import CONFIG_KEY
from tests.layouts.conftest import engine_of, page, plain, text_of, triggered, viewing
from warehouse.jobs import recent_jobs
from warehouse.runs import run_history

RUN_FINANCE = {"type": "run-now", "pipeline": "demo-finance"}


def test_the_public_is_asked_to_sign_in(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("data").layout()
    assert "Sign in to see this page" in text_of(layout)
    assert "Pipelines" not in text_of(layout)


def test_run_now_is_refused_for_the_public(writable_app: dash.Dash) -> None:
    with viewing(writable_app, "public"):
        said, job = triggered(page("data").run_now, RUN_FINANCE, "n_clicks", [1], "Visitor")
    assert said.startswith("Not started: Sign in as ")
    assert job is None
    assert run_history(engine_of(writable_app)).empty
    assert recent_jobs(engine_of(writable_app)) == []


def test_an_officers_run_is_queued_then_done_by_the_worker(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    data = page("data")
    with viewing(writable_app, "officer"):
        said, job_id = triggered(data.run_now, RUN_FINANCE, "n_clicks", [1], "Mallory")
        assert said == f"Run of demo-finance queued (job {job_id})."
        assert run_history(engine).empty  # nothing ran inside the request
        words, stop = plain(data.run_progress)(1, job_id)
        assert words.startswith(f"The run is queued (job {job_id})") and stop is False

        registry = writable_app.server.config[CONFIG_KEY].registry
        assert JobWorker(registry, engine, name="test-worker").run_once()
        words, stop = plain(data.run_progress)(2, job_id)
    assert stop is True
    assert words.startswith("Done: demo-finance: ") and "Reload the page" in words
    runs = run_history(engine)
    assert runs["triggered_by"].tolist() == ["Jo Bloggs"]  # the officer, not what was typed
    assert runs["trigger"].tolist() == ["dashboard"]
