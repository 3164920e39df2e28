"""Targets apply to the area they are set for: districts are judged only by their own targets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.engine.series import series_view
from metrics.engine.snapshot import build_snapshot
from metrics.engine.status import status_table
from metrics.registry.loader import Registry, validate_config
from tests.engine.test_status import frame, metric, words
from tests.unit.test_registry import _broken_metric

COUNTY, STAFFORD, TAMWORTH = "E10000028", "E07000197", "E07000199"


def _rows(metric_id: str, county: float, stafford: float, tamworth: float) -> pd.DataFrame:
    return frame(
        [
            (metric_id, COUNTY, "2024-04-01", county),
            (metric_id, STAFFORD, "2024-04-01", stafford),
            (metric_id, TAMWORTH, "2024-04-01", tamworth),
        ]
    )


def test_a_county_count_target_is_not_a_districts_target() -> None:
    jobs = metric(id="jobs", unit="count", target=375, area_level="districts")
    table = status_table([jobs], _rows("jobs", 400, 60, 30), COUNTY).set_index("area_code")
    assert table.loc[COUNTY, "rag"] == "green"
    assert words(table.loc[[STAFFORD, TAMWORTH], "rag"]) == ["no_target", "no_target"]
    assert table.loc[[STAFFORD, TAMWORTH], "target"].isna().all()


def test_district_targets_by_rule_share_and_own_target() -> None:
    rate = metric(
        id="rate",
        target=80,
        area_level="districts",
        district_targets={"same_as_county": True, "areas": {TAMWORTH: 70}},
    )
    table = status_table([rate], _rows("rate", 82, 79, 71), COUNTY).set_index("area_code")
    assert table["target"].to_dict() == {COUNTY: 80.0, STAFFORD: 80.0, TAMWORTH: 70.0}
    assert words(table["rag"]) == ["green", "red", "green"]

    jobs = metric(
        id="jobs",
        unit="count",
        target=400,
        area_level="districts",
        district_targets={"share_of_county": {STAFFORD: 0.15}},
    )
    table = status_table([jobs], _rows("jobs", 400, 61, 30), COUNTY).set_index("area_code")
    assert table.loc[STAFFORD, "target"] == pytest.approx(60.0)
    assert table.loc[STAFFORD, "rag"] == "green"
    assert table.loc[TAMWORTH, "rag"] == "no_target"


def test_the_district_chart_draws_the_districts_target_or_none() -> None:
    jobs = metric(id="jobs", unit="count", target=375, area_level="districts")
    rows = pd.concat(
        [
            _rows("jobs", 400, 60, 30),
            _rows("jobs", 410, 62, 31).assign(period_start=pd.Timestamp("2024-05-01")),
        ]
    )
    county = series_view(jobs, rows, COUNTY, county=COUNTY)
    stafford = series_view(jobs, rows, STAFFORD, county=COUNTY)
    assert county.frame["target"].tolist() == [375.0, 375.0]
    assert stafford.frame["target"].isna().all()


def test_shipped_counts_by_district_judge_only_the_county(registry: Registry) -> None:
    values = pd.concat(
        [
            _rows(m, 1000, 10, 10).assign(period_start=pd.Timestamp(start))
            for m in ("jobs-created", "families-supported-early-help", "road-casualties-ksi")
            for start in ("2024-04-01", "2024-05-01", "2024-06-01")
        ]
    )
    snapshot = build_snapshot(registry, values, date(2024, 12, 1))
    districts = snapshot[snapshot["area_code"] != COUNTY]
    judged = districts[districts["metric_id"].isin(values["metric_id"].unique())]
    assert set(judged["rag"]) <= {"no_target", "no_data"}
    assert judged["assurance"].isna().all()  # no target, so no assurance against one


@pytest.mark.parametrize(
    ("district_targets", "overrides", "message"),
    [
        ("{same_as_county: true}", {"unit": "count"}, "whole county's count"),
        ("{same_as_county: true}", {"area_level": "county"}, "need 'area_level: districts'"),
        ("{share_of_county: {E07000197: 15}}", {"unit": "count"}, "at most 1 (0.12 for 12%)"),
        ("{areas: {E07000917: 40}}", {}, "unknown district 'E07000917'; did you mean"),
        ("{same_as_county: true}", {"target": "null"}, "which is missing"),
    ],
)
def test_validate_refuses_district_targets_that_do_not_fit(
    config_copy: Path, district_targets: str, overrides: dict[str, str], message: str
) -> None:
    fields = {
        "area_level": "districts",
        "target": "50",
        "district_targets": district_targets,
        **overrides,
    }
    (config_copy / "metrics" / "zz.yaml").write_text(
        "metrics:\n" + _broken_metric("district-test", **fields) + "\n", encoding="utf-8"
    )
    problems = validate_config(config_copy)
    assert len(problems) == 1, problems
    assert problems[0].field == "district-test.district_targets"
    assert message in problems[0].message
