"""Issue 6 regressions in the web application: each row of the issue's table that reaches the
upload form, the API or the routes, the races (made deterministic), and pagination."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from expert import parse_case
from tests.test_reader import alias_bomb
from webui.db import Assessment, AssessmentGone, Evaluation, db, record_evaluation

HUGE = "9223372036854775808"  # 2**63: past any database id
LIMIT_64K = 64 * 1024


def upload(client, body: bytes | str, name: str = "case.yaml"):
    raw = body.encode() if isinstance(body, str) else body
    # encoded in memory: the test client would spool a large body to an unclosed temp file
    boundary, encoded = encode_multipart({"case_file": FileStorage(io.BytesIO(raw), name)})
    return client.post("/assessments/upload", data=encoded,
                       content_type=f"multipart/form-data; boundary={boundary}")


def api(client, body: bytes | str, path: str = "/api/v1/evaluate?lang=en"):
    raw = body.encode() if isinstance(body, str) else body
    return client.post(path, data=raw, content_type="application/json")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# -- one reader at every door ----------------------------------------------------------------

def test_row_alias_bomb_upload_is_400_at_once(client, app):
    response = upload(client, "subject: {name: x}\n" + alias_bomb())
    assert response.status_code == 400
    assert "jangkar YAML" in response.get_data(as_text=True)
    assert count(app, Assessment) == 0


@pytest.mark.parametrize("count", [180_000, 15_000])
def test_row_amplification_api_answer_is_small(client, count):
    body = json.dumps({"subject": {"name": "x"}, "factors": ["x"] * count})
    response = api(client, body)
    assert response.status_code == 400
    assert len(response.get_data()) <= LIMIT_64K
    data = response.get_json()
    if count > 20_000:  # more values than any case: refused whole
        assert "more than 20000 values" in data["problems"][0]["message"]
    else:
        assert len(data["problems"]) == 50 and data["more"] == count - 50
        assert sum("allowed" in p for p in data["problems"]) == 1


@pytest.mark.parametrize("count", [150_000, 19_000])
def test_row_amplification_upload_page_is_small(client, count):
    body = json.dumps({"subject": {"name": "x"}, "factors": ["x" * (880_000 // count - 4)] * count})
    assert len(body) > 700_000
    response = upload(client, body, "big.json")
    assert response.status_code == 400 and len(response.get_data()) <= LIMIT_64K
    page = response.get_data(as_text=True)
    assert "lebih dari 20000 nilai" in page if count > 20_000 else f"{count - 50} masalah" in page


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/explain/overall"])
def test_row_deep_nesting_api_is_400(client, path):
    response = api(client, "[" * 1000 + "]" * 1000, path + "?lang=en")
    assert response.status_code == 400
    assert "nested deeper than 32" in response.get_json()["problems"][0]["message"]


def test_row_duplicate_keys_api_is_400(client):
    response = api(client, '{"subject": {"name": "x"}, "findings": {"ability": "good", '
                           '"ability": "poor"}}')
    assert response.status_code == 400
    assert response.get_json()["problems"] == [
        {"path": "findings.ability", "message": "'ability' is given twice"}]


@pytest.mark.parametrize("body", [
    "{'subject': {'name': 'x'}}",
    '{"subject": {"name": "x"}, // note\n "factors": []}',
    '{"subject": {"name": "x"},}',
])
def test_json_quirks_get_the_same_answer_at_every_door(client, kb, body, tmp_path, capsys):
    from expert.cli import main

    api_problem = api(client, body, "/api/v1/evaluate").get_json()["problems"][0]["message"]
    page = upload(client, body, "case.json").get_data(as_text=True)
    case = tmp_path / "case.json"
    case.write_text(body, encoding="utf-8")
    assert main(["evaluate", str(case)]) == 2
    err = capsys.readouterr().err
    detail = api_problem.split(":", 1)[1].strip()  # after "<name> bukan JSON yang sah"
    assert detail in err and detail in page.replace("&#39;", "'").replace("&#34;", '"')


def test_row_yaml_1_1_numbers_upload(client):
    response = upload(client, "subject: {name: x}\nmeasures: {unexcused_absence_days: 1:30}\n")
    assert response.status_code == 400
    assert "1:30" in response.get_data(as_text=True)


def test_row_control_characters_api_and_form(client, form_fields, seed_case):
    response = api(client, json.dumps({"subject": {"name": "a\u001bb"}}))
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["path"] == "subject.name"
    fields = form_fields({**seed_case, "subject": {"name": "bell\u0007"}})
    page = client.post("/assessments/new", data=fields)
    assert page.status_code == 400 and "\u0007" not in page.get_data(as_text=True)


def test_form_notes_with_windows_line_breaks_are_kept(client, form_fields, seed_case):
    fields = form_fields({**seed_case, "notes": "one\r\ntwo"})
    assert client.post("/assessments/new", data=fields).status_code == 303


# -- routes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", f"/assessments/{HUGE}"), ("get", f"/assessments/{HUGE}/edit"),
    ("post", f"/assessments/{HUGE}/edit"), ("get", f"/assessments/{HUGE}/archive"),
    ("post", f"/assessments/{HUGE}/archive"), ("get", f"/assessments/new?copy={HUGE}"),
    ("get", f"/assessments/1/evaluations/{HUGE}"),
    ("get", f"/assessments/{HUGE}/evaluations/1/case.yaml"),
    ("get", f"/assessments/1/evaluations/{HUGE}/result.json"),
    ("get", "/assessments/0"), ("get", "/assessments/-1"),
    ("get", "/assessments/new?copy=-5"), ("get", "/assessments/" + "9" * 5000),
])
def test_row_huge_ids_are_404(client, method, path):
    assert getattr(client, method)(path).status_code == 404


@pytest.mark.parametrize("target", ["/x\r\nSet-Cookie: a=b", "/x\nb", "/\x00", "/\x1b[2J"])
def test_row_control_characters_in_next_are_400(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 400
    assert "a=b" not in response.headers.get("Set-Cookie", "")


def test_a_long_upload_filename_cannot_grow_the_flash_cookie(client):
    response = upload(client, "subject: {name: x}\n", "x" * 8000 + ".yaml")
    assert response.status_code == 303
    assert len(response.headers.get("Set-Cookie", "")) < 4096
    response = upload(client, "- not a case", "\x1b" + "y" * 8000 + ".yaml")
    assert response.status_code == 400 and len(response.get_data()) <= LIMIT_64K
    assert "\x1b" not in response.get_data(as_text=True)


def test_every_400_page_is_at_most_64_kib(client, form_fields, seed_case):
    fields = form_fields({**seed_case, "subject": {"name": "n" * 500_000}})
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 400 and len(response.get_data()) <= LIMIT_64K


# -- races, made deterministic ---------------------------------------------------------------

def test_row_races_edit_of_an_archived_assessment_is_gone(app, kb, seed_case):
    """Deleting became archiving (issue 7): a re-evaluation racing an archive is refused."""
    from webui.db import archive_assessment
    from webui.db.audit import SYSTEM

    with app.app_context():
        assessment = record_evaluation(kb, parse_case(kb, seed_case), origin="form")
        stale = db.session.get(Assessment, assessment.id)
        archive_assessment(assessment, "another request archived it", SYSTEM)
        with pytest.raises(AssessmentGone):
            record_evaluation(kb, parse_case(kb, seed_case), origin="form", assessment=stale)
        orphans = db.session.scalar(sa.text(
            "SELECT count(*) FROM evaluation WHERE assessment_id NOT IN "
            "(SELECT id FROM assessment)"))
        assert orphans == 0 and db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 1


def test_row_races_the_schema_refuses_an_orphan_evaluation(app):
    with app.app_context():
        db.session.add(Evaluation(assessment_id=12345, kb_version="v", origin="form", case={},
                                  indicator_notes={}, result={}))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_row_races_the_second_archive_is_404(client, save, seed_case):
    assessment_id = save(seed_case)
    reason = {"reason": "twice"}
    assert client.post(f"/assessments/{assessment_id}/archive", data=reason).status_code == 303
    assert client.post(f"/assessments/{assessment_id}/archive", data=reason).status_code == 404


def test_row_races_an_assessment_without_evaluations_is_404_not_500(app, client):
    with app.app_context():
        db.session.add(Assessment(id=7, subject_name="x", subject_kind="unit"))
        db.session.commit()
    for path in ("/assessments/7", "/assessments/7/edit"):
        assert client.get(path).status_code == 404


def test_an_edit_posted_after_an_archive_is_404(client, save, seed_case, form_fields):
    assessment_id = save(seed_case)
    assert client.post(f"/assessments/{assessment_id}/archive",
                       data={"reason": "done"}).status_code == 303
    response = client.post(f"/assessments/{assessment_id}/edit", data=form_fields(seed_case))
    assert response.status_code == 404


def test_sqlite_connections_have_foreign_keys_and_a_busy_timeout(tmp_path):
    from webui import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.sqlite'}"},
                     instance_path=tmp_path)
    with app.app_context(), db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 5000
        assert pragma("PRAGMA journal_mode").scalar() == "wal"


# -- pagination ------------------------------------------------------------------------------

def test_the_list_is_paginated_50_a_page_with_the_total(app):
    client = app.test_client()  # the admin: these assessments have no office
    with app.app_context():
        db.session.add_all(Assessment(subject_name=f"Unit {i:04d}", subject_kind="unit")
                           for i in range(120))
        db.session.commit()
    first = client.get("/").get_data(as_text=True)
    assert first.count('class="row-actions"') == 50
    assert "120 penilaian" in first and "Halaman 1 dari 3" in first
    assert 'href="/?page=2"' in first
    last = client.get("/?page=3").get_data(as_text=True)
    assert last.count('class="row-actions"') == 20
    names = re.findall(r"Unit \d{4}", first + client.get("/?page=2").get_data(as_text=True)
                       + last)
    assert len(set(names)) == 120
    assert client.get("/?page=99").status_code == 200
    assert client.get("/?page=x").status_code == 200


