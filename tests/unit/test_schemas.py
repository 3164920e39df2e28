"""The committed JSON schemas must match what the models generate."""

from __future__ import annotations

import json

from metrics.registry.jsonschema import (
    SCHEMA_FILES,
    metric_file_schema,
    mtfs_schema,
    risks_schema,
    savings_file_schema,
    stale_schemas,
)
from tests.conftest import CONFIG


def test_committed_schemas_are_up_to_date() -> None:
    stale = stale_schemas(CONFIG / "schemas")
    assert stale == [], f"run 'pmf schema' to regenerate: {stale}"


def test_metric_schema_lists_allowed_values_for_editors() -> None:
    schema = metric_file_schema()
    item = schema["properties"]["metrics"]["items"]
    assert item["required"] == ["id", "name"]
    assert set(item["properties"]["polarity"]["enum"]) == {
        "higher_is_better",
        "lower_is_better",
        "neutral",
    }
    assert "rate per 10k" in item["properties"]["unit"]["enum"]
    json.dumps(schema)


def test_savings_mtfs_and_risk_files_have_schemas_for_editors() -> None:
    assert {"savings-file.schema.json", "mtfs.schema.json", "risks.schema.json"} <= set(
        SCHEMA_FILES
    )
    savings = savings_file_schema()
    proposal = savings["properties"]["proposals"]["items"]
    # Defaults may give the rest, so an entry needs only its id and title
    assert proposal["required"] == ["id", "title"]
    assert proposal["properties"]["plan"]["propertyNames"]["pattern"] == r"^\d{4}-\d{2}$"
    assert "required" not in savings["properties"]["defaults"]
    risk = risks_schema()["$defs"]["Risk"]["properties"]
    assert risk["likelihood"]["maximum"] == 5
    assert "safeguarding" in risk["category"]["enum"]
    json.dumps(mtfs_schema())
