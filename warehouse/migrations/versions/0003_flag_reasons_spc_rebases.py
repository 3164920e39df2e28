"""One flag per subject with every reason that holds; SPC limits recalculated from a period on.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A warehouse made before migrations has had every newer nullable column added already
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("flags")}
    if "reasons" not in present:
        op.add_column("flags", sa.Column("reasons", sa.Text(), nullable=True))
    op.execute(sa.schema.CreateSequence(sa.Sequence("spc_rebases_id_seq")))
    op.create_table(
        "spc_rebases",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=120), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_spc_rebases_metric", "spc_rebases", ["metric_id", "area_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_spc_rebases_metric", table_name="spc_rebases")
    op.drop_table("spc_rebases")
    op.execute(sa.schema.DropSequence(sa.Sequence("spc_rebases_id_seq")))
    op.drop_column("flags", "reasons")
