"""Which groups a measure can be compared with, each worked out once for pages and packs.

A committee chooses the group: the measure's own comparator group (nearest neighbours, say),
every other configured group (all county councils), and all English councils, each offered
only where the data has it, i.e. where it holds councils that an earlier choice does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.engine.benchmark import (
    Comparison,
    CouncilValues,
    council_values,
    latest_position,
    rank_members,
)
from metrics.registry.comparators import ENGLISH_COUNCILS, ComparatorGroup
from metrics.registry.loader import Registry
from metrics.registry.model import Metric


@dataclass(frozen=True)
class ComparisonChoice:
    """The groups a measure can be compared with (the measure's own first), and its median
    across all English councils where the data covers them."""

    comparisons: tuple[Comparison, ...]
    england: pd.DataFrame | None  # period_start, median, n; None when the data lacks it
    # Against every English council with data, offered or not (the national sentence's)
    national: Comparison | None = None

    @property
    def groups(self) -> list[ComparatorGroup]:
        """The groups offered, in order."""
        return [c.group for c in self.comparisons]

    def chosen(self, group_id: str | None) -> Comparison | None:
        """The comparison for `group_id`, or the first (the measure's own group)."""
        found = next((c for c in self.comparisons if c.group.id == group_id), None)
        return found or (self.comparisons[0] if self.comparisons else None)


def candidate_groups(registry: Registry, metric: Metric) -> list[ComparatorGroup]:
    """The measure's own group, then the other configured groups, then all English councils."""
    if metric.benchmark is None:
        return []
    own = registry.comparator_groups.get(metric.benchmark.group)
    others = [g for g in registry.comparator_groups.values() if g is not own]
    return [g for g in (own, *others, ENGLISH_COUNCILS) if g is not None]


def comparison_choice(
    registry: Registry,
    metric: Metric,
    observations: pd.DataFrame,
    *,
    latest_only: bool = False,
    except_chosen: str | None = None,
) -> ComparisonChoice:
    """Every group the data supports for this measure, and the England median where it has it.

    With `latest_only`, the same groups are offered but each comparison covers only the
    latest period the council has a figure for: all `latest_positions` reads (a committee's
    ranks), without ranking every period of every council's history. With `except_chosen`
    too, the group a reader chose (as `ComparisonChoice.chosen` picks it from that id) still
    covers every period: a drill-down draws that one over time, and of the others shows only
    their names and the national sentence (the latest period's).
    """
    own_code = registry.plan.organisation.area_code
    groups = candidate_groups(registry, metric)
    if not groups:
        return ComparisonChoice((), None, None)  # a measure without a benchmark
    # The measure's rows are picked out and their councils numbered once, then narrowed
    # for each group; which groups are offered depends on their councils alone
    values = council_values(observations, metric)
    offered: list[tuple[ComparatorGroup, CouncilValues]] = []
    offered_councils: list[frozenset[str]] = []
    national_members = None
    with_england_median = False
    for group in groups:
        members = values.members(group, own_code)
        if not members.comparable():
            continue
        councils = members.area_codes()
        if group is ENGLISH_COUNCILS:
            national_members = members
            # The England median, unless the measure's own group already holds every council
            with_england_median = not offered_councils or councils > offered_councils[0]
        if any(councils <= k for k in offered_councils):
            continue  # no council that an earlier choice lacks: the same comparison again
        offered.append((group, members))
        offered_councils.append(councils)
    ids = [group.id for group, _ in offered]
    whole = except_chosen if except_chosen in ids else (ids[0] if ids else None)

    def ranked(group: ComparatorGroup, members: CouncilValues) -> Comparison:
        latest = latest_only and not (except_chosen is not None and group.id == whole)
        return rank_members(
            members.at_latest_of(own_code) if latest else members, metric, group, own_code
        )

    comparisons = {group.id: ranked(group, members) for group, members in offered}
    england = national = None
    if national_members is not None:
        national = comparisons.get(ENGLISH_COUNCILS.id) or ranked(
            ENGLISH_COUNCILS, national_members
        )
        if with_england_median:
            england = national.by_period[["period_start", "median", "n"]]
    return ComparisonChoice(tuple(comparisons[i] for i in ids), england, national)


NOT_IN_GROUP = "No figures for this group"


def choices_by_metric(
    registry: Registry, observations: pd.DataFrame, *, latest_only: bool = False
) -> dict[str, ComparisonChoice]:
    """Each measure's comparison choice, for every measure of the registry in `observations`,
    in the order they first appear: the frame is split by measure once, not searched again
    for each measure (a committee's measures for every English council are millions of rows)."""
    if observations.empty:
        return {}
    return {
        str(metric_id): comparison_choice(
            registry, registry.metric(str(metric_id)), rows, latest_only=latest_only
        )
        for metric_id, rows in observations.groupby("metric_id", sort=False, observed=True)
        if registry.has_metric(str(metric_id))
    }


def latest_positions_in(
    registry: Registry, observations: pd.DataFrame, group_id: str | None
) -> dict[str, str]:
    """For each measure with comparison data, its place in the chosen group (its own group
    when `group_id` is None): '10th of 16 (third quartile)'."""
    return latest_positions(choices_by_metric(registry, observations), group_id)


def latest_positions(choices: dict[str, ComparisonChoice], group_id: str | None) -> dict[str, str]:
    """`latest_positions_in` from the measures' choices already made (`choices_by_metric`)."""
    positions = {}
    for metric_id, choice in choices.items():
        comparison = choice.chosen(group_id)
        if comparison is None:
            continue
        if group_id and comparison.group.id != group_id:
            positions[str(metric_id)] = NOT_IN_GROUP
            continue
        position = latest_position(comparison)
        if position is not None:
            positions[str(metric_id)] = position
    return positions
