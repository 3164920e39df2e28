"""What every `pmf` command is handed: the config folder and the warehouse's URL."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import sqlalchemy as sa

    from metrics.registry.loader import Registry


@dataclass
class Context:
    """Options shared by every command."""

    config_dir: Path
    database_url: str

    def registry(self) -> Registry:
        """Load the registry, or exit 1 printing every problem."""
        # Imported here: a command handed to the running dashboard never needs them
        from metrics.registry.loader import load_registry
        from metrics.registry.yamlfile import ConfigError

        try:
            return load_registry(self.config_dir)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(
                f"{len(exc.problems)} problem(s); run 'pmf validate' after fixing them.", err=True
            )
            sys.exit(1)

    def engine(self) -> sa.Engine:
        """The warehouse, its tables created if they are missing."""
        from warehouse.engine import get_engine
        from warehouse.schema import create_tables

        engine = get_engine(self.database_url)
        create_tables(engine)
        return engine


pass_context = click.make_pass_decorator(Context)
