"""The scorecard a pack opens with: one line per measure, on one page.

Each line is read from the measure's section (its key facts), which the read model judged:
the latest figure, the target, the status, the SPC reading and the direction of travel. Nothing
is worked out again here, so the scorecard and the sections can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.sections import MeasureSection

# The facts of a section (reports.sections._facts) that the scorecard shows, by label
LATEST, TARGET, STATUS, TREND, SPC = (
    "Latest figure",
    "Target",
    "Status",
    "Since the previous period",
    "SPC reading",
)


@dataclass(frozen=True)
class ScoreRow:
    """One measure on the scorecard, in words."""

    name: str
    anchor: str  # the id of the measure's section, for a link
    latest: str  # "19.1% (Oct 2026)", "[c] (Oct 2026)" or "No data"
    target: str
    rag: str  # the status key (green, amber, red, no_target, no_data, suppressed)
    status: str
    spc: str
    trend_symbol: str
    trend: str


def scorecard(sections: Sequence[MeasureSection]) -> list[ScoreRow]:
    """The scorecard's lines: off target first, then within tolerance, then the rest, each
    group in the pack's order."""
    order = {"red": 0, "amber": 1, "green": 2}
    rows = []
    for section in sorted(sections, key=lambda s: order.get(s.rag, 3)):
        facts = {f.label: f for f in section.facts}
        rows.append(
            ScoreRow(
                name=section.metric.name,
                anchor=section.anchor,
                latest=facts[LATEST].value,
                target=facts[TARGET].value,
                rag=section.rag,
                status=facts[STATUS].value,
                spc=facts[SPC].value,
                trend_symbol=facts[TREND].symbol,
                trend=facts[TREND].value,
            )
        )
    return rows
