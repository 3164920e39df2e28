"""The data page: the public sees a sign-in notice, and its run-now callback starts nothing."""

from __future__ import annotations

import dash

from tests.layouts.conftest import engine_of, page, text_of, triggered, viewing
from warehouse.runs import run_history

RUN_FINANCE = {"type": "run-now", "pipeline": "demo-finance"}


def test_the_public_is_asked_to_sign_in(app: dash.Dash) -> None:
    with viewing(app, "public"):
        layout = page("data").layout()
    assert "Sign in to see this page" in text_of(layout)
    assert "Pipelines" not in text_of(layout)


def test_run_now_is_refused_for_the_public(writable_app: dash.Dash) -> None:
    with viewing(writable_app, "public"):
        said = triggered(page("data").run_now, RUN_FINANCE, "n_clicks", [1], "A Visitor")
    assert said.startswith("Not started: Sign in as ")
    assert run_history(engine_of(writable_app)).empty
