"""Typed definitions of the savings plan, the MTFS gap and the risk register, as written in YAML.

Savings proposals live in `config/savings/*.yaml` (a `defaults:` block and a `proposals:`
list), the Medium Term Financial Strategy's gap and the judgement's thresholds in
`config/mtfs.yaml`, and the risk register with the council's appetite in `config/risks.yaml`.
These are only the shapes; the judgements (a proposal's status, a risk's score against the
appetite, the MTFS stress tests) are made in metrics/engine/savings.py and risks.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from metrics.registry.model import FiniteNumber, Slug, WholeNumber, _Strict

# A financial year as councils write it: 2019-20 is 1 April 2019 to 31 March 2020
FinancialYear = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
# Ids of savings and risks: upper or lower case letters, digits and hyphens (S-ASC-01, r12)
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", max_length=40)]
Money = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0)]
Score = Annotated[int, Field(strict=True, ge=1, le=5)]
RiskCategory = Literal[
    "financial",
    "safeguarding",
    "service-delivery",
    "workforce",
    "legal-compliance",
    "reputational",
    "partnership",
    "technology",
]
RISK_CATEGORIES: tuple[str, ...] = RiskCategory.__args__  # type: ignore[attr-defined]
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def year_start(year: str) -> int:
    """The calendar year a financial year like '2019-20' starts in."""
    found = _YEAR.match(year)
    if found is None:
        raise ValueError(f"'{year}' is not a financial year like 2019-20")
    return int(found.group(1))


def year_label(start: int) -> str:
    """The financial year that starts in `start`, written '2019-20'."""
    return f"{start}-{(start + 1) % 100:02d}"


def check_years(amounts: dict[str, float]) -> dict[str, float]:
    """Refuse a key that is not a financial year or whose two halves are not consecutive."""
    for year in amounts:
        found = _YEAR.match(str(year))
        if found is None or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
            raise ValueError(
                f"'{year}' is not a financial year; write the two years it spans, e.g. 2019-20"
            )
    return amounts


class SavingsProposal(_Strict):
    """One savings proposal with its costed implementation plan."""

    id: ItemId
    title: str = Field(min_length=3)
    description: str = ""
    directorate: Slug
    portfolio: Slug
    priority: Slug | None = Field(None, description="Priority outcome id; null for enabler-led.")
    enabler: Slug | None = None
    owner: str = Field(min_length=2, description="Who is accountable for delivering it.")
    programme: str = Field(min_length=2, description="The transformation programme it sits in.")
    first_planned: FinancialYear = Field(
        description="The financial year it was first planned, e.g. 2019-20."
    )
    plan: dict[str, Money] = Field(
        min_length=1, description="The saving (pounds) by financial year, e.g. {2019-20: 1500000}."
    )
    costs: dict[str, Money] = Field(
        default_factory=dict, description="One-off implementation costs (pounds) by financial year."
    )
    milestones: tuple[str, ...] = Field(
        (), description="Ids of milestones in the programme tracker that the saving depends on."
    )
    risks: tuple[ItemId, ...] = Field((), description="Ids of risks in config/risks.yaml.")
    public: bool = Field(False, description="Shown in the public view (internal by default).")

    @field_validator("plan", "costs")
    @classmethod
    def _financial_years(cls, amounts: dict[str, float]) -> dict[str, float]:
        return check_years(amounts)

    @model_validator(mode="after")
    def _planned_from_first_year(self) -> SavingsProposal:
        early = sorted(y for y in self.plan if year_start(y) < year_start(self.first_planned))
        if early:
            raise ValueError(
                f"plan has {', '.join(early)}, before first_planned {self.first_planned}"
            )
        return self

    @property
    def total(self) -> float:
        """The whole saving planned, all years."""
        return float(sum(self.plan.values()))


class Mtfs(_Strict):
    """The Medium Term Financial Strategy: the gap that savings must close, by year."""

    name: str = Field(min_length=3)
    gap: dict[str, Money] = Field(
        min_length=1, description="The funding gap (pounds) to close by savings, by financial year."
    )
    capital_receipts: dict[str, Money] = Field(
        default_factory=dict, description="Capital receipts the strategy assumes, by year."
    )
    tolerance_percent: FiniteNumber = Field(
        5.0,
        ge=0,
        le=100,
        description="A forecast this far below plan (percent) is still on track.",
    )
    will_not_deliver_percent: FiniteNumber = Field(
        50.0,
        ge=0,
        le=100,
        description="A forecast at or below this share of plan (percent) will not deliver.",
    )

    @field_validator("gap", "capital_receipts")
    @classmethod
    def _financial_years(cls, amounts: dict[str, float]) -> dict[str, float]:
        return check_years(amounts)


class RiskTarget(_Strict):
    """The score the owner aims to bring a risk down to once the actions are done."""

    likelihood: Score
    impact: Score


class Threatens(_Strict):
    """What a risk threatens (savings name their risks themselves)."""

    measures: tuple[str, ...] = Field((), description="Metric ids.")
    milestones: tuple[str, ...] = Field((), description="Milestone ids in the programme tracker.")


class Risk(_Strict):
    """One risk in the register."""

    id: ItemId
    title: str = Field(min_length=3)
    category: RiskCategory
    directorate: Slug
    portfolio: Slug
    owner: str = Field(min_length=2)
    cause: str = Field(min_length=3)
    consequence: str = Field(min_length=3)
    controls: tuple[str, ...] = Field((), description="The controls in place now.")
    actions: tuple[str, ...] = Field((), description="Further actions planned.")
    likelihood: Score = Field(description="1 (rare) to 5 (almost certain), with controls.")
    impact: Score = Field(description="1 (minimal) to 5 (critical), with controls.")
    target: RiskTarget | None = None
    last_reviewed: date
    review_date: date = Field(description="When the owner next reviews it.")
    threatens: Threatens = Field(default_factory=Threatens)
    public: bool = Field(False, description="Shown in the public view (internal by default).")

    @model_validator(mode="after")
    def _review_after_last(self) -> Risk:
        if self.review_date < self.last_reviewed:
            raise ValueError(
                f"review_date {self.review_date} is before last_reviewed {self.last_reviewed}"
            )
        return self

    @property
    def score(self) -> int:
        """Likelihood times impact, 1 to 25."""
        return self.likelihood * self.impact


class Appetite(_Strict):
    """The highest score (likelihood x impact) the council accepts, overall and by category."""

    default: WholeNumber = Field(ge=1, le=25)
    categories: dict[RiskCategory, Annotated[int, Field(strict=True, ge=1, le=25)]] = Field(
        default_factory=dict
    )

    def for_category(self, category: str) -> int:
        """The appetite for one category of risk."""
        return int(self.categories.get(category, self.default))  # type: ignore[call-overload]


class RiskRegister(_Strict):
    """The whole of config/risks.yaml."""

    appetite: Appetite
    risks: tuple[Risk, ...] = ()


@dataclass(frozen=True)
class Finance:
    """Savings proposals, the MTFS and the risk register, as loaded (empty when not used)."""

    proposals: tuple[SavingsProposal, ...] = ()
    mtfs: Mtfs | None = None
    risk_register: RiskRegister | None = None

    def proposal(self, ident: str) -> SavingsProposal:
        """One proposal, or KeyError naming the unknown id."""
        for item in self.proposals:
            if item.id == ident:
                return item
        raise KeyError(f"no savings proposal with id '{ident}'")

    def risk(self, ident: str) -> Risk:
        """One risk, or KeyError naming the unknown id."""
        for item in self.risks:
            if item.id == ident:
                return item
        raise KeyError(f"no risk with id '{ident}'")

    @property
    def risks(self) -> tuple[Risk, ...]:
        """Every risk in the register."""
        return self.risk_register.risks if self.risk_register is not None else ()
