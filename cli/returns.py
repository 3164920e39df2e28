"""`pmf returns`: enter, upload, sign off, restate and publish data returns, and read their
audit trail.

Each change is made as the named account (`--by`) and checked as the dashboard's forms check
it: only the owner enters a figure, only the approver signs it off, and only the performance
team restates a locked figure or publishes commentary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from cli.acting import account, day, officer, refused
from cli.context import Context, pass_context
from cli.errors import fail, warehouse_errors
from cycle.closing import publish_commentary, restate
from cycle.entry import Figures, ReturnKey, ReturnRefused, parse_key, save_return
from cycle.opening import CycleProblem
from cycle.signoff import approve_return, send_back
from cycle.trail import MOST_EVENTS, TrailFilters, audit_trail
from cycle.workbook import read_upload, write_template
from metrics.cells import safe_csv
from metrics.engine.period_codes import parse_period_code
from metrics.engine.periods import period_label
from metrics.registry.loader import Registry
from metrics.words import plural

F = TypeVar("F", bound=Callable[..., Any])


@click.group("returns")
def returns_group() -> None:
    """Enter and sign off data returns, by template or one at a time; read the audit trail."""


def _key(registry: Registry, metric_id: str, period: str, area: str | None) -> ReturnKey:
    try:
        return parse_key(registry, period, metric_id, area)
    except ReturnRefused as exc:
        refused(exc)


def _named(registry: Registry, key: ReturnKey) -> str:
    """'Calls resolved at first contact (Staffordshire) for Oct 2026'."""
    metric = registry.metric(key.metric_id)
    when = period_label(metric.frequency, parse_period_code(key.period).start)
    return f"{metric.name} ({registry.area_name(key.area_code)}) for {when}"


def _figures_options(command: F) -> F:
    """--value, --numerator and --denominator, as typed (the checks read them as a file's)."""
    for option in reversed(
        [
            click.option("--value", default=None, help="The figure, e.g. 85.5."),
            click.option("--numerator", default=None, help="For a percentage, rate or ratio."),
            click.option("--denominator", default=None, help="For a percentage, rate or ratio."),
        ]
    ):
        command = option(command)
    return command


area_option = click.option("--area", default=None, help="Area code (default: the county).")
by_option = click.option("--by", "username", required=True, help="Your PMF user name.")


@returns_group.command("template")
@click.option("--owner", required=True, help="The owner whose returns to put in it.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx"
)
@pass_context
def returns_template(ctx: Context, owner: str, out: Path) -> None:
    """Write an owner's returns still to enter, in every open cycle, as an Excel template."""
    registry = ctx.registry()
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        person = account(engine, owner)
        try:
            count = write_template(registry, engine, str(person.username), out)
        except CycleProblem as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"Could not write {out}: {exc.strerror or exc}.")
    click.echo(
        f"Wrote {plural(count, 'return')} of {person.username} to {out}. Fill in the yellow "
        "columns (Value, and Commentary where a figure is off target), then: "
        f"pmf returns upload {out} --by {person.username}"
    )


@returns_group.command("upload")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@by_option
@click.option("--draft", is_flag=True, help="Save the figures as drafts instead of submitting.")
@pass_context
def returns_upload(ctx: Context, file: Path, username: str, draft: bool) -> None:
    """Check every row of a filled-in template, then save them all (or none)."""
    if not file.is_file():
        fail(f"There is no file {file}.")
    registry = ctx.registry()
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = account(engine, username)
        try:
            result = read_upload(registry, engine, file, by=viewer, submit=not draft)
        except ReturnRefused as exc:
            refused(exc)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        fail(result.summary())
    click.echo(result.summary())


@returns_group.command("submit")
@click.argument("metric_id", metavar="METRIC")
@click.argument("period")
@area_option
@_figures_options
@click.option("--commentary", default="", help="Why the figure is what it is.")
@click.option("--draft", is_flag=True, help="Save as a draft instead of submitting.")
@by_option
@pass_context
def returns_submit(
    ctx: Context,
    metric_id: str,
    period: str,
    area: str | None,
    value: str | None,
    numerator: str | None,
    denominator: str | None,
    commentary: str,
    draft: bool,
    username: str,
) -> None:
    """Enter the figure for a return you own and submit it for sign-off (or save a draft)."""
    registry = ctx.registry()
    key = _key(registry, metric_id, period, area)
    figures = Figures(value, numerator, denominator, commentary)
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = account(engine, username)
        try:
            row = save_return(registry, engine, key, figures, by=viewer, submit=not draft)
        except ReturnRefused as exc:
            refused(exc)
    done = "Saved as a draft" if draft else f"Submitted for sign-off by {row['approver']}"
    click.echo(f"{done}: {_named(registry, key)}.")


@returns_group.command("approve")
@click.argument("metric_id", metavar="METRIC")
@click.argument("period")
@area_option
@by_option
@pass_context
def returns_approve(
    ctx: Context, metric_id: str, period: str, area: str | None, username: str
) -> None:
    """Sign off a submitted return: its figure is loaded and the measures evaluated again."""
    registry = ctx.registry()
    key = _key(registry, metric_id, period, area)
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = account(engine, username)
        try:
            result = approve_return(registry, engine, key, by=viewer)
        except ReturnRefused as exc:
            refused(exc)
    click.echo(
        f"Approved {_named(registry, key)}: loaded as run {result.run_id}, and the measures "
        "were evaluated again."
    )


@returns_group.command("send-back")
@click.argument("metric_id", metavar="METRIC")
@click.argument("period")
@area_option
@click.option("--note", required=True, help="What the owner should change.")
@by_option
@pass_context
def returns_send_back(
    ctx: Context, metric_id: str, period: str, area: str | None, note: str, username: str
) -> None:
    """Send a submitted return back to its owner with a note saying what to change."""
    registry = ctx.registry()
    key = _key(registry, metric_id, period, area)
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = account(engine, username)
        try:
            send_back(registry, engine, key, note, by=viewer)
        except ReturnRefused as exc:
            refused(exc)
    click.echo(f"Sent back to its owner with your note: {_named(registry, key)}.")


@returns_group.command("restate")
@click.argument("metric_id", metavar="METRIC")
@click.argument("period")
@area_option
@_figures_options
@click.option("--reason", required=True, help="Why; published in the revision history.")
@by_option
@pass_context
def returns_restate(
    ctx: Context,
    metric_id: str,
    period: str,
    area: str | None,
    value: str | None,
    numerator: str | None,
    denominator: str | None,
    reason: str,
    username: str,
) -> None:
    """Change the figure of a closed (locked) period, with a reason (the performance team)."""
    registry = ctx.registry()
    key = _key(registry, metric_id, period, area)
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = officer(engine, username, "restate a figure")
        try:
            result = restate(
                registry, engine, key, Figures(value, numerator, denominator), reason, by=viewer
            )
        except ReturnRefused as exc:
            refused(exc)
    click.echo(
        f"Restated {_named(registry, key)}: loaded as run {result.run_id}; the earlier figure "
        "stays in the revision history."
    )


@returns_group.command("publish")
@click.argument("metric_id", metavar="METRIC")
@click.argument("period")
@area_option
@by_option
@pass_context
def returns_publish(
    ctx: Context, metric_id: str, period: str, area: str | None, username: str
) -> None:
    """Publish a return's approved commentary to the public (the performance team)."""
    registry = ctx.registry()
    key = _key(registry, metric_id, period, area)
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = officer(engine, username, "publish commentary")
        try:
            publish_commentary(registry, engine, key, by=viewer)
        except ReturnRefused as exc:
            refused(exc)
    click.echo(f"Published the commentary on {_named(registry, key)}.")


@returns_group.command("audit")
@click.option("--metric", "metric_id", default=None, help="Only this measure.")
@click.option("--by", "actor", default=None, help="Only what this person did.")
@click.option("--since", default=None, help="From this day, YYYY-MM-DD.")
@click.option("--until", default=None, help="To this day, YYYY-MM-DD (inclusive).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv"]),
    default="table",
    help="A readable list (default), or CSV.",
)
@pass_context
def returns_audit(
    ctx: Context,
    metric_id: str | None,
    actor: str | None,
    since: str | None,
    until: str | None,
    output: str,
) -> None:
    """The reporting cycle's audit trail, newest first: who did what to which return."""
    registry = ctx.registry()
    filters = TrailFilters(
        metric_id or "", actor or "", day(since, "--since"), day(until, "--until")
    )
    if metric_id is not None and not registry.has_metric(metric_id):
        fail(f"There is no measure '{metric_id}'; 'pmf metrics list' shows them.")
    with warehouse_errors(ctx.database_url):
        trail = audit_trail(registry, ctx.engine(), filters)
    if output == "csv":
        click.echo(safe_csv(trail), nl=False)
        return
    for row in trail.to_dict("records"):
        click.echo(_event_line({str(k): v for k, v in row.items()}))
    more = (
        " (the newest; narrow it with --metric, --by or --since)"
        if len(trail) >= MOST_EVENTS
        else ""
    )
    click.echo(f"{plural(len(trail), 'event')}{more}")


def _event_line(row: dict[str, object]) -> str:
    """One step: when, who, what, to which return, the change, the figure and the note."""
    subject = " ".join(str(row[k]) for k in ("measure", "period") if row[k])
    area = f" ({row['area']})" if row["area"] else ""
    details = "; ".join(str(row[k]) for k in ("change", "value", "note") if row[k])
    when = pd.Timestamp(str(row["event_at"]))
    return f"{when:%Y-%m-%d %H:%M}  {row['actor']}  {row['what']}: {subject}{area}" + (
        f": {details}" if details else ""
    )
