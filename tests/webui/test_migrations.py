"""webui/db/schema.py and webui/migrations/: a database made by the first release (commit
5ecca5d, "today's release") upgrades in place with its data and demo intact, on SQLite and
PostgreSQL; a new database equals a migrated one; an older schema can be refused instead.

``data/release_5ecca5d.sql.gz`` is the SQL dump of an instance made by that release's code
(``kinerja serve``'s first start with its demo, a form assessment re-evaluated once, and an
upload), made with ``data/make_release_fixture.py`` on that commit.
"""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from expert.cli import main
from tests.webui.conftest import TEST_CONFIG, dispose, make_users
from webui import create_app
from webui.db import Evaluation, db, schema
from webui.db.audit import verify

RELEASE_DUMP = Path(__file__).parent / "data" / "release_5ecca5d.sql.gz"
TABLES = ("assessment", "evaluation", "setting")


def release_rows() -> dict[str, list[dict[str, Any]]]:
    """The release database's rows, read with sqlite3 from the dump."""
    connection = sqlite3.connect(":memory:")
    connection.executescript(gzip.decompress(RELEASE_DUMP.read_bytes()).decode("utf-8"))
    connection.row_factory = sqlite3.Row
    rows = {table: [dict(r) for r in connection.execute(f"SELECT * FROM {table} ORDER BY 1")]
            for table in TABLES}
    connection.close()
    return rows


def make_release_database(uri: str, tmp_path: Path) -> None:
    """Today's release's database at ``uri``: on SQLite the release's own file; on
    PostgreSQL the release's schema (the baseline migration, unversioned as the release left
    it) holding the same rows."""
    if uri.startswith("sqlite"):
        path = uri.removeprefix("sqlite:///")
        connection = sqlite3.connect(path)
        connection.executescript(gzip.decompress(RELEASE_DUMP.read_bytes()).decode("utf-8"))
        connection.close()
        return
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                      "AUTO_UPGRADE": schema.LEAVE}, instance_path=tmp_path / "release")
    with app.app_context():
        schema.alembic_upgrade(schema.BASELINE)
        metadata = sa.MetaData()
        metadata.reflect(db.engine, only=TABLES)
        with db.engine.begin() as connection:
            for table in TABLES:
                rows = release_rows()[table]
                if table == "evaluation":
                    import json

                    for row in rows:
                        for key in ("case", "indicator_notes", "result"):
                            row[key] = json.loads(row[key])
                connection.execute(metadata.tables[table].insert(), rows)
            for table in ("assessment", "evaluation"):  # the sequences follow the ids
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
            connection.exec_driver_sql("DROP TABLE alembic_version")
    dispose(app)


def snapshot(app: Any) -> dict[str, Any]:
    with app.app_context():
        evaluations = db.session.scalars(sa.select(Evaluation).order_by(Evaluation.id)).all()
        return {
            "evaluations": [(e.id, e.assessment_id, e.origin, e.overall, e.kb_version, e.case,
                             e.indicator_notes, e.result) for e in evaluations],
            "assessments": db.session.execute(sa.text(
                "SELECT id, subject_name, subject_kind, period, overall FROM assessment "
                "ORDER BY id")).all(),
            "settings": db.session.execute(sa.text(
                "SELECT key, value FROM setting ORDER BY key")).all(),
        }


def test_a_release_database_upgrades_in_place_with_its_data_and_demo(database_uri, tmp_path,
                                                                      sign_in):
    make_release_database(database_uri, tmp_path)
    before = release_rows()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                     instance_path=tmp_path / "instance")
    try:
        after = snapshot(app)
        assert [e[0] for e in after["evaluations"]] == [r["id"] for r in before["evaluation"]]
        for stored, (_id, assessment, origin, overall, version, case, notes, result) in zip(
                before["evaluation"], after["evaluations"], strict=True):
            import json

            assert (assessment, origin, overall, version) == (
                stored["assessment_id"], stored["origin"], stored["overall"],
                stored["kb_version"])
            assert case == json.loads(stored["case"]) and result == json.loads(stored["result"])
            assert notes == json.loads(stored["indicator_notes"])
        assert [tuple(a) for a in after["assessments"]] == [
            (r["id"], r["subject_name"], r["subject_kind"], r["period"], r["overall"])
            for r in before["assessment"]]
        assert [tuple(s) for s in after["settings"]] == [("demo_seeded",
                                                           "01_seed_balangan_2025.yaml")]
        with app.app_context():
            assert schema.state()[0] == schema.head_revision()
            report = verify()  # every stored evaluation entered in the new chain
            assert report.intact and report.entries == report.evaluations == 4
        auditor = sign_in(app, "auditor")
        demo = auditor.get("/assessments/1").get_data(as_text=True)
        assert "Dinas Perindustrian dan Perdagangan Kabupaten Balangan" in demo
        assert 'data-verified="true"' in demo and "sebelum ada akun" in demo
        assert "Cukup baik" in demo
        # once upgraded, a second start changes nothing
        with app.app_context():
            assert "current" in schema.upgrade()
    finally:
        dispose(app)


def test_a_migrated_database_equals_the_models_with_every_trigger(database_uri, tmp_path):
    make_release_database(database_uri, tmp_path)
    migrated = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                          instance_path=tmp_path / "a")
    try:
        with migrated.app_context(), db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert differences == []
            expected = {statement.split()[2] if statement.startswith("CREATE TRIGGER")
                        else None for statement in
                        schema.trigger_statements(connection.dialect.name)} - {None}
            assert triggers(connection) == expected and len(expected) >= 5
    finally:
        dispose(migrated)


def triggers(connection: sa.Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        return set(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    return set(connection.exec_driver_sql(
        "SELECT DISTINCT trigger_name FROM information_schema.triggers").scalars()) | set(
        connection.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        .scalars())


def test_fresh_and_migrated_sqlite_have_the_same_triggers(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_release_database(uri, tmp_path)
    names = []
    for folder, database in (("a", uri), ("b", f"sqlite:///{tmp_path / 'new.sqlite'}")):
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database},
                         instance_path=tmp_path / folder)
        with app.app_context(), db.engine.connect() as connection:
            names.append(triggers(connection))
        dispose(app)
    assert names[0] == names[1] and len(names[0]) == 7


def test_an_older_schema_is_refused_when_auto_upgrade_is_off(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_release_database(uri, tmp_path)
    with pytest.raises(schema.SchemaError, match="kinerja db upgrade"):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, "AUTO_UPGRADE": False},
                   instance_path=tmp_path / "i")


def test_kinerja_db_upgrade_and_current(tmp_path, capsys):
    instance = tmp_path / "instance"
    instance.mkdir()
    make_release_database(f"sqlite:///{instance / 'kinerja.sqlite'}", tmp_path)
    assert main(["db", "current", "--instance", str(instance)]) == 0
    assert capsys.readouterr().out.startswith("none (this Kinerja: 0006_plan_status_append_only)")
    assert main(["audit", "verify", "--instance", str(instance)]) == 2  # refuses, unchanged
    assert "kinerja db upgrade" in capsys.readouterr().err
    assert main(["db", "upgrade", "--instance", str(instance)]) == 0
    assert "from revision 0001_release to 0006_plan_status_append_only" in capsys.readouterr().out
    assert main(["db", "upgrade", "--instance", str(instance)]) == 0
    assert "is current" in capsys.readouterr().out
    assert main(["audit", "verify", "--instance", str(instance)]) == 0
    assert "4 entries, chain intact, head " in capsys.readouterr().out


def test_a_database_of_another_application_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    with pytest.raises(schema.SchemaError, match="is not a Kinerja database"):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"},
                   instance_path=tmp_path / "i")


def test_users_can_be_made_after_the_upgrade(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_release_database(uri, tmp_path)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri},
                     instance_path=tmp_path / "i")
    make_users(app)
    with app.app_context():
        assert verify().intact
    dispose(app)


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite:///kinerja.sqlite"},
                     instance_path=tmp_path / "new")
    dispose(app)
    assert (tmp_path / "new" / "kinerja.sqlite").stat().st_mode & 0o777 == 0o600
    old = tmp_path / "old"
    old.mkdir()
    make_release_database(f"sqlite:///{old / 'kinerja.sqlite'}", tmp_path)
    (old / "kinerja.sqlite").chmod(0o644)  # as the first release left it
    dispose(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite:///kinerja.sqlite"},
                       instance_path=old))
    assert (old / "kinerja.sqlite").stat().st_mode & 0o777 == 0o600


def test_serve_refuses_an_older_schema_with_auto_upgrade_off(tmp_path, capsys):
    from webui.server import serve

    instance = tmp_path / "instance"
    instance.mkdir()
    make_release_database(f"sqlite:///{instance / 'kinerja.sqlite'}", tmp_path)
    (instance / "config.py").write_text("AUTO_UPGRADE = False\n")
    calls: list[Any] = []
    assert serve(instance=instance, run=lambda app, **kw: calls.append(kw)) == 2
    assert calls == []
    err = capsys.readouterr().err
    assert "cannot start" in err and "run `kinerja db upgrade`" in err
    (instance / "config.py").write_text("AUTO_UPGRADE = True\n")  # the default: upgrades
    assert serve(instance=instance, run=lambda app, **kw: calls.append(kw)) == 0
    assert len(calls) == 1


def test_accounts_made_before_0005_keep_their_passwords_without_a_forced_change(
        database_uri, tmp_path):
    """0005 adds must_change_password: false for every existing account."""
    make_release_database(database_uri, tmp_path)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "AUTO_UPGRADE": schema.LEAVE}, instance_path=tmp_path / "old")
    with app.app_context():
        schema.alembic_stamp(schema.BASELINE)
        schema.alembic_upgrade("0004_plan_status")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO account (username, password_hash, role, active, created_at) "
                "VALUES ('lama', 'x', 'auditor', :yes, :now)"),
                {"yes": True, "now": "2026-01-01 00:00:00"})
    dispose(app)
    upgraded = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                          instance_path=tmp_path / "new")
    try:
        with upgraded.app_context():
            assert db.session.execute(sa.text(
                "SELECT must_change_password FROM account WHERE username = 'lama'")
            ).scalar_one() in (False, 0)
    finally:
        dispose(upgraded)
