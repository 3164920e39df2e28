"""Table definitions (SQLAlchemy Core). Portable: DuckDB by default, PostgreSQL by URL."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

metadata = sa.MetaData()


Kept = TypeVar("Kept", sa.Index, sa.PrimaryKeyConstraint)


def postgresql_only(item: Kept) -> Kept:
    """An index or key PostgreSQL keeps and DuckDB does not. DuckDB's planner never reads an
    index of several columns, and looks a row up by its key only when a query names one key:
    there either would only be kept up to date at every load, for nothing."""
    item.info["dialects"] = ("postgresql",)
    return item.ddl_if(dialect="postgresql")


def kept_on(index: sa.Index, dialect: str) -> bool:
    """Whether `dialect`'s databases have `index`."""
    return dialect in index.info.get("dialects", (dialect,))


def _id(name: str) -> sa.Column[int]:
    # DuckDB has no autoincrement: integer keys need an explicit sequence (PostgreSQL uses it too)
    return sa.Column("id", sa.Integer, sa.Sequence(f"{name}_id_seq"), primary_key=True)


observations = sa.Table(
    "observations",
    metadata,
    # Unique by its sequence. On DuckDB no key is kept: its index would cost a load of a
    # million rows more than half a second, and more as the table grows, for no query
    sa.Column("id", sa.Integer, sa.Sequence("observations_id_seq"), nullable=False),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("numerator", sa.Double, nullable=True),
    sa.Column("denominator", sa.Double, nullable=True),
    sa.Column("is_benchmark", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("source_ref", sa.Text, nullable=True),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("superseded_at", sa.DateTime, nullable=True),
    postgresql_only(sa.PrimaryKeyConstraint("id")),
    postgresql_only(sa.Index("ix_observations_key", "metric_id", "area_code", "period_start")),
)

pipeline_runs = sa.Table(
    "pipeline_runs",
    metadata,
    sa.Column("run_id", sa.Integer, sa.Sequence("pipeline_runs_id_seq"), primary_key=True),
    sa.Column("pipeline_id", sa.String(80), nullable=False),
    sa.Column("trigger", sa.String(40), nullable=False, server_default="manual"),
    sa.Column("triggered_by", sa.String(120), nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_loaded", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_superseded", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_ref", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)

source_files = sa.Table(
    "source_files",
    metadata,
    _id("source_files"),
    sa.Column("pipeline_id", sa.String(80), nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("seen_at", sa.DateTime, nullable=False),
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    _id("rejected_rows"),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("pipeline_id", sa.String(80), nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Column("row_number", sa.Integer, nullable=True),
    sa.Column("raw_record", sa.Text, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("rejected_at", sa.DateTime, nullable=False),
)

milestones = sa.Table(
    "milestones",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("programme", sa.Text, nullable=False),
    sa.Column("priority", sa.String(80), nullable=True),
    sa.Column("enabler", sa.String(80), nullable=True),
    sa.Column("portfolio", sa.String(80), nullable=True),
    sa.Column("owner", sa.Text, nullable=True),
    sa.Column("baseline_date", sa.Date, nullable=False),
    sa.Column("forecast_date", sa.Date, nullable=True),
    sa.Column("completed_date", sa.Date, nullable=True),
    sa.Column("status_note", sa.Text, nullable=True),
    sa.Column("source_ref", sa.Text, nullable=True),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

flags = sa.Table(
    "flags",
    metadata,
    _id("flags"),
    sa.Column("subject_type", sa.String(20), nullable=False),
    sa.Column("subject_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=True),
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("raised_at", sa.DateTime, nullable=False),
    sa.Column("condition_cleared_at", sa.DateTime, nullable=True),
    sa.Column("owner", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=True),
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("closed_at", sa.DateTime, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # Every reason that holds for the subject, as JSON: [{"rule": ..., "detail": ...}, ...]
    sa.Column("reasons", sa.Text, nullable=True),
    sa.Index("ix_flags_subject", "subject_type", "subject_id", "rule"),
)

flag_events = sa.Table(
    "flag_events",
    metadata,
    _id("flag_events"),
    sa.Column("flag_id", sa.Integer, nullable=False),
    sa.Column("event_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    # raised, transition, condition_cleared or condition_returned: status alone cannot say
    sa.Column("kind", sa.String(30), nullable=False, server_default="transition"),
)

commentary = sa.Table(
    "commentary",
    metadata,
    _id("commentary"),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=True),
    sa.Column("period_start", sa.Date, nullable=True),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("visibility", sa.String(20), nullable=False, server_default="internal"),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

status_snapshot = sa.Table(
    "status_snapshot",
    metadata,
    sa.Column("metric_id", sa.String(80), primary_key=True),
    sa.Column("area_code", sa.String(16), primary_key=True),
    sa.Column("period_start", sa.Date, nullable=True),
    sa.Column("period_end", sa.Date, nullable=True),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("target", sa.Double, nullable=True),
    sa.Column("rag", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(20), nullable=True),
    sa.Column("direction_year", sa.String(20), nullable=True),
    sa.Column("ytd_value", sa.Double, nullable=True),
    sa.Column("variation", sa.String(40), nullable=True),
    sa.Column("assurance", sa.String(40), nullable=True),
    sa.Column("freshness", sa.String(20), nullable=True),
    sa.Column("due_by", sa.Date, nullable=True),
    sa.Column("open_flags", sa.Integer, nullable=False, server_default="0"),
    sa.Column("computed_at", sa.DateTime, nullable=False),
    # True when the latest figure was worked out from the districts (metrics.engine.aggregation)
    sa.Column("derived", sa.Boolean, nullable=True),
)

report_runs = sa.Table(
    "report_runs",
    metadata,
    _id("report_runs"),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("target_id", sa.String(80), nullable=False),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("as_at", sa.Date, nullable=True),
    sa.Column("trigger", sa.String(40), nullable=False, server_default="manual"),
    sa.Column("path", sa.Text, nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
)

users = sa.Table(
    "users",
    metadata,
    _id("users"),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    # null for people who sign in through single sign-on rather than a local password
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("provider", sa.String(40), nullable=False, server_default="local"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("disabled_at", sa.DateTime, nullable=True),
    sa.Column("last_sign_in_at", sa.DateTime, nullable=True),
    # Where PMF's emails go (reminders, flag notices, the weekly pack); none: no email
    sa.Column("email", sa.Text, nullable=True),
    # The cabinet portfolio a portfolio holder holds, and whether they take its weekly pack
    sa.Column("portfolio", sa.String(80), nullable=True),
    sa.Column("weekly_pack", sa.Boolean, nullable=True),
    # Single sign-on: the provider's issuer and subject ("<iss> <sub>"), which never changes
    # for a person, so a reused user name at the provider cannot take over their account
    sa.Column("external_id", sa.Text, nullable=True),
)

sign_in_events = sa.Table(
    "sign_in_events",
    metadata,
    _id("sign_in_events"),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("event_at", sa.DateTime, nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    # "password" or "oidc" (single sign-on); none on rows from before single sign-on: password
    sa.Column("method", sa.String(20), nullable=True),
    sa.Index("ix_sign_in_events_user", "username", "event_at"),
)

user_events = sa.Table(
    "user_events",
    metadata,
    _id("user_events"),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("event_at", sa.DateTime, nullable=False),
)

# One row per sign-in: the signed cookie names its row, so a session can be ended on the server
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    _id("user_sessions"),
    sa.Column("session_hash", sa.String(64), nullable=False),  # SHA-256 of the cookie's id
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime, nullable=True),
    sa.Column("end_reason", sa.String(40), nullable=True),
    sa.Index("ix_user_sessions_hash", "session_hash"),
    sa.Index("ix_user_sessions_user", "username"),
)

# Work the web workers hand to the scheduler's process: a pipeline run or a pack asked for on a
# page is queued here and done there, so no web request waits for it (warehouse.jobs)
jobs = sa.Table(
    "jobs",
    metadata,
    _id("jobs"),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("target_id", sa.String(120), nullable=False),
    sa.Column("params", sa.Text, nullable=True),  # JSON
    sa.Column("requested_by", sa.String(120), nullable=False),
    sa.Column("requested_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("worker", sa.String(120), nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("progress", sa.Text, nullable=True),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_jobs_status", "status", "requested_at"),
)

# A recalculation of a measure's SPC limits from a period on (Making Data Count's rebase):
# recorded with who and why, withdrawn rather than deleted
spc_rebases = sa.Table(
    "spc_rebases",
    metadata,
    _id("spc_rebases"),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),  # the first period of the new limits
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(120), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("withdrawn_by", sa.String(120), nullable=True),
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    sa.Index("ix_spc_rebases_metric", "metric_id", "area_code"),
)

# One reporting cycle: the period whose data returns are asked for, by when, and its lock
return_cycles = sa.Table(
    "return_cycles",
    metadata,
    _id("return_cycles"),
    sa.Column("period", sa.String(20), nullable=False),  # its code, e.g. 2026-10 or 2026-27-Q2
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("opened_by", sa.String(120), nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("closed_by", sa.String(120), nullable=True),
    sa.Column("closed_at", sa.DateTime, nullable=True),
    sa.Index("ix_return_cycles_period", "period"),
)

# One data return: a manual measure's figure for one area and period, from its owner, signed
# off by its approver (cycle.states has the states and the moves between them)
data_returns = sa.Table(
    "data_returns",
    metadata,
    _id("data_returns"),
    sa.Column("cycle_id", sa.Integer, nullable=False),
    sa.Column("period", sa.String(20), nullable=False),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("owner", sa.String(80), nullable=False),
    sa.Column("approver", sa.String(80), nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("numerator", sa.Double, nullable=True),
    sa.Column("denominator", sa.Double, nullable=True),
    sa.Column("commentary", sa.Text, nullable=True),
    # draft, approved (with the figure) or published (shown to the public)
    sa.Column("commentary_state", sa.String(20), nullable=True),
    sa.Column("comment_id", sa.Integer, nullable=True),  # the commentary row, once approved
    sa.Column("note", sa.Text, nullable=True),  # the approver's note when sent back
    sa.Column("submitted_at", sa.DateTime, nullable=True),
    sa.Column("decided_by", sa.String(80), nullable=True),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("run_id", sa.Integer, nullable=True),  # the load that put it in observations
    sa.Column("updated_by", sa.String(80), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_data_returns_key", "period", "metric_id", "area_code"),
    sa.Index("ix_data_returns_owner", "owner"),
)

# The reporting cycle's audit trail: every draft, submission, sign-off, send-back, lock,
# restatement and email, with who and when
return_events = sa.Table(
    "return_events",
    metadata,
    _id("return_events"),
    sa.Column("return_id", sa.Integer, nullable=True),
    sa.Column("period", sa.String(20), nullable=True),
    sa.Column("metric_id", sa.String(80), nullable=True),
    sa.Column("area_code", sa.String(16), nullable=True),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("from_state", sa.String(20), nullable=True),
    sa.Column("to_state", sa.String(20), nullable=True),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("event_at", sa.DateTime, nullable=False),
    sa.Index("ix_return_events_at", "event_at"),
    sa.Index("ix_return_events_metric", "metric_id"),
)

# Every email PMF sends, once: the key names what it is for, so a rerun or a restart finds it
# here and never sends it again
notifications = sa.Table(
    "notifications",
    metadata,
    _id("notifications"),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("recipient", sa.String(80), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # sending, sent or failed
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_notifications_key", "key"),
)

# A finance team's monthly return on one savings proposal: forecast and delivered to date for a
# financial year, as at a month end. A restated return supersedes the row, never overwrites it
savings_delivery = sa.Table(
    "savings_delivery",
    metadata,
    _id("savings_delivery"),
    sa.Column("proposal_id", sa.String(40), nullable=False),
    sa.Column("financial_year", sa.String(7), nullable=False),  # 2026-27
    sa.Column("as_at", sa.Date, nullable=False),  # the month end the return reports
    sa.Column("forecast", sa.Double, nullable=False),  # pounds, for the whole year
    sa.Column("delivered", sa.Double, nullable=False),  # pounds, delivered to date in the year
    sa.Column("commentary", sa.Text, nullable=True),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("superseded_at", sa.DateTime, nullable=True),
    sa.Index("ix_savings_delivery_key", "proposal_id", "financial_year", "as_at"),
)

ALL_TABLES = tuple(metadata.sorted_tables)
