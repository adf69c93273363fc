"""An account whose password was made by Kinerja (the first admin's one-time password) must
choose a new one at its first sign-in.

Revision ID: 0005_must_change_password
Revises: 0004_plan_status
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_must_change_password"
down_revision = "0004_plan_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing accounts chose their passwords themselves: false for every row
    op.add_column("account", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("must_change_password")
