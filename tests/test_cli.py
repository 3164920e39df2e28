"""The `pmf` command line, run in-process against real files and a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from tests.unit.test_registry import _broken_metric


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_shipped_config_exits_zero() -> None:
    code, out = run("validate")
    assert code == 0, out
    assert "OK: 61 metrics" in out


def test_validate_broken_copy_lists_every_problem(config_copy: Path) -> None:
    metrics = config_copy / "metrics"
    (metrics / "broken.yaml").write_text(
        "metrics:\n"
        + _broken_metric("unknown-priority", priority="prosperity")
        + "\n"
        + _broken_metric("jobs-created")
        + "\n"
        + _broken_metric("bad-polarity", polarity="up")
        + "\n"
        + _broken_metric(
            "out-of-order", target="[{from: 2022-04-01, value: 1}, {from: 2020-04-01, value: 2}]"
        )
        + "\n",
        encoding="utf-8",
    )
    (metrics / "syntax.yaml").write_text(
        "metrics:\n  - id: oops\n    name: 'unterminated\n", encoding="utf-8"
    )
    code, out = run("--config", str(config_copy), "validate", "--no-schemas")
    assert code == 1
    lines = [line for line in out.splitlines() if line]
    broken = str(metrics / "broken.yaml")
    assert f"{broken}:10: unknown-priority.priority: unknown priority 'prosperity'" in out
    assert any(
        "jobs-created.id: duplicate id" in line
        and f"{broken}:11" in line
        and "economy.yaml:" in line
        for line in lines
    )
    assert f"{broken}:24: bad-polarity.polarity: 'up' is not allowed" in out
    assert f"{broken}:38: out-of-order.target: target schedule is out of order" in out
    assert any(
        line.startswith(f"{metrics / 'syntax.yaml'}:") and "YAML syntax error" in line
        for line in lines
    )
    assert lines[-1] == "5 problem(s) found." and len(lines) == 6


def test_metrics_list_filters_by_priority() -> None:
    code, out = run("metrics", "list", "--priority", "jobs-growth")
    assert code == 0
    assert "jobs-created" in out and "looked-after-children-rate" not in out


def test_init_db_and_demo_build_a_warehouse(db_url: str, tmp_path: Path) -> None:
    code, out = run("--database-url", db_url, "init-db")
    assert code == 0 and "observations" in out
    code, out = run("--database-url", db_url, "demo", "--as-of", "2024-06-30")
    assert code == 0, out
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select count(*), count(distinct metric_id), min(period_start) from observations"
            )
        )
        count, metrics, first = rows.one()
    engine.dispose()
    assert count > 5000 and metrics == 61  # the manual and derived measures too
    assert first.year <= 2019  # at least five years of history
    code, out = run("--database-url", db_url, "demo", "--if-empty")
    assert code == 0 and "already has data" in out


def test_schema_command_writes_what_validate_expects(config_copy: Path) -> None:
    (config_copy / "schemas" / "plan.schema.json").write_text("{}", encoding="utf-8")
    code, out = run("--config", str(config_copy), "validate")
    assert code == 1 and "plan.schema.json:1: (schema): out of date" in out
    code, _ = run("--config", str(config_copy), "schema")
    assert code == 0
    code, out = run("--config", str(config_copy), "validate")
    assert code == 0, out


def test_validate_and_schema_cover_the_pipeline_schema_too(config_copy: Path) -> None:
    path = config_copy / "schemas" / "pipeline-file.schema.json"
    path.write_text("{}", encoding="utf-8")
    for command in (["validate"], ["pipelines", "validate"]):
        code, out = run("--config", str(config_copy), *command)
        assert code == 1
        assert f"{path}:1: (schema): out of date; run 'pmf schema'" in out
    code, out = run("--config", str(config_copy), "pipelines", "schema")
    assert code == 0 and f"wrote {path}" in out and "plan.schema.json" in out
    code, out = run("--config", str(config_copy), "validate")
    assert code == 0, out
