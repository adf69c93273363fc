"""plan_status is append-only in the database (migration 0006, ``schema.APPEND_ONLY``): a raw
UPDATE, DELETE (or TRUNCATE on PostgreSQL) is refused by a trigger on SQLite and PostgreSQL,
fresh or upgraded, while the application's follow-up (each status change a new row),
archiving and filing under an office keep working; the downgrade removes the triggers.
``kinerja audit verify`` matches every row with its ``plan_status`` entry, so a change made
with the triggers dropped (as someone owning the database could) is still named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from tests.webui.conftest import TEST_CONFIG, dispose
from tests.webui.test_audit import raw, verify_cli
from tests.webui.test_followup import plan_ids, text
from tests.webui.test_migrations import make_release_database, triggers
from webui import create_app
from webui.db import Assessment, db, schema
from webui.db.audit import verify

BEFORE = "0005_must_change_password"
PLAN_TRIGGERS = {"sqlite": {"plan_status_no_update", "plan_status_no_delete"},
                 "postgresql": {"plan_status_append_only", "plan_status_no_truncate"}}
CHANGES = {
    "UPDATE": "UPDATE plan_status SET status = 'done', note = 'diubah diam-diam'",
    "DELETE": "DELETE FROM plan_status",
}


def rows(app: Any) -> list[tuple[Any, ...]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.text(
            "SELECT id, recommendation, status, note FROM plan_status ORDER BY id")).all()]


def refused(app: Any, operation: str, sql: str) -> None:
    """``sql`` fails with the trigger's message and changes nothing."""
    with app.app_context():
        before = rows(app)
        with pytest.raises(sa.exc.DBAPIError) as caught, db.engine.begin() as connection:
            connection.exec_driver_sql(sql)
        assert (f"kinerja: {operation} on plan_status is refused: the table is append-only"
                in str(caught.value))
        assert rows(app) == before


@pytest.fixture
def followed(db_app, sign_in, seed_case, form_fields):  # type: ignore[no-untyped-def]
    """An assessment whose first plan item was set in progress, then done, by its head."""
    client = sign_in(db_app, "kepala")
    created = client.post("/assessments/new", data=form_fields(seed_case))
    assert created.status_code == 303
    assessment_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with db_app.app_context():
        evaluation_id = db.session.get(Assessment, assessment_id).evaluations[0].id
    url = f"/assessments/{assessment_id}/evaluations/{evaluation_id}"
    item = plan_ids(text(client.get(url)))[0]
    for status, note in (("in_progress", "Apel pagi setiap Senin"), ("done", "Selesai")):
        response = client.post(f"{url}/plan/{item}",
                               data={"status": status, "date": "2026-11-20", "note": note})
        assert response.status_code == 303
    return db_app, client, assessment_id, url, item


def test_each_status_change_is_a_new_row_and_raw_changes_are_refused(followed):  # type: ignore[no-untyped-def]
    app, client, _assessment_id, url, item = followed
    assert [(r[1], r[2], r[3]) for r in rows(app)] == [
        (item, "in_progress", "Apel pagi setiap Senin"), (item, "done", "Selesai")]
    for operation, sql in CHANGES.items():
        refused(app, operation, sql)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(sa.exc.DBAPIError, match="TRUNCATE on plan_status is refused"), \
                    db.engine.begin() as connection:
                connection.exec_driver_sql("TRUNCATE plan_status")
        assert verify().intact
    # the application's own change after the refusals: one more row, all shown
    client.post(f"{url}/plan/{item}", data={"status": "dropped", "date": "", "note": "Batal"})
    assert [r[2] for r in rows(app)] == ["in_progress", "done", "dropped"]
    assert "Riwayat status (3)" in text(client.get(url)).split(f'id="plan-{item}"')[1]


def test_archiving_and_filing_an_assessment_with_statuses_still_work(followed, sign_in):  # type: ignore[no-untyped-def]
    app, _client, assessment_id, _url, _item = followed
    kept = rows(app)
    admin = sign_in(app, "admin")
    assert admin.post(f"/assessments/{assessment_id}/office",
                      data={"office_id": ""}).status_code == 303
    assert admin.post(f"/assessments/{assessment_id}/archive",
                      data={"reason": "Duplikat"}).status_code == 303
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).archived
        assert verify().intact
    assert rows(app) == kept
    auditor = sign_in(app, "auditor")
    page = text(auditor.get(f"/assessments/{assessment_id}"))
    assert "Riwayat status (2)" in page


def test_the_downgrade_removes_the_triggers_and_the_upgrade_restores_them(followed):  # type: ignore[no-untyped-def]
    app = followed[0]
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.connect() as connection:
            everything = triggers(connection)
        assert PLAN_TRIGGERS[dialect] <= everything
        command.downgrade(schema.migrate.get_config(str(schema.MIGRATIONS)), BEFORE)
        with db.engine.connect() as connection:
            assert triggers(connection) == everything - PLAN_TRIGGERS[dialect]
            assert schema.current_revision(connection) == BEFORE
        with db.engine.begin() as connection:  # no longer refused
            connection.exec_driver_sql("UPDATE plan_status SET note = 'tanpa pemicu'")
        assert {r[3] for r in rows(app)} == {"tanpa pemicu"}
        schema.alembic_upgrade("head")
    for operation, sql in CHANGES.items():
        refused(app, operation, sql)


def test_an_upgraded_database_keeps_its_statuses_and_refuses_changing_them(database_uri,
                                                                           tmp_path):
    """The release's database, brought to 0005 with a status row, then upgraded at start."""
    make_release_database(database_uri, tmp_path)
    old = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "AUTO_UPGRADE": schema.LEAVE}, instance_path=tmp_path / "old")
    with old.app_context():
        schema.alembic_stamp(schema.BASELINE)
        schema.alembic_upgrade(BEFORE)
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO plan_status (assessment_id, evaluation_id, recommendation, status, "
                "status_date, note, actor, at) VALUES (1, 1, 'kedisiplinan', 'in_progress', "
                ":day, 'Sebelum 0006', 'kepala', :now)"),
                {"day": "2026-11-01", "now": "2026-11-01 08:00:00"})
            connection.execute(sa.text("UPDATE plan_status SET note = 'masih boleh'"))
    dispose(old)
    upgraded = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                          instance_path=tmp_path / "new")
    try:
        with upgraded.app_context():
            assert schema.state()[0] == schema.head_revision()
        assert rows(upgraded) == [(1, "kedisiplinan", "in_progress", "masih boleh")]
        for operation, sql in CHANGES.items():
            refused(upgraded, operation, sql)
    finally:
        dispose(upgraded)


def status_events(app: Any) -> list[int]:
    with app.app_context():
        return list(db.session.execute(sa.text(
            "SELECT seq FROM audit_event WHERE action = 'plan_status' ORDER BY seq")).scalars())


def test_audit_verify_counts_the_statuses(followed, capsys):  # type: ignore[no-untyped-def]
    status, out = verify_cli(followed[0], capsys)
    assert status == 0 and "chain intact" in out and "2 plan statuses verified" in out


def test_a_status_changed_behind_the_application_is_named(followed, capsys):  # type: ignore[no-untyped-def]
    app, assessment_id, item = followed[0], followed[2], followed[4]
    first, _second = status_events(app)
    row = rows(app)[0][0]
    raw(app, f"UPDATE plan_status SET status = 'done' WHERE id = {row}")
    status, out = verify_cli(app, capsys)
    assert status == 1
    assert (f"first breach at entry #{first}: content changed: plan status {row} (assessment "
            f"{assessment_id}, item {item}): its status, date, note, evaluation or author "
            f"differ from what entry #{first} recorded") in out


def test_a_deleted_status_is_named(followed, capsys):  # type: ignore[no-untyped-def]
    app, assessment_id, item = followed[0], followed[2], followed[4]
    _first, second = status_events(app)
    raw(app, f"DELETE FROM plan_status WHERE id = {rows(app)[1][0]}")
    status, out = verify_cli(app, capsys)
    assert status == 1 and (
        f"first breach at entry #{second}: entry missing: the plan status of assessment "
        f"{assessment_id}, item {item}, recorded in entry #{second}, is missing") in out


def test_a_status_added_behind_the_application_is_named(followed, capsys):  # type: ignore[no-untyped-def]
    app, assessment_id, item = followed[0], followed[2], followed[4]
    raw(app, ("INSERT INTO plan_status (assessment_id, evaluation_id, recommendation, status, "
              "status_date, note, actor, at) SELECT assessment_id, evaluation_id, "
              "recommendation, 'done', status_date, 'palsu', actor, at FROM plan_status "
              "WHERE id = :id", {"id": rows(app)[0][0]}))
    added = rows(app)[-1][0]
    status, out = verify_cli(app, capsys)
    assert status == 1 and (
        f"first breach at the stored records: entry missing: plan status {added} (assessment "
        f"{assessment_id}, item {item}) has no audit entry") in out


def test_the_audit_pack_carries_the_statuses_and_verify_pack_checks_them(  # type: ignore[no-untyped-def]
        followed, sign_in, tmp_path, capsys):
    """The follow-up is in the pack (plan/statuses.json) and checked offline against the
    pack's plan_status entries: a status changed in the pack, with a manifest made to match,
    is named; so is a row taken out."""
    import hashlib
    import json
    import zipfile

    from expert.cli import main

    app, _, assessment_id, _, _ = followed
    pack = tmp_path / "pack.zip"
    pack.write_bytes(sign_in(app, "auditor").get(
        f"/audit/assessments/{assessment_id}/pack.zip").data)
    statuses = json.loads(zipfile.ZipFile(pack).read("plan/statuses.json"))
    assert [row["status"] for row in statuses] == ["in_progress", "done"]
    capsys.readouterr()
    assert main(["audit", "verify-pack", str(pack)]) == 0
    assert "verified: 1 evaluation(s), 2 plan status(es)" in capsys.readouterr().out

    def repacked(name: str, change) -> Path:  # type: ignore[no-untyped-def]
        target = tmp_path / name
        with zipfile.ZipFile(pack) as source, zipfile.ZipFile(target, "w") as out:
            manifest = json.loads(source.read("manifest.json"))
            rows = change(json.loads(source.read("plan/statuses.json")))
            data = (json.dumps(rows) + "\n").encode()
            manifest["files"]["plan/statuses.json"] = hashlib.sha256(data).hexdigest()
            for member in source.namelist():
                if member not in ("manifest.json", "plan/statuses.json"):
                    out.writestr(member, source.read(member))
            out.writestr("plan/statuses.json", data)
            out.writestr("manifest.json", json.dumps(manifest))
        return target

    def forged_note(rows):  # type: ignore[no-untyped-def]
        rows[1]["note"] = "Selesai lebih awal"
        return rows

    assert main(["audit", "verify-pack", str(repacked("note.zip", forged_note))]) == 1
    out = capsys.readouterr().out
    assert "NOT VERIFIED" in out and "plan status" in out and "no audit entry" in out
    assert main(["audit", "verify-pack", str(repacked("gone.zip", lambda rows: rows[:1]))]) == 1
    assert "its plan status is missing from the pack" in capsys.readouterr().out
