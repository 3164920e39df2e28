"""JSON Schemas for the YAML files, so an editor can autocomplete and check them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from metrics.registry.finance import Mtfs, RiskRegister, SavingsProposal
from metrics.registry.model import Metric, Plan

SCHEMA_FILES = {
    "metric-file.schema.json": "metric_file_schema",
    "plan.schema.json": "plan_schema",
    "savings-file.schema.json": "savings_file_schema",
    "mtfs.schema.json": "mtfs_schema",
    "risks.schema.json": "risks_schema",
}
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_YEAR_KEYS = {"pattern": r"^\d{4}-\d{2}$"}


def _keyed_by_year(properties: dict[str, Any], *names: str) -> None:
    # Amounts are keyed by financial year (2019-20); say so, for the editor to check
    for name in names:
        properties[name]["propertyNames"] = _YEAR_KEYS


def metric_file_schema() -> dict[str, Any]:
    """Schema for a file under config/metrics/: optional `defaults`, then a `metrics` list."""
    metric = Metric.model_json_schema(by_alias=True)
    defs = metric.pop("$defs", {})
    entry = dict(metric)
    # Defaults can supply any field, so an entry itself needs only its id and name
    entry["required"] = ["id", "name"]
    partial = {k: v for k, v in metric.items() if k != "required"}
    partial["title"] = "Defaults for every metric in this file"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "PMF metric file",
        "description": "Metric definitions. See docs/metrics-yaml.md for every field.",
        "type": "object",
        "additionalProperties": False,
        "required": ["metrics"],
        "properties": {
            "defaults": partial,
            "metrics": {"type": "array", "items": entry},
        },
        "$defs": defs,
    }


def plan_schema() -> dict[str, Any]:
    """Schema for config/plan.yaml."""
    schema = Plan.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "PMF strategic plan"
    return schema


def savings_file_schema() -> dict[str, Any]:
    """Schema for a file under config/savings/: optional `defaults`, then a `proposals` list."""
    proposal = SavingsProposal.model_json_schema(by_alias=True)
    defs = proposal.pop("$defs", {})
    _keyed_by_year(proposal["properties"], "plan", "costs")
    entry = dict(proposal)
    # Defaults can supply any field, so an entry itself needs only its id and title
    entry["required"] = ["id", "title"]
    partial = {k: v for k, v in proposal.items() if k != "required"}
    partial["title"] = "Defaults for every proposal in this file"
    schema: dict[str, Any] = {
        "$schema": _DRAFT,
        "title": "PMF savings file",
        "description": "Savings proposals. See docs/savings-and-risks.md for every field.",
        "type": "object",
        "additionalProperties": False,
        "required": ["proposals"],
        "properties": {
            "defaults": partial,
            "proposals": {"type": "array", "items": entry},
        },
    }
    if defs:
        schema["$defs"] = defs
    return schema


def mtfs_schema() -> dict[str, Any]:
    """Schema for config/mtfs.yaml: one `mtfs` mapping."""
    mtfs = Mtfs.model_json_schema(by_alias=True)
    defs = mtfs.pop("$defs", {})
    _keyed_by_year(mtfs["properties"], "gap", "capital_receipts")
    schema: dict[str, Any] = {
        "$schema": _DRAFT,
        "title": "PMF Medium Term Financial Strategy",
        "description": "The MTFS gap by year. See docs/savings-and-risks.md for every field.",
        "type": "object",
        "additionalProperties": False,
        "required": ["mtfs"],
        "properties": {"mtfs": mtfs},
    }
    if defs:
        schema["$defs"] = defs
    return schema


def risks_schema() -> dict[str, Any]:
    """Schema for config/risks.yaml: the `appetite` and the `risks` list."""
    schema = RiskRegister.model_json_schema(by_alias=True)
    schema["$schema"] = _DRAFT
    schema["title"] = "PMF risk register"
    schema["description"] = "The risk register. See docs/savings-and-risks.md for every field."
    return schema


def render(name: str) -> str:
    """The exact text written for one schema file."""
    builder = globals()[SCHEMA_FILES[name]]
    return json.dumps(builder(), indent=2, sort_keys=True, default=str) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_FILES:
        path = folder / name
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    stale = []
    for name in SCHEMA_FILES:
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != render(name):
            stale.append(name)
    return stale
