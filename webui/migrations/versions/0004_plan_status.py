"""The action plan's follow-up: one row per status change of a plan item (issue 9).

Revision ID: 0004_plan_status
Revises: 0003_training
Create Date: 2026-11-29

Rows are history: the application never updates or deletes them (an ORM guard refuses it);
each change is also an audit event (``plan_status``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_plan_status"
down_revision = "0003_training"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("recommendation", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_status_assessment_id", "plan_status", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_status_assessment_id", table_name="plan_status")
    op.drop_table("plan_status")
