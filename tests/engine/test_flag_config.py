"""config/flags.yaml: defaults, per-metric overrides, and clear errors for typos."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from metrics.registry.flag_config import FlagDefaults, load_flag_defaults, rules_for
from metrics.registry.loader import Registry, load_registry
from metrics.registry.settings import Settings
from metrics.registry.yamlfile import ConfigError
from tests.conftest import CONFIG
from tests.engine.test_status import metric


def test_shipped_flags_file_loads_with_every_rule_on(registry: Registry) -> None:
    defaults = load_flag_defaults(CONFIG)
    assert defaults == registry.flag_defaults
    assert defaults.off_target and defaults.spc_concern and defaults.stale_data
    assert defaults.off_target_periods == 2
    assert defaults.areas == "county"


def test_metric_overrides_beat_the_file_which_beats_settings() -> None:
    settings = Settings()  # off_target_periods 2 by default
    no_periods = FlagDefaults(off_target_periods=None)
    plain = metric()
    assert rules_for(plain, no_periods, settings).off_target_periods == 2
    assert rules_for(plain, FlagDefaults(off_target_periods=4), settings).off_target_periods == 4
    own = metric(flags={"off_target_periods": 3, "spc_concern": False, "areas": "all"})
    rules = rules_for(own, FlagDefaults(off_target_periods=4), settings)
    assert (rules.off_target_periods, rules.spc_concern, rules.areas) == (3, False, "all")
    assert rules.assurance_fail  # not overridden, so the file's default


def test_a_typo_in_flags_yaml_names_file_line_and_the_right_key(config_copy: Path) -> None:
    path = config_copy / "flags.yaml"
    path.write_text("off_target: true\nspc_concern: true\nof_target_periods: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_registry(config_copy)
    message = str(caught.value)
    assert (
        f"{path}:3: of_target_periods: unknown flag rule; did you mean 'off_target_periods'?"
        in message
    )


def test_a_wrong_value_is_reported_with_what_is_allowed(config_copy: Path) -> None:
    path = config_copy / "flags.yaml"
    path.write_text("areas: districts\noff_target_periods: 0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config_copy), "validate", "--no-schemas"])
    assert result.exit_code == 1
    assert (
        f"{path}:1: areas: 'districts' is not allowed; use one of 'county' or 'all'"
        in result.output
    )
    assert f"{path}:2: off_target_periods:" in result.output


def test_a_metric_flags_typo_is_a_metric_error(config_copy: Path) -> None:
    path = config_copy / "metrics" / "extra.yaml"
    path.write_text(
        "metrics:\n"
        "  - id: extra-metric\n"
        "    name: Extra metric\n"
        "    description: A metric with a bad flags key.\n"
        "    unit: count\n"
        "    polarity: higher_is_better\n"
        "    priority: jobs-growth\n"
        "    portfolio: leader\n"
        "    select_committee: corporate-review\n"
        "    owner: Tester\n"
        "    flags: {off_target_period: 3}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_registry(config_copy)
    assert f"{path}:11: extra-metric.flags.off_target_period: unknown field" in str(caught.value)


def test_every_flags_yaml_key_is_documented() -> None:
    text = (CONFIG.parent / "docs" / "engine.md").read_text(encoding="utf-8")
    for name in FlagDefaults.model_fields:
        assert f"| `{name}` |" in text, name
