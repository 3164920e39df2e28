"""JSON Schemas for the YAML files, so an editor can autocomplete and check them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from metrics.registry.model import Metric, Plan

SCHEMA_FILES = {
    "metric-file.schema.json": "metric_file_schema",
    "plan.schema.json": "plan_schema",
}


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
