"""The drill-down's comparison with similar councils as a CSV: names, rounded figures, words."""

from __future__ import annotations

import csv
import io

from metrics.readmodel.judged import read_model
from reports.downloads import comparison_csv
from tests.reports.conftest import Sample

METRIC = "asc-info-ease-users"  # compared with the nearest neighbours in the sample


def test_the_comparison_downloads_with_names_and_the_measure_s_decimals(sample: Sample) -> None:
    registry = sample.registry
    metric = registry.metric(METRIC)
    model = read_model(registry, sample.engine, [METRIC], sample.as_at, "public")
    comparison = model.comparison(registry, metric)
    assert comparison is not None
    rows = list(csv.DictReader(io.StringIO(comparison_csv(registry, comparison))))
    council = registry.plan.organisation.short_name
    assert list(rows[0])[:6] == [
        "Measure",
        "Measure id",
        "Comparator group",
        "Unit",
        "Period",
        "Period start",
    ]
    assert {council, "Median", "Lower quartile", "Upper quartile"} <= set(rows[0])
    assert rows[0]["Measure"] == metric.name and rows[0]["Comparator group"] == (
        comparison.group.name
    )
    table = comparison.by_period.dropna(subset=["own_value"])
    assert len(rows) == len(table)
    for row, (_, expected) in zip(rows, table.iterrows(), strict=True):
        assert row[council] == f"{expected['own_value']:.{metric.decimals}f}"
        assert row["Median"] == f"{expected['median']:.{metric.decimals}f}"
        assert row[f"{council}'s rank (1 is best)"] == str(int(expected["rank"]))
        assert row["Councils with a figure"] == str(int(expected["n"]))
