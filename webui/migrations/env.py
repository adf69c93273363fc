"""Alembic's environment for Kinerja: the application's engine and models (Flask-Migrate)."""

from __future__ import annotations

from alembic import context
from flask import current_app

target_metadata = current_app.extensions["migrate"].db.metadata


def run_migrations_online() -> None:
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Kinerja's migrations run online only: kinerja db upgrade")
run_migrations_online()
