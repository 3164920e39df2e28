"""Pages read the judged snapshot from memory between changes, and never serve a stale one."""

from __future__ import annotations

import inspect
import threading
import time
from datetime import datetime
from typing import Any

import dash

from layouts._runtime import runtime
from tests.layouts.conftest import engine_of, viewing
from warehouse.snapshot import read_snapshot, replace_snapshot


def test_a_new_snapshot_is_seen_at_once_and_each_audience_has_its_own(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    with viewing(writable_app, "officer"):
        first = runtime().current_snapshot()
        again = runtime().current_snapshot()
        assert again.equals(first)
        again.loc[:, "rag"] = "tampered"  # a caller changing its copy changes nothing shared
        assert runtime().current_snapshot().equals(first)
    with viewing(writable_app, "public"):
        public = runtime().current_snapshot()
        assert len(public) < len(first)  # the public's own measures, not the officer's cached

    # The engine runs again: the next page load sees the new judgement
    changed = read_snapshot(engine)
    changed["rag"] = "red"
    with engine.begin() as conn:
        replace_snapshot(conn, changed, computed_at=datetime(2030, 1, 1, 9))
    with viewing(writable_app, "officer"):
        now = runtime().current_snapshot()
    assert set(now["rag"]) == {"red"}
    assert len(now) == len(first)


def test_a_page_is_built_once_per_person_and_again_after_any_change(
    writable_app: dash.Dash,
) -> None:
    from tests.layouts.conftest import page, text_of
    from warehouse.commentary import add_comment

    overview = page("overview").layout
    with viewing(writable_app, "officer"):
        first = overview()
        assert overview() is first  # the same load again: from memory
        assert overview(priority="x") is not first  # other arguments, another page
    with viewing(writable_app, "member"):
        assert overview() is not first  # another person never gets the officer's page
    with viewing(writable_app, "public"):
        assert overview() is not first

    # A comment is a change pages show: the next load builds the page again
    add_comment(
        engine_of(writable_app),
        metric_id="claimant-rate",
        author="Jo Bloggs",
        body="Checked with the service.",
    )
    with viewing(writable_app, "officer"):
        again = overview()
    assert again is not first
    assert text_of(again) == text_of(first)


def test_a_kept_page_sends_exactly_what_dash_would_make_of_it(writable_app: dash.Dash) -> None:
    from plotly.io.json import to_json_plotly

    from tests.layouts.conftest import page, text_of

    pages: tuple[tuple[str, dict[str, str]], ...] = (
        ("overview", {}),
        ("metric", {"metric_id": "claimant-rate"}),
        ("committee", {"committee_id": "prosperous-staffordshire"}),
        ("catalogue", {}),
        ("plan", {}),
        ("milestones", {}),
        ("savings", {}),
    )
    for role in ("officer", "public"):
        for name, arguments in pages:
            layout = page(name).layout
            with viewing(writable_app, role):
                kept = layout(**arguments)
                fresh = inspect.unwrap(layout)(**arguments)  # built anew, never made JSON
            assert kept is not fresh
            # The same text, key for key in the same order: the kept form is made without
            # plotly's encoder (layouts._components.page_cache.plain_json)
            assert to_json_plotly(kept) == to_json_plotly(fresh), (role, name)
            assert text_of(kept) == text_of(fresh)  # still a page of components to look into


def test_the_kept_form_is_what_plotlys_encoder_makes_of_anything() -> None:
    import json
    from datetime import date

    import numpy as np
    from dash import dcc, html
    from plotly.io.json import to_json_plotly

    from layouts._components.page_cache import plain_json

    wildcards: dict[str, Any] = {"aria-label": "y", "data-row": 1}
    children: list[Any] = [
        html.Td("x", className="a", id="cell", **wildcards),
        dcc.Graph(
            id="chart",
            figure={
                "data": [
                    {
                        "x": [1, float("nan"), np.float64(2.5), np.int64(3), None],
                        "y": np.array([1.0, np.nan, np.inf]),
                    }
                ],
                "layout": {"title": {"text": "a < b / c"}},
            },
        ),
        (1, 2.5, -float("inf")),
        date(2024, 1, 1),
        {1: "a key that is a number"},
        np.bool_(True),
        dcc.Store(id="kept", data={"values": [np.nan, "NaN", "Infinity"]}),
    ]
    page = html.Div(children)
    plain = plain_json(page)
    assert plain == json.loads(to_json_plotly(page))
    assert json.dumps(plain) == json.dumps(json.loads(to_json_plotly(page)))
    assert plain["props"]["children"][0]["props"] == {
        "children": "x",
        "id": "cell",
        "className": "a",
        "aria-label": "y",
        "data-row": 1,
    }


def test_a_value_asked_for_by_many_at_once_is_made_once() -> None:
    from layouts._runtime import Cache

    cache: Cache[list[int]] = Cache(4, copy=list)
    made: list[int] = []
    started = threading.Event()

    def slow() -> list[int]:
        made.append(1)
        started.set()
        time.sleep(0.2)
        return [42]

    answers: list[list[int]] = []
    first = threading.Thread(target=lambda: answers.append(cache.get(("page",), slow)))
    first.start()
    started.wait(5)
    others = [
        threading.Thread(target=lambda: answers.append(cache.get(("page",), slow)))
        for _ in range(6)
    ]
    for thread in [*others]:
        thread.start()
    for thread in [first, *others]:
        thread.join(5)
    assert made == [1]
    assert answers == [[42]] * 7
    assert len({id(answer) for answer in answers}) == 7  # each its own copy


def test_when_making_a_value_fails_the_others_make_it_themselves() -> None:
    from layouts._runtime import Cache

    cache: Cache[str] = Cache(4)
    started, release = threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        release.wait(5)
        raise RuntimeError("the warehouse went away")

    failures: list[BaseException] = []

    def first() -> None:
        try:
            cache.get(("page",), failing)
        except RuntimeError as exc:
            failures.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    answers: list[str] = []
    waiter = threading.Thread(target=lambda: answers.append(cache.get(("page",), lambda: "ok")))
    waiter.start()
    release.set()
    thread.join(5)
    waiter.join(5)
    assert len(failures) == 1 and answers == ["ok"]
    assert cache.get(("page",), lambda: "not asked") == "ok"


def test_emptying_the_caches_builds_the_same_page_afresh(writable_app: dash.Dash) -> None:
    from layouts._runtime import clear_caches
    from tests.layouts.conftest import page, text_of

    overview = page("overview").layout
    with viewing(writable_app, "officer"):
        first = overview()
        clear_caches()  # as the benchmark does before each cold view
        again = overview()
    assert again is not first
    assert text_of(again) == text_of(first)


def test_a_kept_page_is_made_json_once_and_freed_as_soon_as_it_is_let_go() -> None:
    import gc
    import weakref

    from dash import html
    from plotly.io.json import to_json_plotly

    from layouts._components.page_cache import serialised_once

    page = serialised_once(html.Div([html.P("Latest figure", className="pmf-num")], id="p"))
    first = page.to_plotly_json()
    assert page.to_plotly_json() is first  # made once, then kept
    assert to_json_plotly(page) == to_json_plotly(
        html.Div([html.P("Latest figure", className="pmf-num")], id="p")
    )
    held = weakref.ref(page)
    collecting = gc.isenabled()
    gc.disable()
    try:
        del page
        assert held() is None  # no cycle with its JSON: freed without the garbage collector
    finally:
        if collecting:
            gc.enable()
