"""Pages read the judged snapshot from memory between changes, and never serve a stale one."""

from __future__ import annotations

from datetime import datetime

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
