"""The schema as PMF created it before migrations: the baseline every warehouse starts from.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Integer keys come from sequences (DuckDB has no autoincrement); PostgreSQL uses them too
SEQUENCES = (
    "commentary_id_seq",
    "flag_events_id_seq",
    "flags_id_seq",
    "observations_id_seq",
    "pipeline_runs_id_seq",
    "rejected_rows_id_seq",
    "report_runs_id_seq",
    "sign_in_events_id_seq",
    "source_files_id_seq",
    "user_events_id_seq",
    "user_sessions_id_seq",
    "users_id_seq",
)


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table(
        "commentary",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=20), server_default="internal", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "flag_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=30), server_default="transition", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("condition_cleared_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_flags_subject", "flags", ["subject_type", "subject_id", "rule"], unique=False
    )
    op.create_table(
        "milestones",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=80), nullable=True),
        sa.Column("enabler", sa.String(length=80), nullable=True),
        sa.Column("portfolio", sa.String(length=80), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("forecast_date", sa.Date(), nullable=True),
        sa.Column("completed_date", sa.Date(), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "observations",
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
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_observations_key",
        "observations",
        ["metric_id", "area_code", "period_start"],
        unique=False,
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pipeline_id", sa.String(length=80), nullable=False),
        sa.Column("trigger", sa.String(length=40), server_default="manual", nullable=False),
        sa.Column("triggered_by", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("rows_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_loaded", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_superseded", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pipeline_id", sa.String(length=80), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("raw_record", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("rejected_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=True),
        sa.Column("trigger", sa.String(length=40), server_default="manual", nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sign_in_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_sign_in_events_user", "sign_in_events", ["username", "event_at"], unique=False
    )
    op.create_table(
        "source_files",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pipeline_id", sa.String(length=80), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "status_snapshot",
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("target", sa.Double(), nullable=True),
        sa.Column("rag", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("direction_year", sa.String(length=20), nullable=True),
        sa.Column("ytd_value", sa.Double(), nullable=True),
        sa.Column("variation", sa.String(length=40), nullable=True),
        sa.Column("assurance", sa.String(length=40), nullable=True),
        sa.Column("freshness", sa.String(length=20), nullable=True),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("open_flags", sa.Integer(), server_default="0", nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("derived", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("metric_id", "area_code"),
    )
    op.create_table(
        "user_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_sessions_hash", "user_sessions", ["session_hash"], unique=False)
    op.create_index("ix_user_sessions_user", "user_sessions", ["username"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(length=40), server_default="local", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    raise NotImplementedError("the baseline cannot be undone: restore a backup instead")
