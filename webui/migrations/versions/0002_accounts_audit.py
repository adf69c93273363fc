"""Accounts, offices, API tokens, archiving, the assessor, and the hash-chained audit log.

Revision ID: 0002_accounts_audit
Revises: 0001_release
Create Date: 2026-11-29

Every evaluation already stored is entered in the new audit chain as an ``import`` by the
system, so that ``kinerja audit verify`` covers it from now on. Then triggers make the
evaluation and audit tables append-only and refuse deleting assessments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from webui.db.base import utcnow
from webui.db.canonical import GENESIS, canonical_json, entry_hash, evaluation_hash
from webui.db.schema import trigger_statements

revision = "0002_accounts_audit"
down_revision = "0001_release"
branch_labels = None
depends_on = None


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
    for statement in trigger_statements(op.get_bind().dialect.name):
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
            "seq": seq, "at": utcnow(), "actor": None, "role": "system", "remote_addr": None,
            "action": "import", "object_type": "evaluation", "object_id": str(row["id"]),
            "assessment_id": row["assessment_id"], "content_hash": evaluation_hash(row),
            "detail": canonical_json({"origin": row["origin"],
                                      "note": "recorded before the audit log existed"}),
            "prev_hash": previous}
        entry["hash"] = previous = entry_hash(entry)
        bind.execute(audit.insert().values(**entry))


def downgrade() -> None:
    raise NotImplementedError("the audit log is never dropped; restore a backup instead")
