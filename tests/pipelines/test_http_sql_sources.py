"""HTTP and SQL sources against a real local web server and a real SQLite database."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import rejected
from warehouse.observations import current_observations

CSV_BODY = (
    "area_code,period,value\n"
    "E10000028,Jan 2024,3.1\n"
    "E10000028,Feb 2024,3.0\n"
    "E07000197,Feb 2024,2.6\n"
)


@dataclass
class FakeService:
    """What the local server serves, and what it has been asked."""

    bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    failures_left: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    base: str = ""


@pytest.fixture
def service() -> Iterator[FakeService]:
    """A real HTTP server on 127.0.0.1 with ETag support and optional transient failures."""
    state = FakeService()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            state.requests.append(dict(self.headers))
            if state.failures_left > 0:
                state.failures_left -= 1
                self.send_response(503)
                self.end_headers()
                return
            if self.path not in state.bodies:
                self.send_response(404)
                self.end_headers()
                return
            body, kind = state.bodies[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


def _http_pipeline(base: str, path: str, extra: str = "") -> str:
    return f"""
    pipelines:
      - id: test-claimants
        description: Claimant rate from a web service.
        owner: Tests
        metrics: [claimant-rate]
        source:
          kind: http
          url: {base}{path}
          backoff_seconds: 0.01
          {extra}
        mapping:
          metric: claimant-rate
          area: {{column: area_code}}
          period: {{column: period, format: month}}
          value: value
    """


def test_http_csv_loads_then_an_unchanged_source_is_skipped_by_etag(
    service: FakeService, add_pipelines: Callable[..., Registry], engine: sa.Engine
) -> None:
    service.bodies["/claimants.csv"] = (CSV_BODY.encode(), "text/csv")
    registry = add_pipelines(_http_pipeline(service.base, "/claimants.csv"))
    first = run_pipeline(registry, engine, "test-claimants")
    assert (first.status, first.rows_loaded) == ("succeeded", 3)
    # Ordered by area then period: Stafford (E07000197) before the county
    assert current_observations(engine, ["claimant-rate"])["value"].tolist() == [2.6, 3.1, 3.0]

    second = run_pipeline(registry, engine, "test-claimants")
    assert second.status == "skipped_unchanged"
    assert service.requests[-1].get("If-None-Match", "").startswith('"')

    service.bodies["/claimants.csv"] = (
        (CSV_BODY + "E10000028,Mar 2024,2.9\n").encode(),
        "text/csv",
    )
    third = run_pipeline(registry, engine, "test-claimants")
    assert (third.status, third.rows_loaded, third.rows_unchanged) == ("succeeded", 1, 3)


def test_http_json_records_after_transient_failures_are_retried(
    service: FakeService, add_pipelines: Callable[..., Registry], engine: sa.Engine
) -> None:
    records = [
        {"area_code": "E10000028", "period": "Jan 2024", "value": 3.1},
        {"area_code": "E10000028", "period": "Feb 2024", "value": "n/a?"},
    ]
    body = json.dumps({"data": {"rows": records}}).encode()
    service.bodies["/api"] = (body, "application/json")
    service.failures_left = 2
    registry = add_pipelines(
        _http_pipeline(service.base, "/api", "format: json\n          records: data.rows")
    )
    result = run_pipeline(registry, engine, "test-claimants")
    assert result.status == "partially_rejected", result.summary()
    assert len(service.requests) == 3  # two 503 replies, then success
    reason = rejected(engine, result.run_id).iloc[0]["reasons"]
    assert reason == f"{service.base}/api record 2: value 'n/a?' in column 'value' is not a number"


def test_http_not_found_is_a_failed_run_with_a_sentence(
    service: FakeService, add_pipelines: Callable[..., Registry], engine: sa.Engine
) -> None:
    registry = add_pipelines(_http_pipeline(service.base, "/missing.csv"))
    result = run_pipeline(registry, engine, "test-claimants")
    assert result.status == "failed"
    assert result.error == (
        f"{service.base}/missing.csv answered 404 Not Found; "
        "check the address and whether the service needs credentials"
    )


@pytest.fixture
def case_system(tmp_path: Path) -> Path:
    """A line-of-business database: a real SQLite file with a table of monthly figures."""
    path = tmp_path / "casework.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "create table returns (kpi text, month text, ward text, numerator int, base int)"
        )
        db.executemany(
            "insert into returns values (?, ?, ?, ?, ?)",
            [
                ("REF", "2023-12-01", "E10000028", 50, 240),
                ("REF", "2024-01-01", "E10000028", 44, 250),
                ("REF", "2024-02-01", "E10000028", 61, 260),
                ("OTHER", "2024-02-01", "E10000028", 1, 2),
            ],
        )
    return path


def test_sql_query_with_parameters_loads_and_is_skipped_when_unchanged(
    case_system: Path, add_pipelines: Callable[..., Registry], engine: sa.Engine
) -> None:
    registry = add_pipelines(
        f"""
        pipelines:
          - id: test-casework
            description: Re-referrals from the case management system.
            owner: Tests
            metrics: [cs-re-referrals]
            source:
              kind: sql
              url: sqlite:///{case_system}
              query: >-
                select month, ward, numerator, base from returns
                where kpi = :kpi and month >= :since order by month
              params: {{kpi: REF, since: "2024-01-01"}}
            mapping:
              metric: cs-re-referrals
              area: {{column: ward}}
              period: {{column: month, format: date}}
              numerator: numerator
              denominator: base
        """
    )
    first = run_pipeline(registry, engine, "test-casework")
    assert (first.status, first.rows_loaded) == ("succeeded", 2), first.summary()
    rows = current_observations(engine, ["cs-re-referrals"])
    assert rows["value"].round(2).tolist() == [17.6, 23.46]  # worked out from the fraction
    assert rows["source_ref"].iloc[0].startswith(f"sqlite:///{case_system} :: select month")
    assert run_pipeline(registry, engine, "test-casework").status == "skipped_unchanged"


def test_sql_error_is_a_failed_run_naming_the_problem(
    case_system: Path, add_pipelines: Callable[..., Registry], engine: sa.Engine
) -> None:
    registry = add_pipelines(
        f"""
        pipelines:
          - id: test-casework
            description: A query with a typo.
            owner: Tests
            metrics: [cs-re-referrals]
            source: {{kind: sql, url: "sqlite:///{case_system}", query: "select * from returnz"}}
            mapping:
              metric: cs-re-referrals
              area: E10000028
              period: {{column: month}}
              value: numerator
        """
    )
    result = run_pipeline(registry, engine, "test-casework")
    assert result.status == "failed"
    assert result.error == "the SQL source query failed: no such table: returnz"
