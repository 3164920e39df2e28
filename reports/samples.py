"""Sample packs for the docs (`make samples`): the demo history as at a fixed Monday, four weeks
of flag history, a few corrective actions and comments, and one portfolio's pack in every format.

Run as `python -m reports.samples [FOLDER]` (default docs/samples).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from demo.history import generate_history
from demo.milestones import demo_tracker
from demo.savings import demo_returns
from metrics.engine.derived import derived_values
from metrics.engine.evaluate import evaluate
from metrics.engine.periods import period_bounds
from metrics.flags.lifecycle import FlagChange, change_flag, list_flags
from metrics.registry.loader import Registry, load_registry
from reports.pack import build_pack
from reports.produce import FORMATS, draw_charts, file_name, render, write_file
from reports.scope import resolve_scope
from warehouse.commentary import add_comment
from warehouse.engine import duckdb_url, get_engine
from warehouse.milestones import upsert_milestones
from warehouse.observations import load_observations
from warehouse.savings import load_delivery
from warehouse.schema import create_tables

SAMPLE_AS_AT = date(2024, 11, 25)  # a Monday, when the weekly packs are written
SAMPLE_PORTFOLIO = "children-young-people"
SAMPLE_FOLDER = Path("docs") / "samples"
CONFIG = Path(__file__).resolve().parents[1] / "config"

# (metric, rule, owner, action, days from the as-at date to the due date)
SAMPLE_ACTIONS = (
    (
        "cs-social-worker-caseload",
        "off_target",
        "Assistant Director, Children's Social Care",
        "Move agency social workers into the two locality teams with the highest caseloads",
        -10,
    ),
    (
        "cs-social-worker-vacancy-rate",
        "off_target",
        "Director of Corporate Services (HR)",
        "Launch the social worker recruitment and retention offer",
        25,
    ),
    (
        "general-debt-outstanding",
        "off_target",
        "Head of Exchequer Services",
        "Weekly recovery sweeps on debts more than 90 days old",
        -5,
    ),
)
SAMPLE_COMMENTS = (
    (
        "cs-social-worker-caseload",
        "Assistant Director, Children's Social Care",
        "Caseloads rose again in October after two locality teams lost experienced staff. "
        "Agency cover starts in December; we expect the average to fall below 23 by March.",
    ),
    (
        "general-debt-outstanding",
        "Head of Exchequer Services",
        "Two disputed NHS invoices make up £1.1m of the total. Both are with the commissioning "
        "team for a decision this month.",
    ),
)


def _at(day: date, hour: int = 6) -> datetime:
    return datetime.combine(day, time(hour, 0))


def build_sample_warehouse(
    registry: Registry, engine: sa.Engine, as_at: date = SAMPLE_AS_AT
) -> None:
    """Load the demo history and give it a short past: flags raised four weeks before the
    as-at date, actions planned on some (two now overdue), comments, then this week's run.

    The demo's generated history and tracker are loaded directly, with explicit times,
    rather than through `load_demo`: its pipelines run the engine with the real clock, and
    flags stamped with today's date do not exist yet in a pack as at a past date.
    """
    create_tables(engine)
    earlier = as_at - timedelta(weeks=4)
    history = generate_history(registry, as_at)
    derived = derived_values(registry, history[~history["is_benchmark"].astype(bool)])
    derived = derived.assign(
        period_end=[
            period_bounds(registry.metric(m).frequency, pd.Timestamp(s).date())[1]
            for m, s in zip(derived["metric_id"], derived["period_start"], strict=True)
        ],
        numerator=None,
        denominator=None,
        is_benchmark=False,
    )
    with engine.begin() as conn:
        load_observations(conn, history, run_id=None, now=_at(earlier, 5))
        load_observations(conn, derived, run_id=None, now=_at(earlier, 5))
        load_delivery(conn, demo_returns(registry.finance, as_at), run_id=None, now=_at(earlier, 5))
        upsert_milestones(
            conn, demo_tracker(as_at), run_id=None, source_ref="demo", now=_at(earlier, 5)
        )
    evaluate(registry, engine, today=earlier, now=_at(earlier))
    flags = list_flags(registry, engine, open_only=True, today=as_at)
    for metric_id, rule, owner, action, due_in in SAMPLE_ACTIONS:
        found = flags[(flags["subject_id"] == metric_id) & (flags["rule"] == rule)]
        if found.empty:
            continue
        flag_id = int(found["id"].iloc[0])
        change_flag(
            engine, flag_id, FlagChange("acknowledged", owner), now=_at(earlier + timedelta(1), 9)
        )
        change_flag(
            engine,
            flag_id,
            FlagChange(
                "action_planned",
                owner,
                action=action,
                owner=owner,
                due_date=as_at + timedelta(days=due_in),
            ),
            now=_at(earlier + timedelta(3), 10),
        )
    for metric_id, author, body in SAMPLE_COMMENTS:
        add_comment(
            engine,
            metric_id=metric_id,
            author=author,
            body=body,
            now=_at(as_at - timedelta(days=5), 14),
        )
    evaluate(registry, engine, today=as_at, now=_at(as_at))


def write_samples(
    folder: Path, *, config_dir: Path = CONFIG, as_at: date = SAMPLE_AS_AT
) -> list[Path]:
    """Write the sample portfolio pack in every format into `folder`; return the paths."""
    registry = load_registry(config_dir)
    with tempfile.TemporaryDirectory(prefix="pmf-samples-") as scratch:
        url = duckdb_url(Path(scratch) / "sample.duckdb")
        engine = get_engine(url)
        try:
            build_sample_warehouse(registry, engine, as_at)
            scope = resolve_scope(registry, "portfolio", SAMPLE_PORTFOLIO)
            pack = build_pack(registry, engine, scope, as_at, produced_at=_at(as_at))
        finally:
            engine.dispose()
            get_engine.cache_clear()
    charts = draw_charts([pack])[0]
    paths = []
    for report_format in FORMATS:
        path = folder / file_name(pack, report_format)
        write_file(path, render(pack, report_format, charts).data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: write the samples and list them."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_samples(Path(args[0]) if args else SAMPLE_FOLDER):
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
