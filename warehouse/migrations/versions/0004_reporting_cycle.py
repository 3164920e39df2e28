"""The reporting cycle: cycles, data returns, their audit trail, emails sent, and people's
email addresses, portfolios and weekly-pack choice.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

USER_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("email", sa.Text(), nullable=True),
    sa.Column("portfolio", sa.String(length=80), nullable=True),
    sa.Column("weekly_pack", sa.Boolean(), nullable=True),
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=False, nullable=False)


def upgrade() -> None:
    # A warehouse made before migrations has had every newer nullable column added already
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}
    for column in USER_COLUMNS:
        if column.name not in present:
            op.add_column("users", column._copy())
    for table in ("return_cycles", "data_returns", "return_events", "notifications"):
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{table}_id_seq")))
    op.create_table(
        "return_cycles",
        _id(),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_return_cycles_period", "return_cycles", ["period"], unique=False)
    op.create_table(
        "data_returns",
        _id(),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("approver", sa.String(length=80), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("numerator", sa.Double(), nullable=True),
        sa.Column("denominator", sa.Double(), nullable=True),
        sa.Column("commentary", sa.Text(), nullable=True),
        sa.Column("commentary_state", sa.String(length=20), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_data_returns_key", "data_returns", ["period", "metric_id", "area_code"], unique=False
    )
    op.create_index("ix_data_returns_owner", "data_returns", ["owner"], unique=False)
    op.create_table(
        "return_events",
        _id(),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("metric_id", sa.String(length=80), nullable=True),
        sa.Column("area_code", sa.String(length=16), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_return_events_at", "return_events", ["event_at"], unique=False)
    op.create_index("ix_return_events_metric", "return_events", ["metric_id"], unique=False)
    op.create_table(
        "notifications",
        _id(),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notifications_key", "notifications", ["key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notifications_key", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_return_events_metric", table_name="return_events")
    op.drop_index("ix_return_events_at", table_name="return_events")
    op.drop_table("return_events")
    op.drop_index("ix_data_returns_owner", table_name="data_returns")
    op.drop_index("ix_data_returns_key", table_name="data_returns")
    op.drop_table("data_returns")
    op.drop_index("ix_return_cycles_period", table_name="return_cycles")
    op.drop_table("return_cycles")
    for table in ("return_cycles", "data_returns", "return_events", "notifications"):
        op.execute(sa.schema.DropSequence(sa.Sequence(f"{table}_id_seq")))
    for column in reversed(USER_COLUMNS):
        op.drop_column("users", column.name)
