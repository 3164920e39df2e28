"""Read the savings proposals, the MTFS and the risk register (stage 1), then check them (stage 2).

Each file is checked on its own with file and line, like the metric files: `config/savings/*.yaml`
(`defaults:` and `proposals:`), `config/mtfs.yaml` (`mtfs:`) and `config/risks.yaml`
(`appetite:` and `risks:`). Every file is optional. The rules across documents are in
metrics/registry/finance_rules.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

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
    top_level_keys,
)

SAVINGS_FOLDER = "savings"
MTFS_FILE = "mtfs.yaml"
RISKS_FILE = "risks.yaml"
# Amounts keyed by financial year: a bad year is reported at its own line, not the block's
_BY_YEAR = ("plan", "costs", "gap", "capital_receipts")

Reader = Callable[[Path], YamlDoc | None]
_Model = TypeVar("_Model", SavingsProposal, Risk)
_Valid = TypeVar("_Valid", bound=BaseModel)


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
    keys = top_level_keys(doc, ("defaults", "proposals"), problems)
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
    items = _read_items(
        doc, proposals_key, SavingsProposal, "proposal", problems, (defaults_key, defaults)
    )
    found.proposals.extend(items.read)
    found.refused_proposals |= items.refused
    found.all_proposals_read &= items.complete


def _read_mtfs(doc: YamlDoc, found: FinanceDocuments, problems: list[Problem]) -> None:
    data = doc.data
    key = top_level_keys(doc, ("mtfs",), problems)["mtfs"]
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        problems.append(
            Problem(doc.label, 1, "mtfs", "the MTFS file needs an 'mtfs:' mapping (name, gap)")
        )
        return
    mtfs = _validated(doc, Mtfs, [key], "mtfs.", problems)
    if mtfs is None:
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
    keys = top_level_keys(doc, ("appetite", "risks"), problems)
    appetite_key, risks_key = keys["appetite"], keys["risks"]
    appetite: Appetite | None = None
    if appetite_key not in data:
        problems.append(
            Problem(doc.label, 1, "appetite", "this field is required (e.g. 'default: 12')")
        )
    else:
        appetite = _validated(doc, Appetite, [appetite_key], "appetite.", problems)
    items = data.get(risks_key) or []
    if not isinstance(items, list):
        problems.append(
            Problem(doc.label, doc.line_of([risks_key]), "risks", "must be a list of risks")
        )
        found.all_risks_read = False
        return appetite
    read = _read_items(doc, risks_key, Risk, "risk", problems)
    found.risks.extend(read.read)
    found.refused_risks |= read.refused
    found.all_risks_read &= read.complete
    return appetite


@dataclass
class _Items(Generic[_Model]):
    """The proposals or risks one file lists: those read, the ids refused, and whether every
    item without an id was read too."""

    read: list[tuple[_Model, ItemSource]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    complete: bool = True


def _read_items(
    doc: YamlDoc,
    key: str,
    model: type[_Model],
    kind: str,
    problems: list[Problem],
    defaults: tuple[str, dict[str, Any]] = ("defaults", {}),
) -> _Items[_Model]:
    """Each `kind` in the list under `key` (the key written for `proposals` or `risks`), read
    over the file's `defaults`."""
    name = f"{kind}s"
    defaults_key, values = defaults
    items: _Items[_Model] = _Items()
    for index, node in enumerate(doc.data.get(key) or []):
        line = doc.line_of([key, index])
        if not isinstance(node, dict):
            problems.append(
                Problem(doc.label, line, f"{name}[{index}]", f"each {kind} is a mapping")
            )
            items.complete = False
            continue
        raw = plain(node)
        prefix = f"{raw.get('id', f'{name}[{index}]')}."
        item = _validated(doc, model, [key, index], prefix, problems, (defaults_key, values))
        if item is None:
            if isinstance(raw.get("id"), str):
                items.refused.add(raw["id"])
            else:
                items.complete = False
            continue
        fields = {str(k): (doc.line_of([defaults_key, k]), f"defaults.{k}") for k in values}
        fields.update({str(k): (doc.line_of([key, index, k]), f"{item.id}.{k}") for k in node})
        items.read.append((item, ItemSource(doc.label, line, fields)))
    return items


def _validated(
    doc: YamlDoc,
    model: type[_Valid],
    at: list[str | int],
    prefix: str,
    problems: list[Problem],
    defaults: tuple[str, dict[str, Any]] = ("defaults", {}),
) -> _Valid | None:
    """The mapping at `at` (over `defaults`) as a `model`, or None with every problem at its
    line: in the defaults block when the defaults gave the bad field."""
    raw = plain(node_at(doc, at))
    defaults_key, values = defaults
    try:
        return model.model_validate({**values, **raw} if values else raw)
    except ValidationError as exc:
        base = node_at(doc, at)
        for loc, message in _explain(exc, model, raw):
            if loc and loc[0] not in raw and loc[0] in values:
                line = doc.line_of([defaults_key, *_year_loc(loc, message)])
                problems.append(Problem(doc.label, line, field_name(loc, "defaults."), message))
            else:
                line = doc.line_of(_year_loc(loc, message), base)
                problems.append(Problem(doc.label, line, field_name(loc, prefix), message))
        return None


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
