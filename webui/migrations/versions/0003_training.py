"""The trainers' tables: needs summaries (a cache of each evaluation's needs) and saved
programme plans (issue 10).

Revision ID: 0003_training
Revises: 0002_accounts_audit
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_training"
down_revision = "0002_accounts_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "needs_summary",
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.PrimaryKeyConstraint("evaluation_id"),
    )
    op.create_table(
        "programme_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("kb_version", sa.String(length=80), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["based_on"], ["programme_plan.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_programme_plan_created_at", "programme_plan", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_programme_plan_created_at", table_name="programme_plan")
    op.drop_table("programme_plan")
    op.drop_table("needs_summary")
