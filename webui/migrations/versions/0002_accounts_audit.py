"""Accounts, offices, API tokens, archiving, the assessor, and the hash-chained audit log.

Revision ID: 0002_accounts_audit
Revises: 0001_release
Create Date: 2026-11-29

Every evaluation already stored is entered in the new audit chain as an ``import`` by the
system, so that ``kinerja audit verify`` covers it from now on. Then triggers make the
evaluation and audit tables append-only and refuse deleting assessments.

The migration holds its own frozen copies of the trigger SQL and of the audit chain's hash
format (``kinerja-audit-1``) as they were at this revision, and imports nothing from the
application: a later change of ``webui.db`` must not change what this migration does. The
chain it writes is verified by the application's ``webui.db.canonical``, so the two formats
must agree; ``tests/webui/test_frozen_migrations.py`` checks that they still do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts_audit"
down_revision = "0001_release"
branch_labels = None
depends_on = None

# The triggers, per dialect: UPDATE and DELETE refused on evaluation and audit_event, DELETE
# on assessment (PostgreSQL also refuses TRUNCATE).
TRIGGERS: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER evaluation_no_update BEFORE UPDATE ON evaluation BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: UPDATE on evaluation is refused: the table is append-only'); "
        "END",
        "CREATE TRIGGER evaluation_no_delete BEFORE DELETE ON evaluation BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: DELETE on evaluation is refused: the table is append-only'); "
        "END",
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: UPDATE on audit_event is refused: the table is append-only'); "
        "END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: DELETE on audit_event is refused: the table is append-only'); "
        "END",
        "CREATE TRIGGER assessment_no_delete BEFORE DELETE ON assessment BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: DELETE on assessment is refused: assessments are archived'); "
        "END",
    ],
    "postgresql": [
        # no '%' placeholders: drivers would read them as parameters
        "CREATE OR REPLACE FUNCTION kinerja_refuse_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'kinerja: ' || TG_OP || ' on ' || "
        "TG_TABLE_NAME || ' is refused: the table is append-only', "
        "ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE TRIGGER evaluation_append_only BEFORE UPDATE OR DELETE ON evaluation "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER evaluation_no_truncate BEFORE TRUNCATE ON evaluation "
        "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER assessment_no_delete BEFORE DELETE ON assessment "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER assessment_no_truncate BEFORE TRUNCATE ON assessment "
        "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()",
    ],
}

# The audit chain's format "kinerja-audit-1": sorted, compact JSON; times in UTC ISO 8601
# with microseconds (SQLite gives them back naive, stored in UTC); SHA-256 in hex.
FORMAT = "kinerja-audit-1"
GENESIS = "0" * 64  # the "previous hash" of the first entry
EVALUATION_FIELDS = ("id", "assessment_id", "created_at", "kb_version", "overall", "origin",
                     "assessor", "case", "indicator_notes", "result")
ENTRY_FIELDS = ("seq", "at", "actor", "role", "remote_addr", "action", "object_type",
                "object_id", "assessment_id", "content_hash", "detail", "prev_hash")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def utc_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _format_hash(fields: Mapping[str, Any], names: tuple[str, ...], time_field: str) -> str:
    content = {name: fields.get(name) for name in names}
    if isinstance(content[time_field], datetime):
        content[time_field] = utc_iso(content[time_field])
    text = canonical_json({"format": FORMAT, **content})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evaluation_hash(fields: Mapping[str, Any]) -> str:
    """An evaluation's content hash, as its audit entry records it."""
    return _format_hash(fields, EVALUATION_FIELDS, "created_at")


def entry_hash(fields: Mapping[str, Any]) -> str:
    """An audit entry's hash: its fields and the previous entry's hash."""
    return _format_hash(fields, ENTRY_FIELDS, "at")


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "account_office",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("account_id", "office_id"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_account_id", "api_token", ["account_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
        sa.UniqueConstraint("hash"),
    )
    for column in ("at", "actor", "action", "assessment_id"):
        op.create_index(f"ix_audit_event_{column}", "audit_event", [column])

    # Plain ADD COLUMN (no table rebuild: rebuilding a table that others reference could
    # cascade deletes on SQLite).
    if op.get_bind().dialect.name == "sqlite":  # SQLite's ALTER takes a REFERENCES clause
        op.execute("ALTER TABLE assessment ADD COLUMN office_id INTEGER REFERENCES office (id)")
    else:
        op.add_column("assessment", sa.Column("office_id", sa.Integer(), nullable=True))
        op.create_foreign_key("assessment_office_id_fkey", "assessment", "office",
                              ["office_id"], ["id"])
    op.add_column("assessment", sa.Column("created_by", sa.String(length=80), nullable=True))
    op.add_column("assessment", sa.Column("archived_at", sa.DateTime(timezone=True),
                                          nullable=True))
    op.add_column("assessment", sa.Column("archived_by", sa.String(length=80), nullable=True))
    op.add_column("assessment", sa.Column("archive_reason", sa.Text(), nullable=True))
    op.create_index("ix_assessment_office_id", "assessment", ["office_id"])
    op.create_index("ix_assessment_archived_at", "assessment", ["archived_at"])
    op.add_column("evaluation", sa.Column("assessor", sa.String(length=80), nullable=True))

    _import_evaluations()
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def _import_evaluations() -> None:
    """Enter every stored evaluation in the chain, oldest first."""
    bind = op.get_bind()
    evaluation = sa.table(
        "evaluation", sa.column("id", sa.Integer), sa.column("assessment_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)), sa.column("kb_version", sa.String),
        sa.column("overall", sa.String), sa.column("origin", sa.String),
        sa.column("assessor", sa.String), sa.column("case", sa.JSON),
        sa.column("indicator_notes", sa.JSON), sa.column("result", sa.JSON))
    audit = sa.table(
        "audit_event", sa.column("at", sa.DateTime(timezone=True)), *(sa.column(name) for name in (
            "seq", "actor", "role", "remote_addr", "action", "object_type", "object_id",
            "assessment_id", "content_hash", "detail", "prev_hash", "hash")))
    previous, seq = GENESIS, 0
    rows = bind.execute(sa.select(evaluation).order_by(evaluation.c.id)).mappings()
    for row in rows.all():
        seq += 1
        entry = {
            "seq": seq, "at": datetime.now(UTC), "actor": None, "role": "system",
            "remote_addr": None,
            "action": "import", "object_type": "evaluation", "object_id": str(row["id"]),
            "assessment_id": row["assessment_id"], "content_hash": evaluation_hash(row),
            "detail": canonical_json({"origin": row["origin"],
                                      "note": "recorded before the audit log existed"}),
            "prev_hash": previous}
        entry["hash"] = previous = entry_hash(entry)
        bind.execute(audit.insert().values(**entry))


def downgrade() -> None:
    raise NotImplementedError("the audit log is never dropped; restore a backup instead")
