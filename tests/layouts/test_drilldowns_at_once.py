"""Many people opening drill-downs at the same moment: each page reads its measure's figures,
flags, restatements and comments at once on connections of its own, so a crowd asks for
several times as many connections as there are requests. Every page still arrives, whole and
the same as when drawn alone, for each audience."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from itertools import product
from typing import Any

import dash
from plotly.io.json import to_json_plotly

from layouts._runtime import clear_caches
from tests.fixtures.warehouse import CANNOCK, CASELOAD, CLAIMANTS, COUNTY, KSI, TAMWORTH
from tests.layouts.conftest import page, viewing

VIEWS = [
    {"metric_id": metric_id, "area": area, "start": start}
    for metric_id, area, start in product(
        (KSI, CLAIMANTS, CASELOAD), (COUNTY, CANNOCK, TAMWORTH), ("", "all")
    )
]


def drawn(app: dash.Dash, role: str, view: dict[str, str]) -> Any:
    """The page's JSON as `role` is sent it."""
    with viewing(app, role):
        return json.loads(to_json_plotly(page("metric").layout(**view)))


def test_a_crowd_of_drill_downs_at_once_each_arrives_as_drawn_alone(app: dash.Dash) -> None:
    for role in ("public", "officer"):
        clear_caches()
        alone = [drawn(app, role, view) for view in VIEWS]
        clear_caches()
        # More pages at once than the engine keeps connections for (5, and 10 beyond)
        with ThreadPoolExecutor(max_workers=len(VIEWS)) as crowd:
            together = list(crowd.map(drawn, [app] * len(VIEWS), [role] * len(VIEWS), VIEWS))
        assert len(VIEWS) == 18
        for view, one, many in zip(VIEWS, alone, together, strict=True):
            assert many == one, (role, view)
