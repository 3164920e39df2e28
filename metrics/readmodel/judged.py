"""The read model: every judgement about a set of measures, made once, for one audience.

Given the registry, the warehouse, the measures in scope, an as-at date and an audience, it
reads the figures as they stood at the end of that day and returns everything already judged:
status by area and period, the latest status of every measure and area (directions, SPC
reading, assurance, freshness), each series with its SPC points, changes of status, flags,
milestones, commentary and other councils' figures. For the public it applies the publication
rules of `metrics.readmodel.publication` inside, so nothing built on it can show a hidden figure.

Pages, packs and downloads only format what it returns: none of them works out a status, an
SPC reading or a suppression for itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics.engine.aggregation import with_derived_county
from metrics.engine.benchmark import (
    Comparison,
    comparison_for,
    national_words,
    national_words_for,
)
from metrics.engine.codes import rows_with
from metrics.engine.comparison_choice import (
    ComparisonChoice,
    candidate_groups,
    choices_by_metric,
    latest_positions,
)
from metrics.engine.milestones import with_status
from metrics.engine.series import Rebase, SeriesView, rebases_by_series, series_view
from metrics.engine.snapshot import build_snapshot
from metrics.engine.status import AMBER, GREEN, RED, status_table
from metrics.readmodel.publication import hidden_cells, publish_status, suppress_observations
from metrics.readmodel.suppression import threshold_for
from metrics.registry.comparators import ComparatorGroup
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from warehouse.at_once import at_once
from warehouse.commentary import comments_for
from warehouse.flags import ACTION_PLANNED, OPEN_STATUSES, read_flag_events, read_flags
from warehouse.milestones import read_milestones
from warehouse.observations import (
    BENCHMARK_COLUMNS,
    benchmark_figures,
    current_observations,
    periods_with_small_figures,
)
from warehouse.spc_rebases import read_rebases

Audience = Literal["public", "internal"]
AUDIENCES: tuple[Audience, ...] = ("public", "internal")
WEEK = timedelta(days=7)
# Measures read together when many are compared: each brings every English council's history
# with it (about 33,000 rows a measure at national scale), so a committee's 300 measures
# would otherwise be ten million rows in memory at once
MEASURES_PER_READ = 20
# A change of status is a move between these: to or from "no target" or "no data" is not one
JUDGED = (GREEN, AMBER, RED)
CHANGE_COLUMNS = ["metric_id", "area_code", "period_start", "from_rag", "to_rag"]


@dataclass(frozen=True)
class ReadModel:
    """Everything judged about the measures in scope, as it stood at the end of `day`.

    The figures are read once, when the model is made; each judgement (status, snapshot,
    flags, milestones, commentary) is worked out the first time it is read, so a page that
    needs one series does not pay for a whole pack.
    """

    registry: Registry = field(repr=False)
    engine: sa.Engine = field(repr=False)
    day: date
    audience: Audience
    county: str  # the council's own area code
    metrics: tuple[Metric, ...]  # the measures in scope that this audience may see
    observations: pd.DataFrame  # own areas, periods ended by `day`; `suppressed` column
    benchmarks: pd.DataFrame  # other councils' figures, by `day` (what comparisons read)
    milestone_filter: tuple[str, Collection[str]] | None = field(repr=False, default=None)
    _true: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    # SPC rebases in force at the end of `day`, by metric and area
    rebases: dict[tuple[str, str], tuple[Rebase, ...]] = field(repr=False, default_factory=dict)

    @cached_property
    def _hidden(self) -> pd.DataFrame:
        return hidden_cells(self.observations)

    def _published(self, rows: pd.DataFrame) -> pd.DataFrame:
        if self.public:
            return publish_status(self.registry, rows, self._hidden)
        return rows.assign(suppressed=False)

    @cached_property
    def status(self) -> pd.DataFrame:
        """One row per metric, area and period: status, directions, year to date."""
        return self._published(status_table(self.metrics, self._true, self.county))

    @cached_property
    def snapshot(self) -> pd.DataFrame:
        """One row per metric and area: where it stands now."""
        snapshot = build_snapshot(self.registry, self._true, self.day, self.rebases)
        ids = [m.id for m in self.metrics]
        return self._published(snapshot[snapshot["metric_id"].isin(ids)].reset_index(drop=True))

    @cached_property
    def milestones(self) -> pd.DataFrame:
        """The scope's milestones with their status on `day` (none for the public)."""
        chosen = None if self.public else self.milestone_filter
        return _milestones(self.registry, self.engine, self.day, chosen)

    @cached_property
    def flags(self) -> pd.DataFrame:
        """Flags raised by `day`, with the status they had then (none for the public)."""
        if self.public:
            return _no_flags(self.engine, self.day)
        subjects = [m.id for m in self.metrics] + [str(i) for i in self.milestones["id"]]
        return flags_as_at(self.engine, subjects, self.day)

    @cached_property
    def comments(self) -> dict[str, pd.DataFrame]:
        """Per measure, commentary written by `day`, newest first (none for the public)."""
        return {} if self.public else _comments(self.engine, [m.id for m in self.metrics], self.day)

    @property
    def public(self) -> bool:
        """Whether this is the published view (small numbers hidden, nothing internal)."""
        return self.audience == "public"

    @property
    def cutoff(self) -> datetime:
        """The first moment after the as-at day."""
        return end_of(self.day)

    def open_flags(self) -> pd.DataFrame:
        """Flags still open at the end of the day."""
        return self.flags[self.flags["status"].isin(OPEN_STATUSES)]

    def new_flags(self) -> pd.DataFrame:
        """Flags raised in the seven days up to and including the as-at day."""
        raised = pd.to_datetime(self.flags["raised_at"])
        return self.flags[raised >= pd.Timestamp(self.cutoff - WEEK)]

    def hidden(self, metric_id: str, area_code: str) -> set[date]:
        """The periods of one series whose figures are not published (empty internally)."""
        rows = self.observations
        suppressed = rows["suppressed"].to_numpy(dtype=bool)
        if not suppressed.any():
            return set()  # internally, or nothing small enough to hide
        mask = suppressed & rows_with(rows["metric_id"], metric_id)
        mask &= rows_with(rows["area_code"], area_code)
        return {pd.Timestamp(s).date() for s in rows.loc[mask, "period_start"]}

    def series(
        self,
        metric: Metric,
        area_code: str,
        start: date | None = None,
        end: date | None = None,
        *,
        whole: bool = False,
    ) -> SeriesView:
        """One series with its SPC points, judged on the true figures of the periods shown
        (from `start`, else the default window or, with `whole`, every period; to `end`).

        For the public, hidden figures read as missing, and a series with any hidden figure
        has no SPC (its mean and limits would give the hidden one back).
        """
        rows = self.observations if not self.public else self._true
        view = series_view(
            metric,
            rows,
            area_code,
            start,
            end,
            county=self.county,
            rebases=self.rebases,
            whole=whole,
        )
        if not self.public:
            return view
        hidden = self.hidden(metric.id, area_code)
        if not hidden:
            return view
        frame = view.frame.copy()
        mask = frame["period_start"].isin(hidden)
        for column in ("value", "numerator", "denominator"):
            if column in frame:
                frame[column] = frame[column].astype(float)
                frame.loc[mask, column] = np.nan
        frame = frame.drop(
            columns=[
                c
                for c in ("mean", "lpl", "upl", "special_cause", "point_type", "segment")
                if c in frame
            ]
        )
        return replace(view, frame=frame.assign(suppressed=mask), spc=None, segments=())

    @property
    def compared(self) -> pd.DataFrame:
        """Our figures as this audience may see them, beside other councils' figures: the
        columns a comparison reads (`BENCHMARK_COLUMNS`)."""
        ours = self.observations[list(BENCHMARK_COLUMNS)]
        return pd.concat([ours, self.benchmarks], ignore_index=True)

    def comparison(self, registry: Registry, metric: Metric) -> Comparison | None:
        """Where the council stands among its comparator group, on published figures."""
        return comparison_for(registry, metric, self.compared)

    def national(
        self, registry: Registry, metric: Metric, choice: ComparisonChoice | None = None
    ) -> str | None:
        """The national median and rank in words, where the data covers every council;
        from `choice` (the measure's `comparison_choice` on `compared`) when already made."""
        if choice is not None:
            return national_words_for(registry, metric, choice.national)
        return national_words(registry, metric, self.compared)

    def changes(self, area_code: str | None = None) -> pd.DataFrame:
        """Changes of status: each series whose latest judged status differs from the one
        before (both on target, within tolerance or off target); the council's own by default."""
        area_code = area_code or self.county
        return status_changes(self.status[self.status["area_code"] == area_code])


def end_of(day: date) -> datetime:
    """Midnight at the end of `day`: anything stamped before it had happened by then."""
    return datetime.combine(day + timedelta(days=1), time.min)


def status_changes(status: pd.DataFrame) -> pd.DataFrame:
    """For each series of a status table, a row if its last two figures differ in status.

    The one definition of a change of status, used by the portfolio page and the packs alike.
    """
    rows = []
    with_value = status[status["value"].notna()]
    for (metric_id, area_code), series in with_value.groupby(["metric_id", "area_code"]):
        rags = series.sort_values("period_start")["rag"].tolist()
        if len(rags) >= 2 and rags[-1] != rags[-2] and {rags[-2], rags[-1]} <= set(JUDGED):
            start = series.sort_values("period_start")["period_start"].iloc[-1]
            rows.append((metric_id, area_code, start, rags[-2], rags[-1]))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def read_model(
    registry: Registry,
    engine: sa.Engine,
    metric_ids: Sequence[str],
    day: date,
    audience: Audience,
    *,
    milestone_filter: tuple[str, Collection[str]] | None = None,
) -> ReadModel:
    """Read and judge these measures as they stood at the end of `day`, for `audience`.

    `milestone_filter` is a milestones column and the values that pick the scope's milestones
    (none are read without it, nor for the public).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience is 'public' or 'internal', not {audience!r}")
    public = audience == "public"
    metrics = tuple(
        registry.metric(i)
        for i in metric_ids
        if registry.has_metric(i) and (not public or registry.metric(i).visibility == "public")
    )
    ids = [m.id for m in metrics]
    county = registry.plan.county.code
    codes = sorted({a.code for m in metrics for a in registry.areas_for(m)})
    ended = pd.Timestamp(day)
    # Only a measure with a benchmark is ever compared: the others' are not read at all
    compared = [m.id for m in metrics if m.benchmark is not None]
    # Three reads that need nothing of each other, each on its own connection at once: the
    # database works on one while the others' rows are framed
    benchmarks = at_once(benchmark_figures, engine, compared) if compared else None
    rebases = at_once(read_rebases, engine, ids, in_force_at=end_of(day))
    # Our figures whole; other councils' only as far as a comparison reads them
    rows = _ended_by(current_observations(engine, ids), ended)
    true = rows[rows["area_code"].isin(codes)].reset_index(drop=True)
    others = (
        benchmarks.result()
        if benchmarks is not None
        else rows.iloc[0:0][list(BENCHMARK_COLUMNS)].reset_index(drop=True)
    )
    others = _ended_by(others, ended)
    # A county figure worked out from the districts, where none arrived, marked `derived`
    true = with_derived_county(registry, true)
    observations = (
        suppress_observations(registry, true) if public else true.assign(suppressed=False)
    )
    return ReadModel(
        registry=registry,
        engine=engine,
        day=day,
        audience=audience,
        county=county,
        metrics=metrics,
        observations=observations,
        benchmarks=others,
        milestone_filter=milestone_filter,
        _true=true,
        rebases=rebases_by_series(rebases.result()),
    )


def _ended_by(rows: pd.DataFrame, ended: pd.Timestamp) -> pd.DataFrame:
    """The rows of periods ended by `ended`, indexed afresh: the frame itself when every
    period has, as in nearly every read (not a copy of a national measure's rows)."""
    kept = (rows["period_end"] <= ended).to_numpy(dtype=bool)
    return rows if kept.all() else rows[kept].reset_index(drop=True)


def read_models(
    registry: Registry,
    engine: sa.Engine,
    metric_ids: Sequence[str],
    day: date,
    audience: Audience,
    *,
    per_read: int = MEASURES_PER_READ,
) -> Iterator[ReadModel]:
    """`read_model` for these measures a few at a time, each let go before the next is read."""
    # At least one read, so that no measures still give a model (and its empty frames)
    for first in range(0, max(len(metric_ids), 1), per_read):
        yield read_model(registry, engine, metric_ids[first : first + per_read], day, audience)


@dataclass(frozen=True)
class Standings:
    """Where the council stands for many measures, as each measure's drill-down judges it:
    the groups each can be compared with, and its place in each group."""

    groups: dict[str, list[ComparatorGroup]]  # by measure, in the order offered
    # By group id, then measure: '10th of 16 (third quartile)', or that the measure has no
    # figures for the group (`latest_positions`)
    places: dict[str, dict[str, str]]
    own: pd.DataFrame  # the council's own observations, as this audience may see them


def standings(
    registry: Registry,
    engine: sa.Engine,
    metric_ids: Sequence[str],
    day: date,
    audience: Audience,
    *,
    per_read: int = MEASURES_PER_READ,
) -> Standings:
    """`Standings` for these measures, read a few at a time (`read_models`): only the places
    are kept, never every council's figures for every measure at once."""
    group_ids = list(
        dict.fromkeys(
            g.id
            for i in metric_ids
            if registry.has_metric(i)
            for g in candidate_groups(registry, registry.metric(i))
        )
    )
    groups: dict[str, list[ComparatorGroup]] = {}
    places: dict[str, dict[str, str]] = {g: {} for g in group_ids}
    own = []
    for model in read_models(registry, engine, metric_ids, day, audience, per_read=per_read):
        # The groups each drill-down offers, each ranked only for the latest period the
        # council has a figure for: all a place is read from
        choices = choices_by_metric(registry, model.compared, latest_only=True)
        groups.update({m: c.groups for m, c in choices.items()})
        for group_id in group_ids:
            places[group_id].update(latest_positions(choices, group_id))
        own.append(model.observations[model.observations["area_code"] == model.county])
    return Standings(groups, places, pd.concat(own, ignore_index=True))


def published_snapshot(
    registry: Registry, engine: sa.Engine, snapshot: pd.DataFrame
) -> pd.DataFrame:
    """Stored snapshot rows as the public may see them (the pages' fast path for "now").

    Whether a row reveals a hidden figure depends on its neighbours (the other districts, the
    period before, the rest of the year, the whole series), but a figure can be hidden only in
    a period where some figure or numerator is small, so only those periods are read, with
    every area: the same hidden cells as reading everything, at a fraction of the cost.
    """
    ids = sorted({str(m) for m in snapshot["metric_id"]}) if not snapshot.empty else []
    known = [i for i in ids if registry.has_metric(i)]
    if not known:
        return snapshot.assign(suppressed=False)
    default = int(registry.settings["suppress_below"])
    below = max(threshold_for(registry.metric(i), default) for i in known)
    observed = periods_with_small_figures(engine, known, below)
    if observed.empty:
        return snapshot.assign(suppressed=False)
    hidden = hidden_cells(suppress_observations(registry, observed))
    return publish_status(registry, snapshot, hidden)


def _milestones(
    registry: Registry,
    engine: sa.Engine,
    day: date,
    chosen: tuple[str, Collection[str]] | None,
) -> pd.DataFrame:
    stored = read_milestones(engine)
    if chosen is None:
        stored = stored.iloc[0:0]
    else:
        column, values = chosen
        stored = stored[stored[column].isin(list(values))]
    return with_status(
        stored.reset_index(drop=True), day, int(registry.settings["milestone_at_risk_days"])
    )


def _comments(engine: sa.Engine, ids: Sequence[str], day: date) -> dict[str, pd.DataFrame]:
    cutoff = pd.Timestamp(end_of(day))
    out = {}
    for metric_id in ids:
        found = comments_for(engine, metric_id)
        out[metric_id] = found[pd.to_datetime(found["created_at"]) < cutoff]
    return out


def _no_flags(engine: sa.Engine, day: date) -> pd.DataFrame:
    """An empty flags frame with every column, for the public."""
    return flags_as_at(engine, [], day).iloc[0:0]


def flags_as_at(engine: sa.Engine, subject_ids: list[str], day: date) -> pd.DataFrame:
    """Flags about these subjects raised by the end of `day`, each with the status it had then.

    The status is replayed from the audit trail; an action planned later is not shown, and
    a due date is overdue when it is before `day`.
    """
    cutoff = pd.Timestamp(end_of(day))
    flags = read_flags(engine, subject_ids=subject_ids, today=day)
    flags = flags[pd.to_datetime(flags["raised_at"]) < cutoff].reset_index(drop=True)
    if flags.empty:
        return flags.assign(action_overdue=pd.Series(dtype=bool), is_open=pd.Series(dtype=bool))
    events = read_flag_events(engine)
    events = events[
        events["flag_id"].isin(flags["id"]) & (pd.to_datetime(events["event_at"]) < cutoff)
    ]
    then = events.groupby("flag_id")["to_status"].last()
    flags["status"] = [then.get(i, s) for i, s in zip(flags["id"], flags["status"], strict=True)]
    planned = flags["status"] == ACTION_PLANNED
    flags.loc[~planned & (flags["status"].isin(OPEN_STATUSES)), ["action", "due_date"]] = None
    cleared = pd.to_datetime(flags["condition_cleared_at"])
    flags.loc[cleared.notna() & (cleared >= cutoff), "condition_cleared_at"] = None
    due = pd.to_datetime(flags["due_date"])
    flags["action_overdue"] = planned & due.notna() & (due < pd.Timestamp(day))
    flags["is_open"] = flags["status"].isin(OPEN_STATUSES)
    return flags
