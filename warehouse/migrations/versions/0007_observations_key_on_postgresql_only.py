"""The index on observations' key is PostgreSQL's only: DuckDB plans no query with an index of
several columns (every read of observations scans by its blocks' ranges), yet keeping one up to
date on every load about doubled the cost of committing it.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_observations_key"


def upgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.drop_index(INDEX, table_name="observations", if_exists=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.create_index(INDEX, "observations", ["metric_id", "area_code", "period_start"])
