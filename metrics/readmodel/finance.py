"""The read model of savings, the MTFS and the risk register: every judgement, for one audience.

Pages, packs, the CLI and downloads format what this returns and judge nothing themselves.
Savings and risks are internal unless marked `public: true`; for the public audience this
keeps only those, drops the MTFS view and the stress tests (worked out from every proposal),
and words a reason that names an unpublished risk without naming it. A status is never changed
for the public: it is judged once, from everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from metrics.engine.milestones import milestones_with_status
from metrics.engine.mtfs import mtfs_by_year, savings_by_group
from metrics.engine.risks import judge_risks
from metrics.engine.savings import RISK, Reason, current_year, judge_savings, savings_by_year
from metrics.readmodel.judged import Audience
from metrics.registry.loader import Registry
from warehouse.savings import current_delivery, delivery_history

HIDDEN_RISK = "A risk on the council's internal register threatens it."


@dataclass(frozen=True)
class FinanceView:
    """Savings, the MTFS and risks as judged on one day, for one audience."""

    today: date
    year: str
    audience: Audience
    savings: pd.DataFrame  # metrics.engine.savings.SAVING_COLUMNS
    by_year: pd.DataFrame  # metrics.engine.savings.BY_YEAR_COLUMNS
    mtfs: pd.DataFrame  # metrics.engine.mtfs.MTFS_COLUMNS (empty for the public)
    risks: pd.DataFrame  # metrics.engine.risks.RISK_COLUMNS
    milestones: pd.DataFrame  # the tracker with statuses

    def proposal(self, proposal_id: str) -> dict[str, Any] | None:
        """One judged proposal as a mapping, or None when it is unknown or not published."""
        rows = self.savings[self.savings["proposal_id"] == proposal_id]
        return {str(k): v for k, v in rows.iloc[0].items()} if len(rows) else None

    def risks_for(
        self, *, metric_id: str | None = None, portfolio: str | None = None
    ) -> pd.DataFrame:
        """Risks that threaten one measure, or that sit in one portfolio, highest score first."""
        return risks_for(self.risks, metric_id=metric_id, portfolio=portfolio)

    def by_group(self, group: str) -> pd.DataFrame:
        """This year's savings by 'directorate' or 'portfolio', with both stress tests."""
        return savings_by_group(self.by_year, self.savings, group, self.today)

    def mtfs_for(
        self, *, directorate: str | None = None, portfolio: str | None = None
    ) -> pd.DataFrame:
        """The MTFS table for the council, or the savings by year of one directorate or portfolio
        (without the council's gap)."""
        if directorate is None and portfolio is None:
            return self.mtfs
        rows = self.by_year
        if directorate is not None:
            rows = rows[rows["directorate"] == directorate]
        if portfolio is not None:
            rows = rows[rows["portfolio"] == portfolio]
        return mtfs_by_year(None, rows.reset_index(drop=True), self.today)


def finance_view(
    registry: Registry, engine: sa.Engine, *, today: date, audience: Audience = "internal"
) -> FinanceView:
    """Judge every proposal and risk as at `today` and publish them to `audience`."""
    finance = registry.finance
    delivery = current_delivery(engine)
    milestones = milestones_with_status(registry, engine, today)
    risks = judge_risks(finance, today)
    savings = judge_savings(finance, delivery, milestones, risks, today)
    by_year = savings_by_year(finance, delivery, savings, today)
    mtfs = mtfs_by_year(finance.mtfs, by_year, today)
    view = FinanceView(
        today, current_year(today), "internal", savings, by_year, mtfs, risks, milestones
    )
    return view if audience == "internal" else published(view)


def risks_for(
    risks: pd.DataFrame, *, metric_id: str | None = None, portfolio: str | None = None
) -> pd.DataFrame:
    """Of judged risks, those that threaten one measure, or that sit in one portfolio."""
    if metric_id is not None:
        risks = risks[[metric_id in m for m in risks["measures"]]]
    if portfolio is not None:
        risks = risks[risks["portfolio"] == portfolio]
    return risks.reset_index(drop=True)


def risk_register(registry: Registry, *, today: date, audience: Audience) -> pd.DataFrame:
    """The judged risk register for one audience. Risks are configuration, so this reads nothing
    from the warehouse: a page that shows only risks need not judge every saving."""
    risks = judge_risks(registry.finance, today)
    if audience == "internal":
        return risks
    shown = {p.id for p in registry.finance.proposals if p.public}
    return _published_risks(risks, shown)


def _published_risks(risks: pd.DataFrame, shown_savings: set[str]) -> pd.DataFrame:
    """Public risks only, naming only the public savings they threaten."""
    risks = risks[risks["public"].astype(bool)].reset_index(drop=True)
    kept = [tuple(s for s in ss if s in shown_savings) for ss in risks["savings"]]
    return risks.assign(savings=pd.Series(kept, index=risks.index, dtype=object))


def published(view: FinanceView) -> FinanceView:
    """What the public may see of a view: public savings and risks only, no MTFS."""
    savings = view.savings[view.savings["public"].astype(bool)].reset_index(drop=True)
    shown_savings = set(savings["proposal_id"])
    risks = _published_risks(view.risks, shown_savings)
    shown_risks = set(risks["risk_id"])

    def words(reasons: tuple[Reason, ...]) -> tuple[Reason, ...]:
        return tuple(
            Reason(RISK, HIDDEN_RISK) if r.code == RISK and r.ref not in shown_risks else r
            for r in reasons
        )

    savings = savings.assign(
        reasons=pd.Series([words(r) for r in savings["reasons"]], index=savings.index, dtype=object)
    )
    by_year = view.by_year[view.by_year["proposal_id"].isin(shown_savings)].reset_index(drop=True)
    return replace(
        view,
        audience="public",
        savings=savings,
        by_year=by_year,
        mtfs=view.mtfs.iloc[0:0],
        risks=risks,
    )


def proposal_history(engine: sa.Engine, proposal_id: str) -> pd.DataFrame:
    """Every month's forecast and delivery for one proposal, for its trend chart and table."""
    return delivery_history(engine, proposal_id)
