"""Savings proposals, the MTFS and the risk register as YAML: a valid set loads, and each
mistake is reported once, at its file and line, with what would be valid.

Each test writes a small set into a copy of the shipped config (so the plan and metrics are
real), breaks one thing, and reads the problems the real loader finds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from metrics.registry.finance import year_start
from metrics.registry.loader import Registry, load_registry, validate_config

SAVINGS = """\
defaults:
  directorate: health-care
  portfolio: health-care-wellbeing
  programme: Adult social care transformation

proposals:
  - id: S-1
    title: Home First reablement
    priority: healthier-independent
    owner: Assistant Director, Adult Social Care
    first_planned: 2019-20
    plan:
      2019-20: 1000000
      2020-21: 500000
    costs: {2019-20: 200000}
    milestones: [cst-04]
    risks: [R-1]

  - id: S-2
    title: Digital front door
    enabler: digital
    owner: Head of Digital
    first_planned: 2020-21
    plan: {2020-21: 300000}
    public: true
"""

MTFS = """\
mtfs:
  name: Medium Term Financial Strategy 2019/20 to 2020/21
  gap:
    2019-20: 35000000
    2020-21: 24000000
  capital_receipts: {2019-20: 25000000}
  tolerance_percent: 5
"""

RISKS = """\
appetite:
  default: 12
  categories: {safeguarding: 6}

risks:
  - id: R-1
    title: Care market not sustainable
    category: service-delivery
    directorate: health-care
    portfolio: health-care-wellbeing
    owner: Head of Commissioning (Adults)
    cause: Providers leaving the market.
    consequence: Fees rise faster than the savings plan allows.
    controls: [Provider forums]
    likelihood: 4
    impact: 4
    target: {likelihood: 3, impact: 4}
    last_reviewed: 2026-10-01
    review_date: 2027-01-01
    threatens:
      measures: [delayed-transfers-of-care]
      milestones: [hub-03]
"""


@pytest.fixture
def config(config_copy: Path) -> Path:
    """A copy of the shipped config with the small savings, MTFS and risk files above."""
    shutil.rmtree(config_copy / "savings")
    (config_copy / "savings").mkdir()
    (config_copy / "savings" / "adults.yaml").write_text(SAVINGS, encoding="utf-8")
    (config_copy / "mtfs.yaml").write_text(MTFS, encoding="utf-8")
    (config_copy / "risks.yaml").write_text(RISKS, encoding="utf-8")
    return config_copy


def _edit(config: Path, name: str, old: str, new: str) -> int:
    """Replace `old` once in a file; return the line `new` starts on."""
    path = config / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def _problems(config: Path) -> list[str]:
    return [str(p) for p in validate_config(config)]


def test_a_valid_set_loads(config: Path) -> None:
    finance = load_registry(config).finance
    assert [p.id for p in finance.proposals] == ["S-1", "S-2"]
    first = finance.proposal("S-1")
    # The file's defaults apply under every proposal; a proposal's own value wins
    assert (first.directorate, first.portfolio) == ("health-care", "health-care-wellbeing")
    assert first.plan == {"2019-20": 1000000, "2020-21": 500000}
    assert first.milestones == ("cst-04",) and first.risks == ("R-1",)
    assert finance.proposal("S-2").public and finance.proposal("S-2").priority is None
    assert finance.mtfs is not None and finance.mtfs.gap["2019-20"] == 35000000
    assert finance.mtfs.will_not_deliver_percent == 50
    risk = finance.risk("R-1")
    assert risk.score == 16 and risk.threatens.measures == ("delayed-transfers-of-care",)
    assert finance.risk_register is not None
    assert finance.risk_register.appetite.for_category("safeguarding") == 6
    assert finance.risk_register.appetite.for_category("financial") == 12


def test_a_config_without_the_files_loads_an_empty_finance(config: Path) -> None:
    shutil.rmtree(config / "savings")
    (config / "mtfs.yaml").unlink()
    (config / "risks.yaml").unlink()
    finance = load_registry(config).finance
    assert (finance.proposals, finance.mtfs, finance.risk_register) == ((), None, None)


ONE_MISTAKE = [
    pytest.param(
        "savings/adults.yaml",
        "    owner: Head of Digital",
        "    ownr: x",
        "S-2.ownr: unknown field 'ownr'; did you mean 'owner'?",
        id="a misspelt field gets did you mean",
    ),
    pytest.param(
        "savings/adults.yaml",
        "proposals:",
        "proposal:",
        "proposal: unknown top-level key; did you mean 'proposals'?",
        id="a misspelt top-level key gets did you mean",
    ),
    pytest.param(
        "risks.yaml",
        "    consequence:",
        "    consequnce:",
        "R-1.consequnce: unknown field 'consequnce'; did you mean 'consequence'?",
        id="a misspelt key in the risk register gets did you mean",
    ),
    pytest.param(
        "savings/adults.yaml",
        "  portfolio: health-care-wellbeing",
        "  portfolio: health-care-welbeing",
        "defaults.portfolio: unknown portfolio 'health-care-welbeing'; "
        "did you mean 'health-care-wellbeing'?",
        id="an unknown portfolio in the defaults is reported once at the defaults",
    ),
    pytest.param(
        "savings/adults.yaml",
        "    enabler: digital",
        "    enabler: digitl",
        "S-2.enabler: unknown enabler 'digitl'; did you mean 'digital'?",
        id="an unknown enabler on a proposal is reported at its line",
    ),
    pytest.param(
        "savings/adults.yaml",
        "    risks: [R-1]",
        "    risks: [R-2]",
        "S-1.risks: unknown risk 'R-2'; did you mean 'R-1'? (risks are in risks.yaml)",
        id="an unknown risk id is reported",
    ),
    pytest.param(
        "risks.yaml",
        "    likelihood: 4",
        "    likelihood: 6",
        "R-1.likelihood: Input should be less than or equal to 5 (got 6)",
        id="a risk refused by stage 1 is not also unknown",
    ),
    pytest.param(
        "savings/adults.yaml",
        "      2020-21: 500000",
        "      2019-21: 500000",
        "S-1.plan: '2019-21' is not a financial year; write the two years it spans, e.g. 2019-20",
        id="a bad financial year is reported at its own line",
    ),
    pytest.param(
        "mtfs.yaml",
        "    2020-21: 24000000",
        "    2020-21: true",
        "mtfs.gap.2020-21: 'true' is not a number; write a number such as 75",
        id="true for an amount is not taken as 1",
    ),
    pytest.param(
        "risks.yaml",
        "    review_date: 2027-01-01",
        "    review_date: 2026-01-01",
        "R-1.review_date: review_date 2026-01-01 is before last_reviewed 2026-10-01",
        id="a review date before the last review points at the review date",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "problem"), ONE_MISTAKE)
def test_one_mistake_is_reported_once_at_its_line(
    config: Path, name: str, old: str, new: str, problem: str
) -> None:
    line = _edit(config, name, old, new)
    assert _problems(config) == [f"{config / name}:{line}: {problem}"]


def test_a_duplicate_proposal_id_across_files_is_reported(config: Path) -> None:
    (config / "savings" / "more.yaml").write_text(
        SAVINGS.replace("  - id: S-1\n", "  - id: S-9\n"), encoding="utf-8"
    )
    first = SAVINGS[: SAVINGS.index("  - id: S-2")].count("\n") + 1
    assert _problems(config) == [
        f"{config / 'savings/more.yaml'}:{first}: S-2: "
        f"duplicate savings proposal id; first defined at {config / 'savings/adults.yaml'}:{first}"
    ]


def test_a_measure_the_risk_threatens_must_be_a_metric(config: Path) -> None:
    line = _edit(config, "risks.yaml", "    threatens:", "    threatens:")
    _edit(config, "risks.yaml", "delayed-transfers-of-care", "delayed-transfer-of-care")
    assert _problems(config) == [
        f"{config / 'risks.yaml'}:{line}: R-1.threatens: "
        "unknown measure 'delayed-transfer-of-care'; did you mean 'delayed-transfers-of-care'?"
    ]


def test_a_plan_year_outside_the_mtfs_is_reported_only_with_an_mtfs(config: Path) -> None:
    line = _edit(
        config, "savings/adults.yaml", "    plan: {2020-21: 300000}", "    plan: {2021-22: 3}"
    )
    assert _problems(config) == [
        f"{config / 'savings/adults.yaml'}:{line}: S-2.plan: plan has 2021-22, outside the MTFS "
        "years (2019-20 to 2020-21); add the year to the MTFS gap or move the saving"
    ]
    (config / "mtfs.yaml").unlink()
    assert _problems(config) == []


def test_the_mtfs_gap_years_are_consecutive(config: Path) -> None:
    line = _edit(config, "mtfs.yaml", "  gap:", "  gap:")
    _edit(config, "mtfs.yaml", "    2020-21: 24000000", "    2020-21: 24000000\n    2022-23: 1")
    assert _problems(config) == [
        f"{config / 'mtfs.yaml'}:{line}: mtfs.gap: the gap skips 2021-22; give every year "
        "from 2019-20 to 2022-23 (0 for a year with no gap)"
    ]


def test_pmf_validate_counts_the_proposals_and_risks(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "validate", "--no-schemas"])
    assert result.exit_code == 0, result.output
    assert "pipelines, 2 savings proposals, 1 risks." in result.stdout


def test_pmf_validate_reports_the_finance_problems(config: Path) -> None:
    line = _edit(config, "risks.yaml", "    impact: 4\n", "    impact: 5.5\n")
    result = CliRunner().invoke(main, ["--config", str(config), "validate", "--no-schemas"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"{config / 'risks.yaml'}:{line}: R-1.impact: 5.5 is not a whole number; "
        "write a whole number such as 3"
    ]


def test_the_shipped_set_loads_with_adult_social_care_about_half(registry: Registry) -> None:
    finance = registry.finance
    assert len(finance.proposals) >= 12
    total = sum(p.total for p in finance.proposals)
    adults = sum(p.total for p in finance.proposals if p.directorate == "health-care")
    assert 0.45 <= adults / total <= 0.55
    # Savings first planned in earlier years still carry amounts into the current year
    assert any(
        year_start(p.first_planned) <= 2020 and "2026-27" in p.plan for p in finance.proposals
    )
    assert finance.mtfs is not None and finance.mtfs.gap["2019-20"] == 35000000
    assert sum(finance.mtfs.capital_receipts.values()) == 25000000
    assert len(finance.risks) >= 18
    assert 2 <= sum(p.public for p in finance.proposals) <= 3
