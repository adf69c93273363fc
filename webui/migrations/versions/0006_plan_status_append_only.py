"""Plan-status rows become append-only in the database too: triggers refuse UPDATE and DELETE
on ``plan_status`` (and TRUNCATE on PostgreSQL), as on the evaluation and audit tables.

Revision ID: 0006_plan_status_append_only
Revises: 0005_must_change_password
Create Date: 2026-11-29

The application only ever inserts plan-status rows (each status change is a new row, the
history is the table), so nothing it does is refused. The SQL is frozen here as it was at
this revision; on PostgreSQL the triggers call ``kinerja_refuse_change()``, which migration
0002 created.
"""

from __future__ import annotations

from alembic import op

revision = "0006_plan_status_append_only"
down_revision = "0005_must_change_password"
branch_labels = None
depends_on = None

TRIGGERS: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER plan_status_no_update BEFORE UPDATE ON plan_status BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: UPDATE on plan_status is refused: the table is append-only'); "
        "END",
        "CREATE TRIGGER plan_status_no_delete BEFORE DELETE ON plan_status BEGIN SELECT "
        "RAISE(ABORT, 'kinerja: DELETE on plan_status is refused: the table is append-only'); "
        "END",
    ],
    "postgresql": [
        "CREATE TRIGGER plan_status_append_only BEFORE UPDATE OR DELETE ON plan_status "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
        "CREATE TRIGGER plan_status_no_truncate BEFORE TRUNCATE ON plan_status "
        "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()",
    ],
}

DROPS: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS plan_status_no_update",
               "DROP TRIGGER IF EXISTS plan_status_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS plan_status_append_only ON plan_status",
                   "DROP TRIGGER IF EXISTS plan_status_no_truncate ON plan_status"],
}


def upgrade() -> None:
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPS[op.get_bind().dialect.name]:
        op.execute(statement)
