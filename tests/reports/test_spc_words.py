"""The SPC reading in words names the Making Data Count rule that fired, in plain English."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from markupsafe import escape

from metrics import rebases
from metrics.engine.periods import period_label, periods_text
from metrics.engine.series_words import limits_note
from metrics.engine.spc import xmr
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from reports.html import render_html
from reports.pack import Pack, build_pack
from reports.samples import SAMPLE_AS_AT
from reports.scope import resolve_scope
from reports.spc_words import spc_reading
from tests.reports.conftest import Sample, copy_sample

BASE = [10.0, 11.0, 9.0, 10.5, 9.5, 10.0, 11.0, 9.0, 10.0, 10.5, 9.5, 10.0]


def metric(polarity: str = "lower_is_better", frequency: str = "monthly") -> Metric:
    return Metric.model_validate(
        {
            "id": "caseload",
            "name": "Average caseload",
            "description": "Children per social worker.",
            "unit": "ratio",
            "polarity": polarity,
            "frequency": frequency,
            "portfolio": "p",
            "select_committee": "c",
            "owner": "Someone",
        }
    )


def reading(values: list[float], m: Metric) -> str:
    improvement = {"lower_is_better": "decrease", "higher_is_better": "increase"}[m.polarity]
    return spc_reading(m, xmr(values, improvement=improvement))


def test_a_run_above_the_average_is_counted_in_the_metric_s_periods() -> None:
    values = BASE + [10.6, 10.7, 10.6, 10.8, 10.6, 10.7, 10.6]
    text = reading(values, metric())
    assert text == "Special cause: concern — 7 months in a row above the average."


def test_the_same_run_is_an_improvement_when_higher_is_better_and_counts_quarters() -> None:
    values = BASE + [10.6, 10.7, 10.6, 10.8, 10.6, 10.7, 10.6, 10.65]
    text = reading(values, metric("higher_is_better", "quarterly"))
    assert text == "Special cause: improvement — 8 quarters in a row above the average."


def test_a_point_beyond_the_limit_names_the_limit_with_its_value() -> None:
    text = reading(BASE + [20.0], metric())
    assert text.startswith("Special cause: concern — the latest value is above the upper process")
    assert text.endswith("limit of 13.7.")


def test_a_trend_says_each_figure_was_lower_than_the_one_before() -> None:
    values = BASE + [10.9, 10.7, 10.5, 10.3, 10.1, 9.9, 9.7]
    text = reading(values, metric())
    assert "7 months in a row, each lower than the one before" in text
    assert text.startswith("Special cause: improvement")


def test_two_of_three_near_the_limit() -> None:
    values = BASE + [10.6, 12.5, 12.6]
    text = reading(values, metric("higher_is_better"))
    assert text.endswith("2 of the last 3 months close to the upper process limit.")


def test_common_cause_and_too_little_data() -> None:
    assert reading(BASE, metric()).startswith("Common cause (no significant change).")
    assert spc_reading(metric(), None).startswith("Not enough data for an SPC reading")
    assert periods_text(1, "annual") == "1 year" and periods_text(2, "weekly") == "2 weeks"


def spc_text(pack: Pack, metric_id: str) -> str:
    section = next(s for s in pack.sections if s.metric.id == metric_id)
    return next(p.text for p in section.paras if p.text.startswith(("Common cause", "Special")))


def test_the_pack_says_which_periods_the_limits_come_from_in_the_drill_down_s_words(
    sample: Sample,
) -> None:
    scope = resolve_scope(sample.registry, "portfolio", "finance")
    pack = build_pack(sample.registry, sample.engine, scope, sample.as_at)
    section = next(s for s in pack.sections if s.metric.id == "general-debt-outstanding")
    text = spc_text(pack, "general-debt-outstanding")
    # The words the drill-down's chart note uses, for the same view (the periods charted)
    assert limits_note(section.view) + "." in text
    assert re.search(r"Mean and limits from \w{3} \d{4} to Oct 2024 \(\d+ points\)\.", text)
    assert "recalculated" not in text
    html = render_html(pack)
    assert str(escape(limits_note(section.view))) in html


def test_the_pack_names_a_rebase_and_the_limits_on_each_side(
    sample_file: Path, tmp_path: Path, registry: Registry
) -> None:
    engine = sa.create_engine(copy_sample(sample_file, tmp_path))
    try:
        metric = registry.metric("invoices-paid-30-days")
        county = registry.plan.county.code
        start = rebases.series_periods(engine, metric.id, county)[-18]
        rebases.record(
            registry,
            engine,
            metric_id=metric.id,
            area_code=county,
            period_start=start,
            reason="New recovery team",
            recorded_by="Jo Bloggs",
            now=datetime(2024, 11, 1, 9, 0),
        )
        scope = resolve_scope(registry, "portfolio", "finance")
        internal = build_pack(registry, engine, scope, SAMPLE_AS_AT)
        label = period_label(metric.frequency, start)
        text = spc_text(internal, metric.id)
        assert (
            f"Limits recalculated from {label}: New recovery team "
            "(recorded by Jo Bloggs, 1 Nov 2024)."
        ) in text
        assert f"Mean and limits from {label} to Oct 2024 (18 points)." in text
        assert text.index("Mean and limits from") < text.index("Limits recalculated")
        # The public pack names the rebase and why, but not who recorded it
        public = build_pack(registry, engine, scope, SAMPLE_AS_AT, audience="public")
        shown = spc_text(public, metric.id)
        assert f"Limits recalculated from {label}: New recovery team." in shown
        assert "Jo Bloggs" not in shown
    finally:
        engine.dispose()
