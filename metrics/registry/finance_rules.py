"""Stage 2 for savings, the MTFS and risks: small named rules across all the documents.

Each rule reads what stage 1 read (`FinanceDocuments`) and yields Problems at the line of the
offending key; `FINANCE_RULES` lists them and `finance_problems` runs every one. Like the metric
rules, nothing that stage 1 refused (or could not read) is called unknown. Milestone ids are not
checked here: they come from the programme tracker at run time, so the engine checks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from metrics.registry.finance import Mtfs, Risk, SavingsProposal, year_label, year_start
from metrics.registry.rules import Documents, Severity, _unknown
from metrics.registry.yamlfile import Problem


@dataclass(frozen=True)
class ItemSource:
    """Where a proposal, risk or the MTFS was written: its line, and each field's line and name.

    A field given by a file's `defaults:` block points at that block, named `defaults.<field>`.
    """

    file: str
    line: int
    fields: dict[str, tuple[int, str]]

    def problem(self, ident: str, field_: str, message: str) -> Problem:
        """A problem with one field, at the line that set it."""
        line, name = self.fields.get(field_, (self.line, f"{ident}.{field_}"))
        return Problem(self.file, line, name, message)


@dataclass
class FinanceDocuments:
    """Everything stage 1 read from the savings, MTFS and risk files, with the metric documents."""

    documents: Documents
    proposals: list[tuple[SavingsProposal, ItemSource]] = field(default_factory=list)
    risks: list[tuple[Risk, ItemSource]] = field(default_factory=list)
    mtfs: tuple[Mtfs, ItemSource] | None = None
    refused_proposals: set[str] = field(default_factory=set)
    refused_risks: set[str] = field(default_factory=set)
    all_proposals_read: bool = True
    all_risks_read: bool = True

    def risk_is_unknown(self, risk_id: str) -> bool:
        """Whether no risk has this id, even one stage 1 refused."""
        if not self.all_risks_read or risk_id in self.refused_risks:
            return False
        return risk_id not in {r.id for r, _ in self.risks}


@dataclass(frozen=True)
class FinanceRule:
    """One check across the finance documents: a name, a severity and the check."""

    name: str
    severity: Severity
    check: Callable[[FinanceDocuments], Iterable[Problem]]


def finance_problems(
    docs: FinanceDocuments, rules: Sequence[FinanceRule] | None = None
) -> list[Problem]:
    """Run every rule (default: `FINANCE_RULES`) and collect what they find."""
    return [p for rule in (FINANCE_RULES if rules is None else rules) for p in rule.check(docs)]


def _duplicates(items: Sequence[tuple[str, ItemSource]], kind: str) -> Iterator[Problem]:
    first: dict[str, ItemSource] = {}
    for ident, src in items:
        if ident in first:
            where = f"{first[ident].file}:{first[ident].line}"
            yield Problem(
                src.file, src.line, ident, f"duplicate {kind} id; first defined at {where}"
            )
        else:
            first[ident] = src


def proposal_ids_are_unique(docs: FinanceDocuments) -> Iterator[Problem]:
    """Each savings proposal id is used once, across every savings file."""
    yield from _duplicates([(p.id, src) for p, src in docs.proposals], "savings proposal")


def risk_ids_are_unique(docs: FinanceDocuments) -> Iterator[Problem]:
    """Each risk id is used once in the register."""
    yield from _duplicates([(r.id, src) for r, src in docs.risks], "risk")


def _plan_ids(docs: FinanceDocuments) -> dict[str, set[str]]:
    plan = docs.documents.plan
    return {
        "directorate": {d.id for d in plan.directorates},
        "portfolio": {p.id for p in plan.portfolios},
        "priority": {p.id for p in plan.priorities},
        "enabler": {e.id for e in plan.enablers},
    }


def proposals_name_plan_ids(docs: FinanceDocuments) -> Iterator[Problem]:
    """A proposal's directorate, portfolio, priority and enabler are in config/plan.yaml."""
    known = _plan_ids(docs)
    for proposal, src in docs.proposals:
        for field_, ids in known.items():
            value = getattr(proposal, field_)
            if value is not None and value not in ids:
                yield src.problem(proposal.id, field_, _unknown(field_, value, ids))


def risks_name_plan_ids(docs: FinanceDocuments) -> Iterator[Problem]:
    """A risk's directorate and portfolio are in config/plan.yaml."""
    known = _plan_ids(docs)
    for risk, src in docs.risks:
        for field_ in ("directorate", "portfolio"):
            value = getattr(risk, field_)
            if value not in known[field_]:
                yield src.problem(risk.id, field_, _unknown(field_, value, known[field_]))


def proposals_name_known_risks(docs: FinanceDocuments) -> Iterator[Problem]:
    """Every risk a proposal names is in the risk register."""
    known = {r.id for r, _ in docs.risks}
    for proposal, src in docs.proposals:
        for risk_id in proposal.risks:
            if docs.risk_is_unknown(risk_id):
                message = _unknown("risk", risk_id, known)
                yield src.problem(proposal.id, "risks", f"{message} (risks are in risks.yaml)")


def risks_threaten_known_measures(docs: FinanceDocuments) -> Iterator[Problem]:
    """The measures a risk threatens are metric ids in config/metrics/."""
    known = {m.id for m in docs.documents.metrics}
    for risk, src in docs.risks:
        for metric_id in risk.threatens.measures:
            if docs.documents.metric_is_unknown(metric_id):
                yield src.problem(risk.id, "threatens", _unknown("measure", metric_id, known))


def proposals_plan_within_the_mtfs(docs: FinanceDocuments) -> Iterator[Problem]:
    """With an MTFS given, a proposal plans savings only in the years the MTFS covers."""
    if docs.mtfs is None:
        return
    years = sorted(docs.mtfs[0].gap, key=year_start)
    span = f"{years[0]} to {years[-1]}"
    for proposal, src in docs.proposals:
        outside = sorted((y for y in proposal.plan if y not in docs.mtfs[0].gap), key=year_start)
        if outside:
            yield src.problem(
                proposal.id,
                "plan",
                f"plan has {', '.join(outside)}, outside the MTFS years ({span}); "
                "add the year to the MTFS gap or move the saving",
            )


def mtfs_gap_years_are_consecutive(docs: FinanceDocuments) -> Iterator[Problem]:
    """The MTFS gap covers consecutive financial years, with none missing."""
    if docs.mtfs is None:
        return
    mtfs, src = docs.mtfs
    starts = sorted(year_start(y) for y in mtfs.gap)
    missing = [year_label(y) for y in range(starts[0], starts[-1] + 1) if y not in starts]
    if missing:
        yield src.problem(
            "mtfs",
            "gap",
            f"the gap skips {', '.join(missing)}; give every year from "
            f"{year_label(starts[0])} to {year_label(starts[-1])} (0 for a year with no gap)",
        )


FINANCE_RULES: tuple[FinanceRule, ...] = tuple(
    FinanceRule(check.__name__, "error", check)
    for check in (
        proposal_ids_are_unique,
        risk_ids_are_unique,
        proposals_name_plan_ids,
        risks_name_plan_ids,
        proposals_name_known_risks,
        risks_threaten_known_measures,
        proposals_plan_within_the_mtfs,
        mtfs_gap_years_are_consecutive,
    )
)
