"""The audit trail (webui/db/audit.py, webui/auditpack.py, webui/blueprints/audit.py), on
SQLite and PostgreSQL: appends form one chain; the database refuses UPDATE and DELETE;
tampering with raw SQL — an evaluation altered, an entry deleted, entries reordered or
edited — shows "not verified" on the report and makes ``kinerja audit verify`` exit 1 naming
the first breach; the audit log's filters; the audit pack checked offline."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from expert.cli import main
from tests.webui.conftest import login
from webui.db import Evaluation, db
from webui.db.audit import AuditEvent, verify


def raw(app: Any, *statements: str | tuple[str, dict[str, Any]]) -> None:
    """Run SQL as an attacker with the database's password would: triggers off first."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            for name in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all():
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for table in ("evaluation", "audit_event", "assessment", "plan_status"):
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            if isinstance(statement, tuple):
                text, params = statement
                if connection.dialect.name != "sqlite":
                    text = text.replace(":result", "CAST(:result AS json)")
                connection.execute(sa.text(text), params)
            else:
                connection.exec_driver_sql(statement)


def verify_cli(app: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    instance = Path(app.instance_path)
    (instance / "config.py").write_text(
        f"SQLALCHEMY_DATABASE_URI = {app.config['SQLALCHEMY_DATABASE_URI']!r}\n")
    capsys.readouterr()
    status = main(["audit", "verify", "--instance", str(instance)])
    return status, capsys.readouterr().out


@pytest.fixture
def head(db_app):
    return login(db_app.test_client(), "kepala")


@pytest.fixture
def auditor(db_app):
    return login(db_app.test_client(), "auditor")


def saved(head, save_fields) -> int:
    response = head.post("/assessments/new", data=save_fields)
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_every_change_is_one_link_of_one_chain(db_app, head, auditor, seed_case, form_fields):
    assessment = saved(head, form_fields(seed_case))
    assert head.post(f"/assessments/{assessment}/edit",
                     data=form_fields(seed_case)).status_code == 303
    assert head.get(f"/assessments/{assessment}/evaluations/1/case.yaml").status_code in (
        200, 404)
    assert head.post(f"/assessments/{assessment}/archive",
                     data={"reason": "dobel"}).status_code == 303
    assert login(db_app.test_client(), "kepala").post(
        "/login", data={"username": "kepala", "password": "wrong"}).status_code in (302, 401)
    with db_app.app_context():
        entries = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        actions = [e.action for e in entries]
        assert actions[:5] == ["user_add"] * 5  # the test users
        for action in ("login", "create", "reevaluate", "archive"):
            assert action in actions
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
        create = next(e for e in entries if e.action == "create")
        assert (create.actor, create.role, create.object_type) == ("kepala", "head",
                                                                    "evaluation")
        assert create.remote_addr == "127.0.0.1" and len(create.content_hash) == 64
        report = verify()
        assert report.intact and report.entries == len(entries) and report.evaluations == 2
        assert report.head == entries[-1].hash


def test_the_database_refuses_update_and_delete(db_app, head, seed_case, form_fields):
    saved(head, form_fields(seed_case))
    statements = ["UPDATE evaluation SET overall = 'good'", "DELETE FROM evaluation",
                  "UPDATE audit_event SET actor = 'someone'", "DELETE FROM audit_event",
                  "DELETE FROM assessment"]
    with db_app.app_context():
        for statement in statements:  # raw SQL, no ORM in the way
            with pytest.raises(sa.exc.DatabaseError, match="refused"), \
                    db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
        with pytest.raises(sa.exc.DatabaseError, match="refused"):  # SQLAlchemy's update()
            db.session.execute(sa.update(Evaluation).values(overall="good"))
        db.session.rollback()
        assert verify().intact


def test_an_evaluation_altered_with_raw_sql_is_not_verified(db_app, head, auditor, seed_case,
                                                            form_fields, capsys):
    assessment = saved(head, form_fields(seed_case))
    page = auditor.get(f"/assessments/{assessment}").get_data(as_text=True)
    assert 'data-verified="true"' in page and "Terverifikasi" in page
    with db_app.app_context():
        evaluation_id = db.session.scalar(sa.select(sa.func.max(Evaluation.id)))
    # the forged verdict: the summary column and the stored result both say "good"
    raw(db_app, f"UPDATE evaluation SET overall = 'good' WHERE id = {evaluation_id}",
        f"UPDATE assessment SET overall = 'good' WHERE id = {assessment}")
    page = auditor.get(f"/assessments/{assessment}").get_data(as_text=True)
    assert 'data-verified="false"' in page and "TIDAK terverifikasi" in page
    status, out = verify_cli(db_app, capsys)
    assert status == 1
    assert f"content changed: evaluation {evaluation_id} (assessment {assessment})" in out
    print(out)


def test_a_changed_case_json_is_caught_too(db_app, head, auditor, seed_case, form_fields,
                                           capsys):
    assessment = saved(head, form_fields(seed_case))
    with db_app.app_context():
        evaluation = db.session.get(Evaluation, db.session.scalar(
            sa.select(sa.func.max(Evaluation.id))))
        forged = dict(evaluation.result)
        forged["id"] = {**forged["id"], "overall": {**forged["id"]["overall"], "label": "Baik"}}
        text, evaluation_id = json.dumps(forged), evaluation.id
    raw(db_app, ("UPDATE evaluation SET result = :result WHERE id = :id",
                 {"result": text, "id": evaluation_id}))
    page = auditor.get(f"/assessments/{assessment}").get_data(as_text=True)
    assert 'data-verified="false"' in page
    status, out = verify_cli(db_app, capsys)
    assert status == 1 and f"evaluation {evaluation_id}" in out


def test_a_deleted_audit_entry_breaks_the_chain(db_app, head, seed_case, form_fields, capsys):
    saved(head, form_fields(seed_case))
    raw(db_app, "DELETE FROM audit_event WHERE seq = 3")
    status, out = verify_cli(db_app, capsys)
    assert status == 1
    assert "first breach at entry #3: entry missing: entry #3 is missing" in out
    print(out)


def test_a_deleted_evaluation_entry_is_named(db_app, head, seed_case, form_fields, capsys):
    saved(head, form_fields(seed_case))
    with db_app.app_context():
        last = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
        entry = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "create"))
        seq, evaluation_id = entry.seq, entry.object_id
    raw(db_app, f"DELETE FROM audit_event WHERE seq >= {seq}")  # the tail, cut cleanly
    status, out = verify_cli(db_app, capsys)
    assert status == 1 and f"evaluation {evaluation_id} has no audit entry" in out
    assert last >= seq


def test_a_reordered_chain_is_a_broken_link(db_app, head, seed_case, form_fields, capsys):
    saved(head, form_fields(seed_case))
    raw(db_app, "UPDATE audit_event SET seq = -2 WHERE seq = 2",
        "UPDATE audit_event SET seq = 2 WHERE seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE seq = -2")
    status, out = verify_cli(db_app, capsys)
    assert status == 1
    assert "first breach at entry #2: link broken" in out
    print(out)


def test_an_edited_entry_is_content_changed(db_app, head, seed_case, form_fields, capsys):
    saved(head, form_fields(seed_case))
    raw(db_app, "UPDATE audit_event SET actor = 'someone_else' WHERE seq = 4")
    status, out = verify_cli(db_app, capsys)
    assert status == 1 and "first breach at entry #4: content changed" in out


def test_an_intact_chain_verifies(db_app, head, seed_case, form_fields, capsys):
    saved(head, form_fields(seed_case))
    status, out = verify_cli(db_app, capsys)
    assert status == 0 and "entries, chain intact, head " in out
    print(out)


def test_the_audit_log_filters_by_user_action_object_and_date(db_app, head, auditor,
                                                              seed_case, form_fields):
    assessment = saved(head, form_fields(seed_case))
    assert head.post(f"/assessments/{assessment}/archive",
                     data={"reason": "Salah kantor"}).status_code == 303
    page = auditor.get("/audit/?action=archive").get_data(as_text=True)
    assert "Salah kantor" in page and 'data-action="login"' not in page
    page = auditor.get("/audit/?user=kepala").get_data(as_text=True)
    assert 'data-action="create"' in page and 'data-action="user_add"' not in page
    page = auditor.get(f"/audit/?object=assessment/{assessment}").get_data(as_text=True)
    assert 'data-action="create"' in page and 'data-action="archive"' in page
    assert 'data-action="login"' not in page
    assert 'data-action="create"' not in auditor.get(
        "/audit/?from=2000-01-01&to=2000-12-31").get_data(as_text=True)
    assert 'data-action="create"' in auditor.get("/audit/?from=2000-01-01").get_data(
        as_text=True)
    assert auditor.get("/audit/?from=yesterday").status_code == 400
    assert auditor.get("/audit/?action=steal").status_code == 400


def test_the_audit_pack_verifies_offline_and_catches_changes(db_app, head, auditor, seed_case,
                                                             form_fields, tmp_path, capsys):
    assessment = saved(head, form_fields(seed_case))
    head.post(f"/assessments/{assessment}/edit", data=form_fields(seed_case))
    response = auditor.get(f"/audit/assessments/{assessment}/pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    pack = tmp_path / "pack.zip"
    pack.write_bytes(response.data)
    names = zipfile.ZipFile(pack).namelist()
    assert {"manifest.json", "assessment.json", "audit/entries.json", "audit/chain_head.json",
            "knowledge/version.txt"} <= set(names)
    assert any(n.endswith("/result.json") for n in names)
    assert any(n.startswith("knowledge/files/rules/") for n in names)
    capsys.readouterr()
    assert main(["audit", "verify-pack", str(pack)]) == 0
    assert "verified: 2 evaluation(s)" in capsys.readouterr().out

    # a forged result with a manifest made to match: the content hash still catches it
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(forged, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("/result.json") and b'"fair"' in data:
                data = data.replace(b'"fair"', b'"good"')
                import hashlib

                manifest["files"][name] = hashlib.sha256(data).hexdigest()
            if name != "manifest.json":
                target.writestr(name, data)
        target.writestr("manifest.json", json.dumps(manifest))
    assert main(["audit", "verify-pack", str(forged)]) == 1
    out = capsys.readouterr().out
    assert "NOT VERIFIED" in out and "content changed" in out and "evaluation" in out
    print(out)

    # a file changed without the manifest: named
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(altered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "audit/entries.json":
                data = data.replace(b'"kepala"', b'"someone"')
            target.writestr(name, data)
    assert main(["audit", "verify-pack", str(altered)]) == 1
    assert "audit/entries.json: content changed" in capsys.readouterr().out
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"nope")
    assert main(["audit", "verify-pack", str(not_zip)]) == 1
    assert main(["audit", "verify-pack", str(tmp_path / "missing.zip")]) == 2


def test_the_pack_download_is_in_the_log(db_app, head, auditor, seed_case, form_fields):
    assessment = saved(head, form_fields(seed_case))
    auditor.get(f"/audit/assessments/{assessment}/pack.zip")
    page = auditor.get("/audit/?action=export_pack").get_data(as_text=True)
    assert f"assessment/{assessment}" in page and "auditor" in page


def test_zip_member_outside_the_pack_is_refused(tmp_path, capsys):
    pack = tmp_path / "evil.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps({
            "format": "kinerja-audit-pack-1", "knowledge_version": "sha256:x",
            "files": {}}))
        archive.writestr("knowledge/files/../../escape.yaml", "x: 1")
    pack.write_bytes(buffer.getvalue())
    assert main(["audit", "verify-pack", str(pack)]) == 1
    out = capsys.readouterr().out
    assert "not in the manifest" in out
    assert not (tmp_path / "escape.yaml").exists()
