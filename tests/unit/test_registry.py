"""The registry loader: structure (stage 1) and cross-references (stage 2), with file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.registry.loader import Registry, load_registry, validate_config
from metrics.registry.yamlfile import ConfigError


def test_shipped_config_is_valid(registry: Registry) -> None:
    assert validate_config(registry.config_dir) == []
    assert len(registry) >= 40


def test_every_priority_enabler_portfolio_and_committee_has_measures(registry: Registry) -> None:
    plan = registry.plan
    assert {p.id for p in plan.priorities} <= {m.priority for m in registry}
    assert {e.id for e in plan.enablers} <= {e for m in registry for e in m.enablers}
    assert {p.id for p in plan.portfolios} <= {m.portfolio for m in registry}
    assert {c.id for c in plan.select_committees} <= {m.select_committee for m in registry}
    assert len(plan.select_committees) == 4
    assert len(plan.districts) == 8 and plan.county.code == "E10000028"


def test_pressures_named_by_the_review_are_measured(registry: Registry) -> None:
    for metric_id in [
        "cs-social-worker-caseload",
        "cs-social-worker-vacancy-rate",
        "cs-agency-social-worker-share",
        "looked-after-children-rate",
        "ehcp-within-20-weeks",
        "send-high-needs-variance",
        "jobs-created",
        "claimant-rate",
        "neet-16-17",
        "household-waste-recycled",
        "road-defects-on-time",
        "mystaffs-digital-share",
        "staff-sickness-days",
        "staff-turnover",
        "volunteering-hours",
        "general-debt-outstanding",
        "mtfs-savings-delivered",
        "capital-receipts",
    ]:
        assert registry.has_metric(metric_id), metric_id
    assert registry.metric("general-debt-outstanding").target_for(date(2024, 1, 1)) == 5_000_000


def test_defaults_apply_and_files_state_only_what_differs(registry: Registry) -> None:
    caseload = registry.metric("cs-social-worker-caseload")
    assert caseload.priority == "safer-supported"  # from the file's defaults
    assert caseload.spc.run_length == 7  # from defaults.yaml
    assert caseload.spc.rebase_at == (date(2020, 4, 1),)  # its own, merged into the defaults


def test_target_schedule_changes_by_year(registry: Registry) -> None:
    neet = registry.metric("neet-16-17")
    assert neet.target_for(date(2019, 6, 1)) == 5.5
    assert neet.target_for(date(2020, 4, 1)) == 5.0
    assert neet.target_for(date(2017, 1, 1)) is None


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _broken_metric(metric_id: str, **overrides: str) -> str:
    fields = {
        "id": metric_id,
        "name": "A broken measure",
        "description": "For the test.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "portfolio": "leader",
        "select_committee": "corporate-review",
        "owner": "Someone",
        "priority": "jobs-growth",
    }
    fields.update(overrides)
    return "\n".join(
        f"    {k}: {v}" if i else f"  - {k}: {v}" for i, (k, v) in enumerate(fields.items())
    )


def test_stage_one_reports_structure_with_file_and_line(config_copy: Path) -> None:
    _write(
        config_copy / "metrics" / "zz.yaml",
        "metrics:\n" + _broken_metric("bad-polarity", polarity="upwards"),
    )
    problems = validate_config(config_copy)
    assert len(problems) == 1
    p = problems[0]
    assert p.file.endswith("metrics/zz.yaml") and p.line == 6 and p.field == "bad-polarity.polarity"
    assert "'upwards' is not allowed" in p.message and "higher_is_better" in p.message


def test_yaml_syntax_error_is_located(config_copy: Path) -> None:
    _write(
        config_copy / "metrics" / "zz.yaml",
        "metrics:\n  - id: x\n    name: [unclosed\n    unit: count\n",
    )
    (problem,) = validate_config(config_copy)
    assert problem.field == "(yaml)" and "syntax" in problem.message
    assert problem.line in (3, 4, 5)


def test_unknown_field_is_a_typo_not_ignored(config_copy: Path) -> None:
    _write(
        config_copy / "metrics" / "zz.yaml",
        "metrics:\n" + _broken_metric("typo", polarty="neutral"),
    )
    (problem,) = validate_config(config_copy)
    assert (
        problem.field == "typo.polarty"
        and "unknown field" in problem.message
        and problem.line == 11
    )


def test_stage_two_collects_every_cross_reference_problem(config_copy: Path) -> None:
    text = "metrics:\n" + "\n".join(
        [
            _broken_metric("unknown-priority", priority="jobs-grwoth"),
            _broken_metric("jobs-created"),
            _broken_metric(
                "schedule-out-of-order",
                target="[{from: 2021-04-01, value: 5}, {from: 2019-04-01, value: 6}]",
            ),
            _broken_metric("tolerance-without-target", tolerance="{percent: 5}"),
            _broken_metric("bad-enabler", enablers="[digitl]"),
        ]
    )
    _write(config_copy / "metrics" / "zz.yaml", text)
    problems = validate_config(config_copy)
    messages = {(p.field, p.message.split(";")[0]) for p in problems}
    assert ("unknown-priority.priority", "unknown priority 'jobs-grwoth'") in messages
    assert any(
        p.field == "jobs-created.id" and "duplicate id" in p.message and "economy.yaml" in p.message
        for p in problems
    )
    assert any(
        p.field == "schedule-out-of-order.target" and "out of order" in p.message for p in problems
    )
    assert any(p.field == "tolerance-without-target.tolerance" for p in problems)
    assert any(
        p.field == "bad-enabler.enablers" and "did you mean 'digital'" in p.message
        for p in problems
    )
    hint = next(p for p in problems if p.field == "unknown-priority.priority")
    assert "did you mean 'jobs-growth'" in hint.message and hint.line == 10
    assert len(problems) == 5


def test_load_registry_raises_with_every_problem(config_copy: Path) -> None:
    _write(config_copy / "settings.yaml", "supress_below: 5\nrejected_share_limit: 2\n")
    with pytest.raises(ConfigError) as info:
        load_registry(config_copy)
    text = str(info.value)
    assert "did you mean 'suppress_below'" in text
    assert "rejected_share_limit: 2 is out of range" in text


def test_missing_plan_is_reported(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    problems = validate_config(tmp_path)
    assert any("plan file not found" in p.message for p in problems)


def test_lag_days_come_from_the_metric_then_its_pipeline(registry: Registry) -> None:
    # Set on the metric itself
    assert registry.lag_days_for(registry.metric("household-waste-recycled")) == 300
    # Not set on the metric: the demo-health pipeline says 45 days
    assert registry.metric("delayed-transfers-of-care").lag_days is None
    assert registry.lag_days_for(registry.metric("delayed-transfers-of-care")) == 45


def test_manual_measures_name_two_different_people_at_their_lines(config_copy: Path) -> None:
    text = "metrics:\n" + "\n".join(
        [
            _broken_metric("manual-without-people", source="manual"),
            _broken_metric(
                "people-on-a-fed-measure",
                source="demo-economy",
                returns="{owner: ann, approver: bob}",
            ),
            _broken_metric(
                "signs-off-own-figure", source="manual", returns="{owner: ann, approver: ann}"
            ),
            _broken_metric(
                "bad-user-name", source="manual", returns="{owner: Ann Smith, approver: bob}"
            ),
        ]
    )
    _write(config_copy / "metrics" / "zz.yaml", text)
    problems = {p.field: p for p in validate_config(config_copy)}
    assert (
        "returns: {owner: USER, approver: USER}"
        in problems["manual-without-people.returns"].message
    )
    fed = problems["people-on-a-fed-measure.returns"]
    assert "fed by 'demo-economy'" in fed.message and fed.line == 22
    assert "both owner and approver" in problems["signs-off-own-figure.returns"].message
    assert "bad-user-name.returns.owner" in problems
    assert problems["bad-user-name.returns.owner"].line == 44


def test_a_file_gives_its_manual_measures_their_people_once(registry: Registry) -> None:
    manual = {m.id: m for m in registry if m.is_manual}
    assert len(manual) >= 5
    people = manual["foster-carers-approved"].returns
    assert people is not None and (people.owner, people.approver) == (
        "demo-manager",
        "demo-director",
    )
    own = manual["contact-centre-first-contact"].returns
    assert own is not None and own.owner == "demo-analyst"
    assert registry.pipeline_name("manual") == "Data return entered in PMF"


def test_a_pipeline_cannot_take_the_name_of_pmf_s_own_returns(config_copy: Path) -> None:
    _write(
        config_copy / "pipelines" / "zz.yaml",
        "pipelines:\n  - id: returns\n    description: A clash.\n    owner: Tests\n"
        "    metrics: [claimant-rate]\n    source: {kind: file, path: x/*.csv}\n"
        "    mapping: {metric: claimant-rate, area: E10000028, period: {column: P}, value: V}\n",
    )
    problems = [p for p in validate_config(config_copy) if p.field == "returns.id"]
    assert len(problems) == 1 and "kept for figures entered in PMF" in problems[0].message
