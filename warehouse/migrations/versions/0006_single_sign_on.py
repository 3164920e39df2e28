"""Single sign-on: an account's provider identity, and how each sign-in was made.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("users", sa.Column("external_id", sa.Text(), nullable=True)),
    ("sign_in_events", sa.Column("method", sa.String(length=20), nullable=True)),
)


def upgrade() -> None:
    # A warehouse made before migrations has had every newer nullable column added already
    inspector = sa.inspect(op.get_bind())
    for table, column in COLUMNS:
        present = {c["name"] for c in inspector.get_columns(table)}
        if column.name not in present:
            op.add_column(table, column)


def downgrade() -> None:
    for table, column in COLUMNS:
        op.drop_column(table, column.name)
