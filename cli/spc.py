"""`pmf spc`: recalculate a measure's SPC limits from a period (a rebase), list and withdraw them.

Each change is made as a named account of the performance team (`--by`), checked against its
role as the dashboard's form is, and recorded with who and why; the whole registry is then
evaluated again so pages, flags and packs read the new limits.
"""

from __future__ import annotations

from datetime import date

import click
import pandas as pd

from access.roles import AccessDenied
from access.users import LocalPasswordProvider
from access.writes import GuardedWrites, guarded
from cli.context import Context, pass_context
from cli.errors import fail, warehouse_errors
from metrics.engine.periods import period_label
from metrics.rebases import RebaseNotFound, RebaseProblem, series_periods
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from metrics.writes import Writes
from warehouse.spc_rebases import read_rebases


@click.group("spc")
def spc_group() -> None:
    """Recalculate SPC limits from a period (rebase), list rebases and withdraw them."""


def _writes_as(ctx: Context, registry: Registry, username: str) -> GuardedWrites:
    engine = ctx.engine()
    viewer = LocalPasswordProvider(engine).load(username.strip().lower())
    if viewer is None:
        fail(
            f"There is no enabled account '{username}'. Give the user name of someone in the "
            "performance team ('pmf users list' shows them)."
        )
    return guarded(Writes(registry=registry, engine=engine), viewer)


def _period(ctx: Context, metric: Metric, area: str, text: str) -> date:
    """A period from its first day (YYYY-MM-DD) or its label ('Sep 2023', 'Q2 2023-24')."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    periods = series_periods(ctx.engine(), metric.id, area)
    labels = {period_label(metric.frequency, p).lower(): p for p in periods}
    found = labels.get(text.strip().lower())
    if found is None:
        examples = ", ".join(period_label(metric.frequency, p) for p in periods[-3:])
        fail(
            f"'{text}' is not a period of {metric.id}: give its first day (YYYY-MM-DD) or its "
            f"name as the dashboard shows it{f', e.g. {examples}' if examples else ''}."
        )
    return found


@spc_group.command("rebase")
@click.argument("metric_id")
@click.argument("period")
@click.option("--area", default=None, help="Area code (default: the county).")
@click.option("--reason", required=True, help="Why the process changed; shown on the chart.")
@click.option("--by", "username", required=True, help="User name of the officer recording it.")
@pass_context
def spc_rebase(
    ctx: Context, metric_id: str, period: str, area: str | None, reason: str, username: str
) -> None:
    """Work out METRIC's SPC limits afresh from PERIOD (its first day, or e.g. 'Sep 2023')."""
    registry = ctx.registry()
    if not registry.has_metric(metric_id):
        fail(f"There is no measure '{metric_id}'; 'pmf metrics list' shows them.")
    metric = registry.metric(metric_id)
    area_code = area or registry.plan.county.code
    with warehouse_errors(ctx.database_url):
        writes = _writes_as(ctx, registry, username)
        start = _period(ctx, metric, area_code, period)
        try:
            rebase_id = writes.record_rebase(
                metric_id=metric.id,
                area_code=area_code,
                period_start=start,
                reason=reason,
                recorded_by=username,
            )
        except (RebaseProblem, AccessDenied) as exc:
            fail(f"Not recorded: {exc}")
    click.echo(
        f"Rebase {rebase_id}: {metric.name} ({registry.area_name(area_code)}) has new SPC limits "
        f"from {period_label(metric.frequency, start)}, recorded by "
        f"{writes.viewer.display_name}. The measures were evaluated again."
    )


@spc_group.command("rebases")
@click.argument("metric_id", required=False)
@pass_context
def spc_rebases(ctx: Context, metric_id: str | None) -> None:
    """List rebases (of METRIC, or every measure), withdrawn ones marked."""
    registry = ctx.registry()
    with warehouse_errors(ctx.database_url):
        frame = read_rebases(
            ctx.engine(), [metric_id] if metric_id else None, include_withdrawn=True
        )
    for row in frame.to_dict("records"):
        metric_key = str(row["metric_id"])
        known = registry.has_metric(metric_key)
        label = (
            period_label(registry.metric(metric_key).frequency, row["period_start"])
            if known
            else str(row["period_start"])
        )
        state = (
            f"withdrawn by {row['withdrawn_by']} on {pd.Timestamp(row['withdrawn_at']):%d %b %Y}"
            if row["withdrawn_by"] is not None and not pd.isna(row["withdrawn_by"])
            else "in force"
        )
        click.echo(
            f"{int(row['id']):>5}  {metric_key} ({registry.area_name(str(row['area_code']))}) "
            f"from {label}: {state}"
        )
        click.echo(
            f"       {row['reason']} (recorded by {row['recorded_by']} on "
            f"{pd.Timestamp(row['recorded_at']):%d %b %Y})"
        )
    click.echo(f"{len(frame)} rebase(s)")


@spc_group.command("withdraw")
@click.argument("rebase_id", type=int)
@click.option("--by", "username", required=True, help="User name of the officer withdrawing it.")
@pass_context
def spc_withdraw(ctx: Context, rebase_id: int, username: str) -> None:
    """Withdraw a rebase: the limits run on as before it; the record is kept."""
    registry = ctx.registry()
    with warehouse_errors(ctx.database_url):
        writes = _writes_as(ctx, registry, username)
        try:
            row = writes.withdraw_rebase(rebase_id, username)
        except (RebaseNotFound, RebaseProblem, AccessDenied) as exc:
            fail(f"Not withdrawn: {exc}")
    click.echo(
        f"Rebase {rebase_id} ({row['metric_id']} from {row['period_start']}) withdrawn by "
        f"{writes.viewer.display_name}. The measures were evaluated again."
    )
