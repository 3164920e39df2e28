"""Read the savings proposals, the MTFS and the risk register (stage 1), then check them (stage 2).

Each file is checked on its own with file and line, like the metric files: `config/savings/*.yaml`
(`defaults:` and `proposals:`), `config/mtfs.yaml` (`mtfs:`) and `config/risks.yaml`
(`appetite:` and `risks:`). Every file is optional. The rules across documents are in
metrics/registry/finance_rules.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from metrics.registry.finance import (
    Appetite,
    Finance,
    Mtfs,
    Risk,
    RiskRegister,
    SavingsProposal,
)
from metrics.registry.finance_rules import (
    FinanceDocuments,
    ItemSource,
    finance_problems,
)
from metrics.registry.rules import Documents
from metrics.registry.yamlfile import (
    Loc,
    Problem,
    YamlDoc,
    explain,
    field_name,
    node_at,
    plain,
)

SAVINGS_FOLDER = "savings"
MTFS_FILE = "mtfs.yaml"
RISKS_FILE = "risks.yaml"
# Amounts keyed by financial year: a bad year is reported at its own line, not the block's
_BY_YEAR = ("plan", "costs", "gap", "capital_receipts")

Reader = Callable[[Path], YamlDoc | None]


def load_finance(
    config_dir: Path, read: Reader, documents: Documents
) -> tuple[Finance, list[Problem]]:
    """Read and check the savings, MTFS and risk files; return what loaded and every problem."""
    problems: list[Problem] = []
    found = FinanceDocuments(documents)
    for path in sorted((config_dir / SAVINGS_FOLDER).glob("*.y*ml")):
        doc = read(path)
        if doc is None:
            found.all_proposals_read = False
            continue
        _read_savings_file(doc, found, problems)
    mtfs_path = config_dir / MTFS_FILE
    if mtfs_path.exists():
        doc = read(mtfs_path)
        if doc is not None:
            _read_mtfs(doc, found, problems)
    risks_path = config_dir / RISKS_FILE
    appetite: Appetite | None = None
    if risks_path.exists():
        doc = read(risks_path)
        if doc is None:
            found.all_risks_read = False
        else:
            appetite = _read_risks(doc, found, problems)
    problems.extend(finance_problems(found))
    register = (
        RiskRegister(appetite=appetite, risks=tuple(r for r, _ in found.risks))
        if appetite is not None
        else None
    )
    finance = Finance(
        proposals=tuple(p for p, _ in found.proposals),
        mtfs=found.mtfs[0] if found.mtfs is not None else None,
        risk_register=register,
    )
    return finance, problems


def _read_savings_file(doc: YamlDoc, found: FinanceDocuments, problems: list[Problem]) -> None:
    data = doc.data
    keys = _top_level(doc, ("defaults", "proposals"), problems)
    defaults_key, proposals_key = keys["defaults"], keys["proposals"]
    if not isinstance(data, dict) or not isinstance(data.get(proposals_key), list):
        problems.append(
            Problem(doc.label, 1, "proposals", "a savings file needs a 'proposals:' list")
        )
        found.all_proposals_read = False
        return
    defaults = plain(data.get(defaults_key) or {})
    if not isinstance(defaults, dict):
        problems.append(
            Problem(doc.label, doc.line_of([defaults_key]), defaults_key, "must be a mapping")
        )
        defaults = {}
    for index, node in enumerate(data[proposals_key]):
        line = doc.line_of([proposals_key, index])
        if not isinstance(node, dict):
            problems.append(
                Problem(doc.label, line, f"proposals[{index}]", "each proposal is a mapping")
            )
            found.all_proposals_read = False
            continue
        raw = plain(node)
        prefix = f"{raw.get('id', f'proposals[{index}]')}."
        try:
            proposal = SavingsProposal.model_validate({**defaults, **raw})
        except ValidationError as exc:
            base = node_at(doc, [proposals_key, index])
            for loc, message in _explain(exc, SavingsProposal, raw):
                if loc and loc[0] not in raw and loc[0] in defaults:
                    at = doc.line_of([defaults_key, *_year_loc(loc, message)])
                    problems.append(Problem(doc.label, at, field_name(loc, "defaults."), message))
                else:
                    at = doc.line_of(_year_loc(loc, message), base)
                    problems.append(Problem(doc.label, at, field_name(loc, prefix), message))
            if isinstance(raw.get("id"), str):
                found.refused_proposals.add(raw["id"])
            else:
                found.all_proposals_read = False
            continue
        fields = {str(k): (doc.line_of([defaults_key, k]), f"defaults.{k}") for k in defaults}
        fields.update(
            {str(k): (doc.line_of([proposals_key, index, k]), f"{proposal.id}.{k}") for k in node}
        )
        found.proposals.append((proposal, ItemSource(doc.label, line, fields)))


def _read_mtfs(doc: YamlDoc, found: FinanceDocuments, problems: list[Problem]) -> None:
    data = doc.data
    key = _top_level(doc, ("mtfs",), problems)["mtfs"]
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        problems.append(
            Problem(doc.label, 1, "mtfs", "the MTFS file needs an 'mtfs:' mapping (name, gap)")
        )
        return
    try:
        mtfs = Mtfs.model_validate(plain(data[key]))
    except ValidationError as exc:
        base = node_at(doc, [key])
        for loc, message in _explain(exc, Mtfs, plain(data[key])):
            at = doc.line_of(_year_loc(loc, message), base)
            problems.append(Problem(doc.label, at, field_name(loc, "mtfs."), message))
        return
    fields = {str(k): (doc.line_of([key, k]), f"mtfs.{k}") for k in data[key]}
    found.mtfs = (mtfs, ItemSource(doc.label, doc.line_of([key]), fields))


def _read_risks(doc: YamlDoc, found: FinanceDocuments, problems: list[Problem]) -> Appetite | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(
            Problem(doc.label, 1, "(file)", "the risk register needs 'appetite:' and 'risks:'")
        )
        found.all_risks_read = False
        return None
    keys = _top_level(doc, ("appetite", "risks"), problems)
    appetite_key, risks_key = keys["appetite"], keys["risks"]
    appetite: Appetite | None = None
    if appetite_key not in data:
        problems.append(
            Problem(doc.label, 1, "appetite", "this field is required (e.g. 'default: 12')")
        )
    else:
        try:
            appetite = Appetite.model_validate(plain(data[appetite_key]))
        except ValidationError as exc:
            base = node_at(doc, [appetite_key])
            for loc, message in _explain(exc, Appetite, plain(data[appetite_key])):
                at = doc.line_of(loc, base)
                problems.append(Problem(doc.label, at, field_name(loc, "appetite."), message))
    items = data.get(risks_key) or []
    if not isinstance(items, list):
        problems.append(
            Problem(doc.label, doc.line_of([risks_key]), "risks", "must be a list of risks")
        )
        found.all_risks_read = False
        return appetite
    for index, node in enumerate(items):
        line = doc.line_of([risks_key, index])
        if not isinstance(node, dict):
            problems.append(Problem(doc.label, line, f"risks[{index}]", "each risk is a mapping"))
            found.all_risks_read = False
            continue
        raw = plain(node)
        prefix = f"{raw.get('id', f'risks[{index}]')}."
        try:
            risk = Risk.model_validate(raw)
        except ValidationError as exc:
            base = node_at(doc, [risks_key, index])
            for loc, message in _explain(exc, Risk, raw):
                at = doc.line_of(loc, base)
                problems.append(Problem(doc.label, at, field_name(loc, prefix), message))
            if isinstance(raw.get("id"), str):
                found.refused_risks.add(raw["id"])
            else:
                found.all_risks_read = False
            continue
        fields = {str(k): (doc.line_of([risks_key, index, k]), f"{risk.id}.{k}") for k in node}
        found.risks.append((risk, ItemSource(doc.label, line, fields)))
    return appetite


def _top_level(doc: YamlDoc, allowed: tuple[str, ...], problems: list[Problem]) -> dict[str, str]:
    """Report each unknown top-level key with "did you mean"; map each allowed key to the key
    written for it (a misspelling is still read, so its contents are checked too)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    keys = {name: name for name in allowed}
    for key in sorted(set(map(str, data)) - set(allowed)):
        close = _closest(key, allowed)
        hint = (
            f"did you mean '{close}'?"
            if close
            else f"this file holds {' and '.join(repr(a) for a in allowed)}"
        )
        problems.append(
            Problem(doc.label, doc.line_of([key]), key, f"unknown top-level key; {hint}")
        )
        if close is not None and close not in data:
            keys[close] = key
    return keys


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(key, allowed, n=1)
    return close[0] if close else None


def _explain(
    error: ValidationError, model: type[BaseModel], raw: dict[str, Any]
) -> list[tuple[Loc, str]]:
    """Like `explain`, but a check across fields points at the field its message starts with."""
    located = []
    for loc, message in explain(error, model):
        first = message.split(" ", 1)[0]
        if not loc and first in model.model_fields and first in raw:
            loc = (first,)
        located.append((loc, message))
    return located


def _year_loc(loc: Loc, message: str) -> Loc:
    # "'2019-21' is not a financial year" is raised for the whole block: find the year's own line
    if len(loc) == 1 and loc[0] in _BY_YEAR and message.startswith("'"):
        return (*loc, message.split("'")[1])
    return loc
