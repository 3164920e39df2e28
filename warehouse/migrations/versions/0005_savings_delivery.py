"""Savings delivery: the finance team's monthly returns on each savings proposal, with history.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("savings_delivery_id_seq")))
    op.create_table(
        "savings_delivery",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("proposal_id", sa.String(length=40), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("forecast", sa.Double(), nullable=False),
        sa.Column("delivered", sa.Double(), nullable=False),
        sa.Column("commentary", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_savings_delivery_key",
        "savings_delivery",
        ["proposal_id", "financial_year", "as_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_savings_delivery_key", table_name="savings_delivery")
    op.drop_table("savings_delivery")
    op.execute(sa.schema.DropSequence(sa.Sequence("savings_delivery_id_seq")))
