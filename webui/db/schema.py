"""The database's schema: Alembic migrations (Flask-Migrate) and the append-only triggers.

At start the application brings its database to the current schema (``AUTO_UPGRADE``, on by
default) or, with ``AUTO_UPGRADE = False``, refuses to start on an older one and says to run
``kinerja db upgrade``. A new, empty database is created from the models and stamped current
(Alembic's recommended shortcut; a test checks that it equals the migrated schema); a database
made by the first release (no ``alembic_version`` table, an ``assessment`` table) is stamped as
the baseline and upgraded in place. Upgrades are serialised between processes: a file lock
beside a SQLite database, an advisory lock on PostgreSQL.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import Migrate

from webui.db.base import db
from webui.db.transaction import install_sqlite_begin

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
BASELINE = "0001_release"  # the schema of the first release (commit 5ecca5d)
UPGRADE_LOCK_KEY = 0x4B494E46

migrate = Migrate()


class SchemaError(RuntimeError):
    """The database cannot be used as it is; the message says what to do."""


# Tables whose rows are never updated or deleted, and assessments, never deleted. A fresh
# database gets these triggers from trigger_statements(); a migrated one from the migrations'
# frozen copies (0002, 0006), which a test keeps equal to these.
APPEND_ONLY = ("evaluation", "audit_event", "plan_status")
NEVER_DELETED = ("assessment",)


def trigger_statements(dialect: str) -> list[str]:
    """The triggers that refuse UPDATE and DELETE on the append-only tables."""
    if dialect == "postgresql":
        statements = [
            # no '%' placeholders: drivers would read them as parameters
            "CREATE OR REPLACE FUNCTION kinerja_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = 'kinerja: ' || "
            "TG_OP || ' on ' || TG_TABLE_NAME || ' is refused: the table is append-only', "
            "ERRCODE = 'insufficient_privilege'; END $$"]
        for table in APPEND_ONLY:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()"]
        for table in NEVER_DELETED:
            statements += [
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kinerja_refuse_change()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kinerja_refuse_change()"]
        return statements
    statements = []
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'kinerja: {operation} on {table} is refused: the "
                "table is append-only'); END")
    for table in NEVER_DELETED:
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'kinerja: DELETE on {table} is refused: "
            "assessments are archived'); END")
    return statements


def _config() -> Any:
    return migrate.get_config(str(MIGRATIONS))


def alembic_stamp(revision: str) -> None:
    # alembic's own commands, not flask_migrate's wrappers: those exit the process on an
    # error, and a failed upgrade must reach the caller as an exception
    command.stamp(_config(), revision)


def alembic_upgrade(revision: str) -> None:
    command.upgrade(_config(), revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(_config())
    revision = script.get_current_head()
    assert revision is not None
    return revision


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def state() -> tuple[str | None, set[str]]:
    """The database's revision and its tables."""
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        revision = current_revision(connection) if "alembic_version" in tables else None
        connection.rollback()
    return revision, tables


@contextmanager
def upgrade_lock(app: Flask) -> Iterator[None]:
    """One upgrade at a time, whatever the number of processes starting together."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": UPGRADE_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"),
                                   {"k": UPGRADE_LOCK_KEY})
                connection.commit()
        return
    path = Path(app.instance_path) / ".kinerja-upgrade.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def create_fresh() -> None:
    """A new database: the models' tables, the triggers, stamped at the head revision."""
    with db.engine.begin() as connection:
        db.metadata.create_all(connection)
        for statement in trigger_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
    alembic_stamp("head")


def upgrade() -> str:
    """Bring the database to the current schema; a sentence saying what was done."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with upgrade_lock(app):
        revision, tables = state()
        target = head_revision()
        if revision == target:
            return f"the database is current (revision {target})"
        if not tables - {"alembic_version"}:
            create_fresh()
            return f"created the database at revision {target}"
        if revision is None:
            check_release_schema()
            alembic_stamp(BASELINE)
            revision = BASELINE
        alembic_upgrade("head")
        return f"upgraded the database from revision {revision} to {target}"


# The first release's tables and columns: what an unversioned database must have to be
# stamped as the baseline and upgraded.
RELEASE_SCHEMA = {
    "assessment": {"id", "subject_name", "subject_kind", "period", "overall", "created_at",
                   "updated_at"},
    "evaluation": {"id", "assessment_id", "created_at", "kb_version", "overall", "origin",
                   "case", "indicator_notes", "result"},
    "setting": {"key", "value"},
}


def check_release_schema() -> None:
    """An unversioned database is upgraded only if it is the first release's."""
    where = db.engine.url.render_as_string(hide_password=True)
    with db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = set(inspector.get_table_names())
        for table, columns in RELEASE_SCHEMA.items():
            found = ({c["name"] for c in inspector.get_columns(table)} if table in tables
                     else set())
            if not columns <= found:
                missing = ", ".join(sorted(columns - found))
                raise SchemaError(
                    f"the database {where} is not a Kinerja database (table {table} lacks "
                    f"{missing}): point KINERJA_SQLALCHEMY_DATABASE_URI at Kinerja's database, "
                    "or move the file away to start with an empty one")
        connection.rollback()


def check_current() -> None:
    revision, tables = state()
    target = head_revision()
    if revision != target:
        found = revision or ("empty" if not tables else "the first release's, unversioned")
        raise SchemaError(f"the database schema is {found}, this Kinerja needs {target}: "
                          "run `kinerja db upgrade` (AUTO_UPGRADE is off)")


LEAVE = "leave"  # AUTO_UPGRADE for `kinerja db`: neither upgrade nor refuse at start


def restrict_sqlite_file(engine: sa.Engine) -> None:
    """The database file is readable by its owner only (0600), created so if new: it holds
    the assessments and the password hashes."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)


def init_app(app: Flask) -> None:
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        restrict_sqlite_file(db.engine)
        install_sqlite_begin(db.engine)
        mode = app.config.get("AUTO_UPGRADE", True)
        if mode == LEAVE:
            return
        if mode:
            upgrade()
        else:
            check_current()
