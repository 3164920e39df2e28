"""`pmf validate` on a broken copy of the shipped config: each mistake is reported once, plainly.

Every test edits a real file in a copy of config/ and runs the real command, then checks the
exact lines printed: the root cause, and no knock-on problems from the rules that follow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

HEALTH = "metrics/health.yaml"
# The first metric in health.yaml, and the lines it sets these keys on
FIRST = "asc-carer-quality-of-life"
POLARITY_LINE, TARGET_LINE, TOLERANCE_LINE = 14, 17, 18


def _edit(config: Path, name: str, old: str, new: str) -> None:
    path = config / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}: the shipped config changed"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _validate(config: Path) -> list[str]:
    result = CliRunner().invoke(main, ["--config", str(config), "validate", "--no-schemas"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 0:
        assert result.stdout.startswith("OK: "), result.output
        return []
    assert result.exit_code == 1, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("written", "shown"),
    [(".nan", "'.nan'"), (".inf", "'.inf'"), ("-.inf", "'-.inf'"), (".NaN", "'.nan'")],
)
def test_a_target_that_is_not_a_finite_number_is_refused(
    config_copy: Path, written: str, shown: str
) -> None:
    _edit(config_copy, HEALTH, "    target: 7.8\n", f"    target: {written}\n")
    assert _validate(config_copy) == [
        f"{config_copy / HEALTH}:{TARGET_LINE}: {FIRST}.target: {shown} is not a finite number; "
        "write a number such as 75"
    ]


def test_a_target_of_true_is_not_taken_as_1(config_copy: Path) -> None:
    _edit(config_copy, HEALTH, "    target: 7.8\n", "    target: true\n")
    assert _validate(config_copy) == [
        f"{config_copy / HEALTH}:{TARGET_LINE}: {FIRST}.target: 'true' is not a number; "
        "write a number such as 75"
    ]


def test_a_target_in_quotes_is_text_not_a_number(config_copy: Path) -> None:
    _edit(config_copy, HEALTH, "    target: 7.8\n", '    target: "7.8"\n')
    assert _validate(config_copy) == [
        f"{config_copy / HEALTH}:{TARGET_LINE}: {FIRST}.target: '7.8' is text, not a number; "
        "write it without quotes, e.g. 75"
    ]


@pytest.mark.parametrize(
    ("tolerance", "field", "shown"),
    [
        ("{absolute: .inf}", "absolute", "'.inf' is not a finite number"),
        ("{percent: .nan}", "percent", "'.nan' is not a finite number"),
        ("{absolute: false}", "absolute", "'false' is not a number"),
    ],
)
def test_a_tolerance_must_be_a_finite_number(
    config_copy: Path, tolerance: str, field: str, shown: str
) -> None:
    _edit(config_copy, HEALTH, "    tolerance: {absolute: 0.3}\n", f"    tolerance: {tolerance}\n")
    assert _validate(config_copy) == [
        f"{config_copy / HEALTH}:{TOLERANCE_LINE}: {FIRST}.tolerance.{field}: {shown}; "
        "write a number such as 75"
    ]


# One slip each: (file, text as shipped, text with the slip, line, field, the one message)
ONE_LINE_SLIPS = {
    "schedule step of .inf": (
        "metrics/communities.yaml",
        "{from: 2021-04-01, value: 64}",
        "{from: 2021-04-01, value: .inf}",
        58,
        "looked-after-children-rate.target.1.value",
        "'.inf' is not a finite number; write a number such as 75",
    ),
    "whole number of true": (
        HEALTH,
        "    decimals: 1\n",
        "    decimals: true\n",
        13,
        f"{FIRST}.decimals",
        "'true' is not a number; write a whole number such as 3",
    ),
    # One line: not also "polarity: this field is required" for the same slip
    "misspelt key": (
        HEALTH,
        "    polarity: higher_is_better\n",
        "    polartiy: higher_is_better\n",
        POLARITY_LINE,
        f"{FIRST}.polartiy",
        "unknown field 'polartiy'; did you mean 'polarity'?",
    ),
    "misspelt nested key": (
        HEALTH,
        "{absolute: 0.3}",
        "{absolut: 0.3}",
        TOLERANCE_LINE,
        f"{FIRST}.tolerance.absolut",
        "unknown field 'absolut'; did you mean 'absolute'?",
    ),
    "unknown key with no close match": (
        HEALTH,
        "{absolute: 0.3}",
        "{colour: 0.3}",
        TOLERANCE_LINE,
        f"{FIRST}.tolerance.colour",
        "unknown field 'colour'; allowed: absolute, percent",
    ),
    # Once, at the defaults, not once for every metric of the file
    "misspelt key in file defaults": (
        HEALTH,
        "  directorate: health-care\n",
        "  directorat: health-care\n",
        6,
        "defaults.directorat",
        "unknown field 'directorat'; did you mean 'directorate'?",
    ),
    # Not also "unknown metric" from every pipeline that feeds a metric in the broken file
    "indentation error": (
        HEALTH,
        "    decimals: 1\n",
        "      decimals: 1\n",
        13,
        "(yaml)",
        "YAML syntax error: mapping values are not allowed here; check the indentation: the "
        "keys of one item line up under each other",
    ),
}


@pytest.mark.parametrize("slip", list(ONE_LINE_SLIPS))
def test_each_slip_is_reported_once_at_its_line(config_copy: Path, slip: str) -> None:
    name, shipped, slipped, line, field, message = ONE_LINE_SLIPS[slip]
    _edit(config_copy, name, shipped, slipped)
    assert _validate(config_copy) == [f"{config_copy / name}:{line}: {field}: {message}"]


def test_a_broken_pipeline_file_does_not_make_every_source_unknown(config_copy: Path) -> None:
    name = "pipelines/public-data.yaml"
    _edit(config_copy, name, "    lag_days: 270\n", "   lag_days: 270\n")
    (line,) = _validate(config_copy)
    assert line.startswith(f"{config_copy / name}:") and "(yaml): YAML syntax error" in line


def test_an_invalid_metric_is_not_unknown_to_its_pipelines(config_copy: Path) -> None:
    _edit(config_copy, HEALTH, "    polarity: higher_is_better\n", "    polarity: upwards\n")
    (line,) = _validate(config_copy)
    assert line.startswith(f"{config_copy / HEALTH}:{POLARITY_LINE}: {FIRST}.polarity: 'upwards'")


def test_a_pipeline_naming_a_metric_nobody_defined_is_still_reported(config_copy: Path) -> None:
    _edit(config_copy, HEALTH, "    polarity: higher_is_better\n", "    polarity: upwards\n")
    name = "pipelines/public-data.yaml"
    _edit(
        config_copy,
        name,
        "    metrics: [u75-preventable-mortality]",
        "    metrics: [u75-mortality]",
    )
    lines = _validate(config_copy)
    assert len(lines) == 2
    assert lines[1] == (
        f"{config_copy / name}:99: fingertips-mortality.metrics: unknown metric 'u75-mortality'; "
        "did you mean 'u75-preventable-mortality'?"
    )


def test_the_shipped_config_passes(config_copy: Path) -> None:
    assert _validate(config_copy) == []


def test_a_misspelt_pipeline_key_gets_did_you_mean(config_copy: Path) -> None:
    name = "pipelines/public-data.yaml"
    _edit(config_copy, name, "    lag_days: 270\n", "    lag_dayz: 270\n")
    _edit(config_copy, name, "      path: oflog_adult", "      paht: oflog_adult")
    assert _validate(config_copy) == [
        f"{config_copy / name}:11: oflog-asc.lag_dayz: unknown field 'lag_dayz'; "
        "did you mean 'lag_days'?",
        f"{config_copy / name}:22: oflog-asc.source.paht: unknown field 'paht'; "
        "did you mean 'path'?",
    ]


def test_a_pipeline_lag_of_true_is_refused(config_copy: Path) -> None:
    name = "pipelines/public-data.yaml"
    _edit(config_copy, name, "    lag_days: 270\n", "    lag_days: true\n")
    assert _validate(config_copy) == [
        f"{config_copy / name}:11: oflog-asc.lag_days: 'true' is not a number; "
        "write a whole number such as 3"
    ]


def test_a_bad_value_in_defaults_yaml_is_reported_once_there(config_copy: Path) -> None:
    _edit(config_copy, "defaults.yaml", "  decimals: 1\n", "  decimals: true\n")
    assert _validate(config_copy) == [
        f"{config_copy / 'defaults.yaml'}:3: metric_defaults.decimals: 'true' is not a number; "
        "write a whole number such as 3"
    ]


def test_a_misspelt_defaults_block_is_reported_once(config_copy: Path) -> None:
    _edit(config_copy, HEALTH, "defaults:\n", "defualts:\n")
    # Not also "portfolio: this field is required" for every metric in the file
    assert _validate(config_copy) == [
        f"{config_copy / HEALTH}:2: defualts: unknown top-level key; did you mean 'defaults'?"
    ]


@pytest.mark.parametrize("written", [".nan", ".inf"])
def test_a_setting_that_is_not_a_finite_number_is_refused(config_copy: Path, written: str) -> None:
    settings = config_copy / "settings.yaml"
    settings.write_text(f"rejected_share_limit: {written}\n", encoding="utf-8")
    assert _validate(config_copy) == [
        f"{settings}:1: rejected_share_limit: '{written}' is not a finite number; "
        "write a number from 0.0 to 1.0"
    ]


def test_a_file_edited_between_loads_in_one_process_is_read_afresh(config_copy: Path) -> None:
    """A process that loads the configuration again (the dashboard running a handed-over
    command) sees every edit: parsed files are reused only while their text is unchanged."""
    from metrics.registry.loader import load_registry

    before = load_registry(config_copy)
    assert load_registry(config_copy).metric(FIRST).name == before.metric(FIRST).name
    _edit(config_copy, HEALTH, f"name: {before.metric(FIRST).name}", "name: Carers' lives")
    assert load_registry(config_copy).metric(FIRST).name == "Carers' lives"
    _edit(config_copy, HEALTH, "polarity: higher_is_better", "polarity: higher_is_beter")
    assert _validate(config_copy), "a typo made after a clean load must still be reported"
