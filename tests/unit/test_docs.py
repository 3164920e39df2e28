"""Documentation must keep up with the code: every setting and metric field is documented."""

from __future__ import annotations

from pydantic import BaseModel

from metrics.registry.finance import Appetite, Mtfs, Risk, RiskTarget, SavingsProposal, Threatens
from metrics.registry.model import Metric
from metrics.registry.settings import SETTINGS
from tests.conftest import ROOT


def test_every_setting_is_documented_with_its_default() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` | {setting.default} |" in text, setting.name


def test_every_metric_field_is_documented() -> None:
    text = (ROOT / "docs" / "metrics-yaml.md").read_text(encoding="utf-8")
    for name in Metric.model_fields:
        assert f"| `{name}` |" in text, name


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:400]
    assert "make run" in head and "make test" in head


def test_every_savings_mtfs_and_risk_field_is_documented() -> None:
    text = (ROOT / "docs" / "savings-and-risks.md").read_text(encoding="utf-8")
    models: tuple[type[BaseModel], ...] = (SavingsProposal, Mtfs, Appetite, Risk)
    for model in models:
        for name in model.model_fields:
            assert f"| `{name}` |" in text, f"{model.__name__}.{name}"
    # The nested shapes are described in their parent's row
    nested: tuple[tuple[type[BaseModel], str], ...] = (
        (RiskTarget, "target"),
        (Threatens, "threatens"),
    )
    for part, parent in nested:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{parent}` |"))
        for name in part.model_fields:
            assert f"`{name}`" in row, f"{part.__name__}.{name}"
