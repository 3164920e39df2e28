"""`pmf demo`: load the demo history through the real pipelines, and the demo accounts."""

from __future__ import annotations

from datetime import date, datetime

import click

from cli.context import Context, pass_context


@click.command()
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Pretend today is this date."
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the warehouse already has data.")
@pass_context
def demo(ctx: Context, as_of: datetime | None, if_empty: bool) -> None:
    """Load a deterministic, realistic demo history (7 years, county and districts)."""
    from demo.cycle import DEMO_PEOPLE, ensure_demo_people
    from demo.load import load_demo

    registry = ctx.registry()
    engine = ctx.engine()
    passwords = ensure_demo_people(engine)
    summary = load_demo(
        registry, engine, (as_of.date() if as_of else date.today()), if_empty=if_empty
    )
    click.echo(summary)
    if passwords:
        click.echo("Demo sign-ins (shown once; 'pmf users add' makes real accounts):")
        for username, password in passwords.items():
            click.echo(f"  {DEMO_PEOPLE[username][0]}: user '{username}', password '{password}'")
