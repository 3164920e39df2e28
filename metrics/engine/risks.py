"""The risk register judged: each risk's score on the 5x5 matrix, its rating and the appetite.

Judged here, once, for every page, pack and download:

- score = likelihood x impact (1 to 25), with the controls in place now;
- rating: low (1-4), medium (5-9), high (10-16) or very high (20-25);
- above appetite: the score is higher than the council's appetite for the risk's category
  (`appetite.categories` in config/risks.yaml, else `appetite.default`);
- review overdue: the review date has passed (a review due today is not yet overdue).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.registry.finance import Finance, Risk

LOW, MEDIUM, HIGH, VERY_HIGH = "low", "medium", "high", "very_high"
RATINGS = (VERY_HIGH, HIGH, MEDIUM, LOW)
# The lowest score of each rating, highest first
RATING_FLOORS = ((20, VERY_HIGH), (10, HIGH), (5, MEDIUM), (1, LOW))
RISK_COLUMNS = (
    "risk_id",
    "title",
    "category",
    "directorate",
    "portfolio",
    "owner",
    "likelihood",
    "impact",
    "score",
    "rating",
    "appetite",
    "above_appetite",
    "target_score",
    "last_reviewed",
    "review_date",
    "review_overdue",
    "days_overdue",
    "public",
    "measures",
    "milestones",
    "savings",
)


def rating(score: int) -> str:
    """The rating of a score on the 5x5 matrix."""
    for floor, name in RATING_FLOORS:
        if score >= floor:
            return name
    return LOW


def review_overdue(risk: Risk, today: date) -> bool:
    """Whether the risk's review date has passed."""
    return risk.review_date < today


def judge_risks(finance: Finance, today: date) -> pd.DataFrame:
    """One row per risk with its score, rating, appetite and review state (RISK_COLUMNS)."""
    register = finance.risk_register
    if register is None:
        return pd.DataFrame(columns=list(RISK_COLUMNS))
    savings: dict[str, list[str]] = {}
    for proposal in finance.proposals:
        for risk_id in proposal.risks:
            savings.setdefault(risk_id, []).append(proposal.id)
    rows = []
    for risk in register.risks:
        appetite = register.appetite.for_category(risk.category)
        overdue = review_overdue(risk, today)
        rows.append(
            {
                "risk_id": risk.id,
                "title": risk.title,
                "category": risk.category,
                "directorate": risk.directorate,
                "portfolio": risk.portfolio,
                "owner": risk.owner,
                "likelihood": risk.likelihood,
                "impact": risk.impact,
                "score": risk.score,
                "rating": rating(risk.score),
                "appetite": appetite,
                "above_appetite": risk.score > appetite,
                "target_score": (
                    risk.target.likelihood * risk.target.impact if risk.target else None
                ),
                "last_reviewed": risk.last_reviewed,
                "review_date": risk.review_date,
                "review_overdue": overdue,
                "days_overdue": (today - risk.review_date).days if overdue else 0,
                "public": risk.public,
                "measures": risk.threatens.measures,
                "milestones": risk.threatens.milestones,
                "savings": tuple(savings.get(risk.id, ())),
            }
        )
    frame = pd.DataFrame(rows, columns=list(RISK_COLUMNS))
    return frame.sort_values(["score", "risk_id"], ascending=[False, True], ignore_index=True)


def matrix_counts(risks: pd.DataFrame, appetite: int) -> pd.DataFrame:
    """How many risks sit in each cell of the 5x5 matrix (likelihood x impact), zeros included,
    with each cell's score and whether it is above `appetite`."""
    cells = pd.MultiIndex.from_product([range(1, 6), range(1, 6)], names=["likelihood", "impact"])
    counts = risks.groupby(["likelihood", "impact"]).size() if len(risks) else pd.Series()
    out = counts.reindex(cells, fill_value=0).rename("risks").reset_index()
    out["score"] = out["likelihood"] * out["impact"]
    out["above_appetite"] = out["score"] > appetite
    return out
