"""Every JSON schema under config/schemas/: the metric and plan files' and the pipeline files'."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from metrics.registry.jsonschema import SCHEMA_FILES
from metrics.registry.jsonschema import render as render_metrics_schema
from pipelines.config import render_schema as render_pipeline_schema

PIPELINE_SCHEMA = "pipeline-file.schema.json"


def schema_texts() -> dict[str, Callable[[], str]]:
    """Each schema file's name, with what renders its exact text."""
    texts: dict[str, Callable[[], str]] = {
        name: partial(render_metrics_schema, name) for name in SCHEMA_FILES
    }
    texts[PIPELINE_SCHEMA] = render_pipeline_schema
    return texts


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text(), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    return [
        name
        for name, text in schema_texts().items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text()
    ]
