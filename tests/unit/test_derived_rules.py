"""Derived measures in the registry: each bad definition refused at its file and line, and
values worked out only where both parts have one and the denominator is not zero."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from metrics.engine.derived import derivation, derived_values
from metrics.registry.loader import Registry, validate_config
from metrics.registry.yamlfile import Problem

# Parts of the shipped config: quarterly, county only
SPEND = "asc-long-term-support-spend"
PEOPLE = "asc-people-long-term-support"
FILE = "zz-derived.yaml"


def _measure(metric_id: str, derived: str, **extra: str) -> str:
    fields = {
        "id": metric_id,
        "name": "A unit cost",
        "description": "For the test.",
        "unit": "GBP",
        "polarity": "lower_is_better",
        "frequency": "quarterly",
        "priority": "healthier-independent",
        "portfolio": "health-care-wellbeing",
        "select_committee": "health-care",
        "owner": "Tests",
        "derived": derived,
        **extra,
    }
    lines = [f"  - id: {fields.pop('id')}"] + [f"    {k}: {v}" for k, v in fields.items()]
    return "\n".join(lines)


def _problems(config_copy: Path, *measures: str) -> tuple[dict[str, Problem], str]:
    text = "metrics:\n" + "\n".join(measures) + "\n"
    (config_copy / "metrics" / FILE).write_text(text, encoding="utf-8")
    return {p.field: p for p in validate_config(config_copy) if FILE in p.file}, text


def _line_of(text: str, metric_id: str, key: str) -> int:
    lines = text.splitlines()
    start = lines.index(f"  - id: {metric_id}")
    return next(
        i + 1 for i, line in enumerate(lines) if i > start and line.startswith(f"    {key}:")
    )


def test_the_shipped_derived_measure_is_valid(registry: Registry) -> None:
    cost = registry.metric("asc-cost-per-person-supported")
    assert cost.derived is not None and cost.source is None and cost.is_derived
    assert (cost.derived.numerator, cost.derived.denominator, cost.derived.scale) == (
        SPEND,
        PEOPLE,
        1.0,
    )
    assert registry.pipeline_name(cost.source_id) == "Derived measures"
    # Due when the later of its parts is due (demo-health's 45 days)
    assert registry.lag_days_for(cost) == 45


def test_each_bad_derived_measure_is_refused_at_its_line(config_copy: Path) -> None:
    problems, text = _problems(
        config_copy,
        _measure(
            "cost-unknown", "{numerator: asc-long-term-suport-spend, denominator: " + PEOPLE + "}"
        ),
        _measure("cost-of-itself", "{numerator: cost-of-itself, denominator: " + PEOPLE + "}"),
        _measure(
            "cost-monthly", f"{{numerator: {SPEND}, denominator: {PEOPLE}}}", frequency="monthly"
        ),
        _measure(
            "cost-districts",
            f"{{numerator: {SPEND}, denominator: {PEOPLE}}}",
            area_level="districts",
        ),
        _measure(
            "cost-fed", f"{{numerator: {SPEND}, denominator: {PEOPLE}}}", source="demo-health"
        ),
        _measure(
            "cost-entered",
            f"{{numerator: {SPEND}, denominator: {PEOPLE}}}",
            returns="{owner: ann, approver: bob}",
        ),
        _measure(
            "cost-of-a-cost",
            "{numerator: asc-cost-per-person-supported, denominator: " + PEOPLE + "}",
        ),
    )
    unknown = problems["cost-unknown.derived"]
    assert "unknown metric 'asc-long-term-suport-spend'" in unknown.message
    assert f"did you mean '{SPEND}'?" in unknown.message
    assert unknown.line == _line_of(text, "cost-unknown", "derived")
    itself = problems["cost-of-itself.derived"]
    assert "is this measure itself" in itself.message
    assert itself.line == _line_of(text, "cost-of-itself", "derived")
    monthly = problems["cost-monthly.derived"]
    assert f"'{SPEND}' is frequency 'quarterly' but this measure is 'monthly'" in monthly.message
    assert monthly.line == _line_of(text, "cost-monthly", "derived")
    districts = problems["cost-districts.derived"]
    assert "area level 'county' but this measure is 'districts'" in districts.message
    fed = problems["cost-fed.source"]
    assert "a derived measure" in fed.message and "has no 'source'" in fed.message
    assert fed.line == _line_of(text, "cost-fed", "source")
    entered = problems["cost-entered.returns"]
    assert "has no 'returns'" in entered.message
    assert entered.line == _line_of(text, "cost-entered", "returns")
    nested = problems["cost-of-a-cost.derived"]
    assert "'asc-cost-per-person-supported' is itself a derived measure" in nested.message
    assert f"('{SPEND}' and '{PEOPLE}')" in nested.message
    # Each bad measure is reported once for its one mistake, all together
    assert sorted(problems) == sorted(
        [
            "cost-unknown.derived",
            "cost-of-itself.derived",
            "cost-monthly.derived",
            "cost-districts.derived",
            "cost-fed.source",
            "cost-entered.returns",
            "cost-of-a-cost.derived",
        ]
    )


def test_two_derived_measures_naming_each_other_are_refused(config_copy: Path) -> None:
    problems, _ = _problems(
        config_copy,
        _measure("cost-a", f"{{numerator: cost-b, denominator: {PEOPLE}}}"),
        _measure("cost-b", f"{{numerator: cost-a, denominator: {PEOPLE}}}"),
    )
    assert "'cost-b' is itself a derived measure" in problems["cost-a.derived"].message
    assert "'cost-a' is itself a derived measure" in problems["cost-b.derived"].message


def test_a_scale_of_zero_or_below_is_refused_at_its_line(config_copy: Path) -> None:
    problems, text = _problems(
        config_copy,
        _measure(
            "cost-no-scale",
            f"\n      numerator: {SPEND}\n      denominator: {PEOPLE}\n      scale: 0",
        ),
    )
    scale = problems["cost-no-scale.derived.scale"]
    assert "greater than 0" in scale.message
    assert scale.line == text.splitlines().index("      scale: 0") + 1


def test_no_pipeline_feeds_a_derived_measure_or_takes_the_built_in_id(
    config_copy: Path,
) -> None:
    (config_copy / "pipelines" / "zz.yaml").write_text(
        "pipelines:\n  - id: derived\n    description: A clash.\n    owner: Tests\n"
        "    metrics: [asc-cost-per-person-supported]\n"
        "    source: {kind: file, path: x/*.csv}\n"
        "    mapping: {metric: asc-cost-per-person-supported, area: E10000028, "
        "period: {column: P}, value: V}\n",
        encoding="utf-8",
    )
    problems = {p.field: p for p in validate_config(config_copy) if "zz.yaml" in p.file}
    assert "kept for derived measures' values" in problems["derived.id"].message
    listed = problems["derived.metrics"]
    assert "is a derived measure" in listed.message and listed.line == 2


def test_values_only_where_both_parts_have_one_and_the_denominator_is_not_zero(
    registry: Registry,
) -> None:
    county = "E10000028"
    q = [pd.Timestamp(date(2025, m, 1)) for m in (1, 4, 7, 10)]
    parts = pd.DataFrame(
        [
            (SPEND, county, q[0], 80_000_000.0),
            (PEOPLE, county, q[0], 10_000.0),
            (SPEND, county, q[1], 80_000_000.0),
            (PEOPLE, county, q[1], 0.0),  # zero denominator: no value, not infinity
            (SPEND, county, q[2], 81_000_000.0),  # people not sent: no value, not zero
            (PEOPLE, county, q[3], 9_000.0),  # spend not sent
            ("claimant-rate", county, q[0], 3.1),
        ],
        columns=["metric_id", "area_code", "period_start", "value"],
    )
    values = derived_values(registry, parts)
    assert values.to_dict("records") == [
        {
            "metric_id": "asc-cost-per-person-supported",
            "area_code": county,
            "period_start": q[0],
            "value": 8000.0,
        }
    ]
    assert derived_values(registry, parts.iloc[0:0]).empty
    cost = registry.metric("asc-cost-per-person-supported")
    assert cost.derived is not None
    per_thousand = cost.derived.model_copy(update={"scale": 1000.0})
    scaled = cost.model_copy(update={"derived": per_thousand})
    assert derivation(registry, scaled).endswith("x 1,000")
