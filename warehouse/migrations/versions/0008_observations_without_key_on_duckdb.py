"""Observations keep no primary key on DuckDB: every id comes from the table's sequence, so is
unique already, and DuckDB looks a row up by its key only when a query names one id, which
none does. Yet keeping its index up to date was a third of the cost of storing a load, and more
the fuller the table: a load of a million rows into ten million paid more a row than into none.

DuckDB cannot drop a key, so the table is rebuilt without it, every row and id kept. PostgreSQL
keeps its key.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REBUILT = "observations_rebuilt"


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("numerator", sa.Double(), nullable=True),
        sa.Column("denominator", sa.Double(), nullable=True),
        sa.Column("is_benchmark", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
    ]


def _rebuild(*, key: bool) -> None:
    """Copy observations into a table like it, with or without its key, in its place."""
    columns = _columns()
    names = ", ".join(c.name for c in columns)
    op.create_table(REBUILT, *columns, *([sa.PrimaryKeyConstraint("id")] if key else []))
    # In the order they were stored, which is the order they were loaded
    op.execute(f"INSERT INTO {REBUILT} ({names}) SELECT {names} FROM observations")
    op.drop_table("observations")
    op.rename_table(REBUILT, "observations")


def upgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        _rebuild(key=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        _rebuild(key=True)
