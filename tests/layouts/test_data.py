"""The data page: the public sees a sign-in notice and its run-now callback starts nothing; an
officer's run is queued, done by the job worker, and its progress shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from jobs.worker import JobWorker
from layouts._runtime import CONFIG_KEY
from tests.layouts.conftest import engine_of, page, plain, text_of, triggered, viewing
from warehouse.jobs import read_job, recent_jobs
from warehouse.runs import (
    SourceState,
    finish_run,
    record_rejected,
    record_source,
    run_history,
    start_run,
)


def body_rows(table: Any) -> list[Any]:
    """The rows of a captioned table's body."""
    return list(table.children.children[2].children)


def find(component: Any, ident: str) -> Any:
    """The component with this id in a tree, or None."""
    if isinstance(component, list | tuple):
        return next((f for c in component if (f := find(c, ident)) is not None), None)
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    return find(children, ident) if children is not None else None


def all_links(component: Any) -> list[Any]:
    """Every dcc.Link in a tree."""
    if isinstance(component, list | tuple):
        return [link for c in component for link in all_links(c)]
    own = [component] if type(component).__name__ == "Link" else []
    children = getattr(component, "children", None)
    return own + (all_links(children) if children is not None else [])


RUN_FINANCE = {"type": "run-now", "pipeline": "demo-finance"}


def test_the_public_is_asked_to_sign_in(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("data").layout()
    assert "Sign in to see this page" in text_of(layout)
    assert "Pipelines" not in text_of(layout)


def test_run_now_is_refused_for_the_public(writable_app: dash.Dash) -> None:
    with viewing(writable_app, "public"):
        said, job = triggered(page("data").run_now, RUN_FINANCE, "n_clicks", [1], "Visitor", False)
    assert said.startswith("Not started: Sign in as ")
    assert job is None
    assert run_history(engine_of(writable_app)).empty
    assert recent_jobs(engine_of(writable_app)) == []


def test_an_officers_run_is_queued_then_done_by_the_worker(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    data = page("data")
    with viewing(writable_app, "officer"):
        said, job_id = triggered(data.run_now, RUN_FINANCE, "n_clicks", [1], "Mallory", False)
        assert said == "The Finance return will run shortly. This page says when it has finished."
        assert run_history(engine).empty  # nothing ran inside the request
        words, stop = plain(data.run_progress)(1, job_id)
        assert words == "The Finance return is waiting to run." and stop is False

        registry = writable_app.server.config[CONFIG_KEY].registry
        assert JobWorker(registry, engine, name="test-worker").run_once()
        words, stop = plain(data.run_progress)(2, job_id)
    assert stop is True
    assert text_of(words).startswith("The Finance return ") and "Reload the page" in text_of(words)
    assert "demo-finance" not in text_of(words) and "job" not in text_of(words)
    runs = run_history(engine)
    assert runs["triggered_by"].tolist() == ["Jo Bloggs"]  # the officer, not what was typed
    assert runs["trigger"].tolist() == ["dashboard"]


def test_run_now_can_read_an_unchanged_file_again(
    writable_app: dash.Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_of(writable_app)
    data = page("data")
    with viewing(writable_app, "officer"):
        said, job_id = triggered(data.run_now, RUN_FINANCE, "n_clicks", [1], "Jo", True)
    assert "reading the file even if it has not changed" in said
    job = read_job(engine, job_id)
    assert job is not None and job.params == {"force": True}
    asked: dict[str, Any] = {}

    def run_pipeline(*_args: Any, **kwargs: Any) -> Any:
        asked.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr("jobs.worker.run_pipeline", run_pipeline)
    registry = writable_app.server.config[CONFIG_KEY].registry
    JobWorker(registry, engine, name="test-worker").run_once()
    assert asked["force"] is True


def test_pipelines_are_listed_by_name_with_schedule_and_next_run(app: dash.Dash) -> None:
    registry = app.server.config[CONFIG_KEY].registry
    now = datetime(2024, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday
    table = page("data").pipelines_table(registry, pd.DataFrame(columns=["pipeline_id"]), True, now)
    rows = {text_of(r.children[0]): [text_of(c) for c in r.children] for r in body_rows(table)}
    assert rows["Oflog adult social care outcomes"][1:3] == [
        "Every Monday at 07:00",
        "Mon 02 Dec 2024 07:00",
    ]
    assert rows["Finance return"][1:3] == ["Every day at 06:50", "Tue 26 Nov 2024 06:50"]
    assert rows["Programme milestones tracker"][1] == ("Every weekday (Monday to Friday) at 08:00")
    assert not any("demo-" in name for name in rows)


def _run(engine: sa.Engine, pipeline: str, status: str, when: datetime, **values: Any) -> int:
    run_id = start_run(engine, pipeline, trigger="schedule", triggered_by="scheduler", now=when)
    with engine.begin() as conn:
        finish_run(conn, run_id, status=status, finished_at=when, **values)
    return run_id


def test_a_skipped_run_shows_the_rows_still_rejected_from_the_file_it_skipped(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    first = _run(
        engine, "demo-finance", "partially_rejected", datetime(2024, 11, 24, 6, 50), rows_read=3
    )
    with engine.begin() as conn:
        record_source(
            conn,
            "demo-finance",
            "demo-finance/return.xlsx",
            SourceState("abc", None, None),
            run_id=first,
            now=datetime(2024, 11, 24, 6, 50),
        )
        record_rejected(
            conn,
            pd.DataFrame(
                {
                    "source_ref": ["demo-finance/return.xlsx"],
                    "row_number": [7],
                    "raw_record": ['{"Measure": "debt", "Value": "n/a"}'],
                    "reasons": ["Value is not a number"],
                }
            ),
            run_id=first,
            pipeline_id="demo-finance",
            now=datetime(2024, 11, 24, 6, 50),
        )
    skipped = _run(
        engine,
        "demo-finance",
        "skipped_unchanged",
        datetime(2024, 11, 25, 6, 50),
        source_ref="unchanged since last loaded: demo-finance/return.xlsx",
    )
    with viewing(writable_app, "member"):
        layout = page("data").layout(run=str(skipped))
    words = text_of(layout)
    assert "skipped the file because it had not changed since the run of 24 Nov 2024 06:50" in (
        words
    )
    assert "Value is not a number" in words and "1 row was kept out" in words
    found = find(layout, f"rejected-run-{skipped}")
    assert found is not None and found.tabIndex == "-1"
    runs = find(layout, "runs-table")
    hrefs = [link.href for link in all_links(runs)]
    assert f"/data?run={skipped}#rejected-run-{skipped}" in hrefs
    assert f"/data?run={first}#rejected-run-{first}" in hrefs
    assert "Finance return" in text_of(runs) and "demo-finance" not in text_of(runs)


def test_run_problems_are_told_in_plain_words() -> None:
    words = page("data").run_error_words
    unexpected = words(
        "unexpected error (KeyError); nothing from this run was loaded. The details are in "
        "the server log under run 12."
    )
    assert "KeyError" not in unexpected and "12" not in unexpected
    assert "nothing from this run was loaded" in unexpected
    hooks = words("loaded, but after-load hook evaluate failed: ValueError: bad")
    assert "ValueError" not in hooks and hooks.startswith("The figures loaded")
    share = words(
        "3 of 4 rows (75%) failed validation, more than the limit of 20% (setting "
        "rejected_share_limit), so nothing was loaded; see `pmf rejected --run 9`"
    )
    assert "pmf rejected" not in share and share.endswith("listed on this page.")
    assert words(None) == "" and words("no file matches x.csv") == "No file matches x.csv."
