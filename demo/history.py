"""A deterministic, realistic demo history for every metric in the registry.

Each measure gets a level, seasonality, noise and, for some, a story: a step change or a
drift off target, drawn from the pressures the 2018 peer challenge named. The same registry
and `as_of` date always give the same numbers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from metrics.engine.periods import add_months, period_bounds, period_starts, previous_period
from metrics.registry.loader import Registry
from metrics.registry.model import Metric

HISTORY_YEARS = 7

# Relative size of each district (roughly its share of the county's population)
DISTRICT_WEIGHTS = {
    "E07000192": 0.116,
    "E07000193": 0.139,
    "E07000194": 0.121,
    "E07000195": 0.148,
    "E07000196": 0.126,
    "E07000197": 0.157,
    "E07000198": 0.113,
    "E07000199": 0.089,
}

# Typical denominators (residents in the relevant group) for weighted measures
DENOMINATORS = {
    "claimant-rate": 540_000,
    "neet-16-17": 19_000,
    "looked-after-children-rate": 172_000,
    "child-protection-plan-rate": 172_000,
    "road-defects-on-time": 4_200,
    "physically-active-adults": 700_000,
    "ehcp-within-20-weeks": 110,
}


@dataclass(frozen=True)
class Story:
    """How a measure's history unfolds, as multiples of its target (or of `level`)."""

    start: float  # level at the start, as a multiple of the reference
    end: float  # level at the end
    noise: float = 0.03  # standard deviation, as a share of the reference
    season: float = 0.0  # amplitude of a yearly cycle, as a share of the reference
    step_at: float | None = None  # where a step change happens (0..1 through the history)
    step: float = 0.0  # size of the step, as a multiple of the reference
    level: float | None = None  # the reference for measures without a target
    stops_early: int = 0  # latest periods never delivered: a late feed, so the data goes stale


STORIES: dict[str, Story] = {
    # Children's services under strain: caseloads and agency reliance climb, then a rebase
    "cs-social-worker-caseload": Story(1.05, 1.28, 0.025, step_at=0.55, step=0.08),
    "cs-social-worker-vacancy-rate": Story(1.2, 1.55, 0.05),
    "cs-agency-social-worker-share": Story(1.1, 1.6, 0.04),
    "looked-after-children-rate": Story(0.98, 1.12, 0.01),
    "child-protection-plan-rate": Story(1.0, 1.05, 0.04, level=42),
    "ehcp-within-20-weeks": Story(0.95, 0.62, 0.08),
    "send-high-needs-variance": Story(0.0, 1.0, 0.08, level=9_000_000),
    # Finance: general debt near £9m against a £5m target
    "general-debt-outstanding": Story(1.35, 1.78, 0.04),
    "mtfs-savings-delivered": Story(1.02, 0.92, 0.05),
    "capital-receipts": Story(0.9, 1.05, 0.25),
    "asc-savings-delivered": Story(1.0, 0.97, 0.08),
    # Digital: MyStaffs take-up rising steadily
    "mystaffs-digital-share": Story(0.88, 1.04, 0.015),
    "mystaffs-app-users": Story(0.3, 1.0, 0.03, season=0.04, level=62_000),
    # Workforce: sickness seasonal and creeping up
    "staff-sickness-days": Story(1.0, 1.1, 0.015, season=0.04),
    "staff-turnover": Story(0.95, 1.05, 0.03),
    # Economy: jobs on track with a step up when a new site opens
    "jobs-created": Story(0.95, 1.05, 0.08, step_at=0.45, step=0.15),
    "claimant-rate": Story(0.9, 1.05, 0.02, step_at=0.14, step=0.5),
    "neet-16-17": Story(1.02, 0.93, 0.04, season=0.12),
    "road-defects-on-time": Story(0.97, 1.02, 0.025, season=0.03),
    "household-waste-recycled": Story(0.96, 0.94, 0.015),
    "bus-passenger-journeys": Story(
        1.0, 0.85, 0.03, season=0.05, level=5_600_000, step_at=0.14, step=-0.35
    ),
    # Oflog ASC6 is a rate per 100,000 adults, with no target (neither way is better)
    "asc-requests-resulting-in-service": Story(1.0, 0.9, 0.08, level=900),
    # Health and care: delayed transfers worsen in winter; the NHS extract is two months late
    "delayed-transfers-of-care": Story(1.1, 0.95, 0.06, season=0.15, stops_early=2),
    "library-visits": Story(1.0, 0.9, 0.05, season=0.1, level=310_000, step_at=0.14, step=-0.4),
    # Value for money: spend on long-term care grows faster than the people it supports, so
    # the cost per person supported (worked out by PMF, not generated) drifts above target
    "asc-long-term-support-spend": Story(0.97, 1.16, 0.012, season=0.015, level=80_000_000),
    "asc-people-long-term-support": Story(1.0, 1.05, 0.008, level=10_000),
}

GENERIC = Story(1.0, 1.0, 0.03)


def generate_history(registry: Registry, as_of: date) -> pd.DataFrame:
    """Observations for every fed metric and area, up to the last period complete by `as_of`
    (a derived measure's values are worked out from its parts once they are loaded)."""
    frames = [_metric_history(registry, m, as_of) for m in registry if m.derived is None]
    own = pd.concat(frames, ignore_index=True).assign(is_benchmark=False)
    others = _benchmark_rows(registry, own).assign(is_benchmark=True)
    return pd.concat([own, others], ignore_index=True)


def _benchmark_rows(registry: Registry, own: pd.DataFrame) -> pd.DataFrame:
    """Figures for the comparator councils of metrics that name a benchmark group.

    Each council sits a steady distance from Staffordshire, with its own noise, so ranks move
    a little from year to year as they do in the published data.
    """
    county = registry.plan.county.code
    frames = []
    for metric in registry:
        if metric.benchmark is None or metric.benchmark.group not in registry.comparator_groups:
            continue
        group = registry.comparator_groups[metric.benchmark.group]
        base = own[(own["metric_id"] == metric.id) & (own["area_code"] == county)]
        for member in group.members:
            if member.code == county:
                continue
            rng = _rng(metric.id, member.code, "benchmark")
            shift = rng.normal(0.0, 0.06)
            wobble = rng.normal(0.0, 0.03, len(base))
            frames.append(
                base.assign(
                    area_code=member.code,
                    value=_tidy(metric, base["value"].to_numpy() * (1 + shift + wobble)),
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else own.iloc[0:0]


def _rng(*parts: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(parts).encode()))


def _periods(metric: Metric, as_of: date) -> list[date]:
    last = previous_period(metric.frequency, period_bounds(metric.frequency, as_of)[0])
    first = add_months(date(as_of.year - HISTORY_YEARS, 4, 1), 0)
    starts = period_starts(metric.frequency, first, last)
    return starts[: len(starts) - STORIES.get(metric.id, GENERIC).stops_early]


def _reference(metric: Metric, story: Story, starts: list[date]) -> np.ndarray:
    if story.level is not None:
        return np.full(len(starts), story.level, dtype=float)
    targets = [metric.target_for(s) for s in starts]
    if all(t is None for t in targets):
        return np.full(len(starts), _default_level(metric), dtype=float)
    first_known = next(t for t in targets if t is not None)
    return np.array([t if t is not None else first_known for t in targets], dtype=float)


def _default_level(metric: Metric) -> float:
    return {"percent": 50.0, "count": 1000.0, "GBP": 1_000_000.0}.get(metric.unit, 100.0)


def _county_series(metric: Metric, starts: list[date]) -> np.ndarray:
    story = STORIES.get(metric.id, GENERIC)
    ref = _reference(metric, story, starts)
    n = len(starts)
    progress = np.linspace(0.0, 1.0, n)
    rng = _rng(metric.id)
    shape = story.start + (story.end - story.start) * progress
    if story.step_at is not None:
        shape = shape + np.where(progress >= story.step_at, story.step, 0.0)
    months = np.array([s.month for s in starts], dtype=float)
    season = story.season * np.cos((months - 1) / 12.0 * 2 * np.pi)
    # Percentages near their ceiling (broadband, invoices paid) vary far less in practice
    spread = story.noise * (0.4 if metric.unit == "percent" and ref.mean() > 85 else 1.0)
    noise = rng.normal(0.0, spread, n)
    if metric.target is None or story.level is not None:
        values = ref * (shape + season + noise)
    else:
        # A metric with a target sits a little on its good side unless its story says otherwise
        bias = 0.0 if metric.id in STORIES else (0.03 if metric.higher_is_better else -0.03)
        values = ref * (shape + bias + season + noise)
    return values


def _tidy(metric: Metric, values: np.ndarray) -> np.ndarray:
    if metric.unit == "percent":
        values = np.clip(values, 0.0, 100.0)
    elif metric.unit != "GBP":
        values = np.clip(values, 0.0, None)
    if metric.unit == "count":
        return np.round(values)
    return np.round(values, metric.decimals)


def _metric_history(registry: Registry, metric: Metric, as_of: date) -> pd.DataFrame:
    starts = _periods(metric, as_of)
    ends = [period_bounds(metric.frequency, s)[1] for s in starts]
    county = _county_series(metric, starts)
    county_code = registry.plan.county.code
    rows: list[dict[str, object]] = []

    def add(
        area: str, values: np.ndarray, num: np.ndarray | None = None, den: np.ndarray | None = None
    ) -> None:
        for i, start in enumerate(starts):
            rows.append(
                {
                    "metric_id": metric.id,
                    "area_code": area,
                    "period_start": start,
                    "period_end": ends[i],
                    "value": float(values[i]),
                    "numerator": None if num is None else float(num[i]),
                    "denominator": None if den is None else float(den[i]),
                }
            )

    districts = [a.code for a in registry.areas_for(metric) if a.type == "district"]
    if not districts:
        add(county_code, _tidy(metric, county))
        return pd.DataFrame(rows)

    effects = {code: _rng(metric.id, code).normal(0.0, 0.06) for code in districts}
    if metric.aggregation == "sum":
        parts = {}
        for code in districts:
            wobble = _rng(metric.id, code, "n").normal(0.0, 0.05, len(starts))
            parts[code] = _tidy(
                metric, county * DISTRICT_WEIGHTS.get(code, 0.125) * (1 + effects[code] + wobble)
            )
            add(code, parts[code])
        add(county_code, _tidy(metric, np.sum(list(parts.values()), axis=0)))
    elif metric.aggregation in {"weighted", "mean"}:
        base = DENOMINATORS.get(metric.id, 10_000)
        scale = {"percent": 100.0, "rate per 10k": 10_000.0, "rate per 100k": 100_000.0}.get(
            metric.unit, 1.0
        )
        nums, dens = [], []
        for code in districts:
            wobble = _rng(metric.id, code, "n").normal(0.0, 0.04, len(starts))
            rate = _tidy(metric, county * (1 + effects[code] + wobble))
            den = np.round(np.full(len(starts), base * DISTRICT_WEIGHTS.get(code, 0.125)))
            num = np.round(rate * den / scale)
            rate = _tidy(metric, num / den * scale)
            nums.append(num)
            dens.append(den)
            add(code, rate, num, den)
        total_num, total_den = np.sum(nums, axis=0), np.sum(dens, axis=0)
        add(county_code, _tidy(metric, total_num / total_den * scale), total_num, total_den)
    else:
        for code in districts:
            wobble = _rng(metric.id, code, "n").normal(0.0, 0.04, len(starts))
            add(code, _tidy(metric, county * (1 + 2 * effects[code] + wobble)))
        add(county_code, _tidy(metric, county))
    return pd.DataFrame(rows)
