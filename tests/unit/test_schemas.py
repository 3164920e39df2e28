"""The committed JSON schemas must match what the models generate."""

from __future__ import annotations

import json

from metrics.registry.jsonschema import metric_file_schema, stale_schemas
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
