"""Who may do what: every route tried by every role and anonymously (webui/auth.py).

The table below is the product's permission table as tested. Each row is one route; each
column one caller: ``anon`` (no login), ``admin``, ``head`` (a head of office whose office
holds the assessment), ``head2`` (a head of another office), ``trainer``, ``auditor``.
"A" is a live assessment of the head's office, "X" an archived one of that office. Expected:
200 page, 303 done (redirect), 302 to the login page, 401 JSON, 403 refused, 404 hidden.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from expert import parse_case
from tests.webui.conftest import OFFICE, anonymous_client, login
from webui.db import archive_assessment, record_evaluation
from webui.db.accounts import find_office
from webui.db.audit import SYSTEM
from webui.expert_ext import knowledge_base

CALLERS = ("anon", "admin", "head", "head2", "trainer", "auditor")
USERNAMES = {"admin": "admin", "head": "kepala", "head2": "kepala2", "trainer": "pelatih",
             "auditor": "auditor"}


def expect(spec: str) -> dict[str, int]:
    """"anon=302 admin=200 ..." -> {caller: status}; ``*=N`` sets the rest."""
    pairs = dict(part.split("=") for part in spec.split())
    rest = pairs.pop("*", None)
    table = {caller: int(pairs.get(caller, rest or 0)) for caller in CALLERS}
    assert all(table.values()), spec
    return table


READ = "anon=302 *=200 head2=404"
WRITE = "anon=302 admin=303 head=303 head2=404 trainer=403 auditor=403"
WRITE_PAGE = "anon=302 admin=200 head=200 head2=404 trainer=403 auditor=403"
CREATE = "anon=302 admin=303 head=303 head2=303 trainer=403 auditor=403"
CREATE_PAGE = "anon=302 admin=200 head=200 head2=200 trainer=403 auditor=403"
AUDIT = "anon=302 admin=200 auditor=200 *=403"
ADMIN_POST = "anon=302 admin=303 *=403"
API = "anon=401 *=200"
IMPORT = "anon=302 admin=200 trainer=200 *=403"

# (route, method, url, form data, expected) — {A}: a live assessment of the head's office,
# {E}: its evaluation, {X}: an archived assessment of that office. Routes that change
# something get a new assessment per caller.
TABLE: list[tuple[str, str, str, Any, str]] = [
    ("health", "GET", "/health", None, "*=200"),
    ("login page", "GET", "/login", None, "anon=200 *=302"),
    ("wrong password", "POST", "/login", {"username": "admin", "password": "wrong-guess"},
     "*=401"),
    ("assessment list", "GET", "/", None, "anon=302 *=200"),
    ("assessment report", "GET", "/assessments/{A}", None, READ),
    ("an evaluation", "GET", "/assessments/{A}/evaluations/{E}", None, READ),
    ("download case", "GET", "/assessments/{A}/evaluations/{E}/case.yaml", None, READ),
    ("download result", "GET", "/assessments/{A}/evaluations/{E}/result.json", None, READ),
    ("new form", "GET", "/assessments/new", None, CREATE_PAGE),
    ("save new", "POST", "/assessments/new", "form", CREATE),
    ("duplicate", "GET", "/assessments/new?copy={E}", None, WRITE_PAGE),
    ("edit form", "GET", "/assessments/{A}/edit", None, WRITE_PAGE),
    ("re-evaluate", "POST", "/assessments/{A}/edit", "form", WRITE),
    ("upload page", "GET", "/assessments/upload", None, CREATE_PAGE),
    ("upload", "POST", "/assessments/upload", "upload", CREATE),
    ("archive page", "GET", "/assessments/{A}/archive", None, WRITE_PAGE),
    ("archive", "POST", "/assessments/{A}/archive", {"reason": "entered twice"}, WRITE),
    ("archived list", "GET", "/assessments/archived", None, AUDIT),
    ("move to an office", "POST", "/assessments/{A}/office", {"office_id": ""},
     "anon=302 admin=303 head=403 head2=403 trainer=403 auditor=403"),
    ("archived report", "GET", "/assessments/{X}", None,
     "anon=302 admin=200 auditor=200 *=404"),
    ("edit archived", "GET", "/assessments/{X}/edit", None,
     "anon=302 admin=403 head=404 head2=404 trainer=403 auditor=403"),
    ("archive archived", "POST", "/assessments/{X}/archive", {"reason": "again"},
     "anon=302 admin=403 head=404 head2=404 trainer=403 auditor=403"),
    ("audit log", "GET", "/audit/", None, AUDIT),
    ("audit pack", "GET", "/audit/assessments/{A}/pack.zip", None, AUDIT),
    ("users page", "GET", "/admin/users", None, "anon=302 admin=200 *=403"),
    ("add user", "POST", "/admin/users", "new_user", ADMIN_POST),
    ("change user", "POST", "/admin/users/pelatih",
     {"action": "role", "role": "trainer"}, ADMIN_POST),
    ("add office", "POST", "/admin/offices", "new_office", ADMIN_POST),
    ("plan status", "POST", "/assessments/{A}/evaluations/{E}/plan/complete_assessment",
     {"status": "in_progress", "date": "", "note": ""}, WRITE),
    ("plan status, archived", "POST",
     "/assessments/{X}/evaluations/{E}/plan/complete_assessment", {"status": "done"},
     "anon=302 admin=403 head=404 head2=404 trainer=403 auditor=403"),
    ("official PDF", "GET", "/assessments/{A}/evaluations/{E}/report.pdf", None, READ),
    ("compare", "GET", "/assessments/{A}/compare?a={E}&b={E}", None, READ),
    ("trend", "GET", "/assessments/{A}/trend", None, READ),
    ("what-if page", "GET", "/assessments/{A}/evaluations/{E}/what-if?finding-ability=good",
     None, READ),
    ("glossary", "GET", "/knowledge/glossary", None, "anon=302 *=200"),
    ("knowledge", "GET", "/knowledge/", None, "anon=302 *=200"),
    *[(f"knowledge {page}", "GET", f"/knowledge/{page}", None, "anon=302 *=200")
      for page in ("factors", "measures", "diagnoses", "recommendations", "references",
                   "rules", "rules/evidence.triangulation")],
    ("language", "POST", "/lang", {"lang": "en"}, "*=303"),
    ("logout", "POST", "/logout", {}, "anon=302 *=303"),
    ("own password page", "GET", "/account/password", None, "anon=302 *=200"),
    ("change own password", "POST", "/account/password",  # a wrong current one: unchanged
     {"current_password": "wrong-guess", "new_password": "long-enough-1",
      "confirm_password": "long-enough-1"}, "anon=302 *=400"),
    ("API evaluate", "POST", "/api/v1/evaluate", "json", API),
    ("API explain", "POST", "/api/v1/explain/overall", "json", API),
    ("API what-if", "POST", "/api/v1/what-if", "what_if", API),
    ("API knowledge", "GET", "/api/v1/knowledge", None, API),
    ("API description", "GET", "/api/v1/openapi.json", None, API),
    # the trainers' side (issue 10)
    ("training needs", "GET", "/training/", None, "anon=302 *=200"),
    ("training print", "GET", "/training/print", None, "anon=302 *=200"),
    ("training export", "GET", "/training/export.xlsx", None, "anon=302 *=200"),
    ("training PDF", "GET", "/training/print.pdf", None, "anon=302 *=200"),
    ("save plan", "POST", "/training/plans", {"title": "Rencana"},
     "anon=302 admin=303 trainer=303 *=403"),
    ("import page", "GET", "/assessments/import/", None, IMPORT),
    ("import template", "GET", "/assessments/import/template.xlsx", None, IMPORT),
    ("import preview", "POST", "/assessments/import/", "import", IMPORT),
    ("import confirm", "POST", "/assessments/import/" + "T" * 22, {},
     "anon=302 admin=404 trainer=404 *=403"),
    ("API training needs", "GET", "/api/v1/training-needs", None, API),
]


def _assessment(app: Flask, office: str, *, archived: bool = False) -> tuple[int, int]:
    with app.app_context():
        kb = knowledge_base()
        case = parse_case(kb, {"subject": {"name": "Unit uji"}, "findings": {"ability": "fair"}})
        assessment = record_evaluation(kb, case, origin="form", office=find_office(office))
        if archived:
            archive_assessment(assessment, "test", SYSTEM)
        return assessment.id, assessment.latest.id


def _data(kind: Any, caller: str, seed_case: dict[str, Any], form_fields: Callable[..., Any]
          ) -> dict[str, Any]:
    if kind == "form":
        return {"data": form_fields(seed_case)}
    if kind == "upload":
        return {"data": {"case_file": (io.BytesIO(b"subject: {name: Unggahan}"), "c.yaml")}}
    if kind == "new_user":
        return {"data": {"username": f"baru-{caller}", "role": "trainer",
                         "password": "password-long-enough"}}
    if kind == "new_office":
        return {"data": {"name": f"Dinas Baru {caller}"}}
    if kind == "import":
        return {"data": {"import_file": (io.BytesIO(b"subject: {name: Impor}"), "c.yaml")}}
    if kind == "json":
        return {"json": seed_case}
    if kind == "what_if":
        return {"json": {"case": seed_case, "changes": {"findings.ability": "good"}}}
    return {"data": kind} if kind is not None else {}


@pytest.mark.parametrize("route, method, url, data, spec", TABLE, ids=[r[0] for r in TABLE])
def test_who_may_do_what(app, seed_case, form_fields, route, method, url, data, spec):
    expected = expect(spec)
    got = {}
    for caller in CALLERS:
        client = anonymous_client(app)
        if caller != "anon":
            login(client, USERNAMES[caller])
        assessment, evaluation = _assessment(app, OFFICE)  # new each time: posts change it
        archived, _ = _assessment(app, OFFICE, archived=True)
        target = url.format(A=assessment, E=evaluation, X=archived)
        response = client.open(target, method=method, **_data(data, caller, seed_case,
                                                               form_fields))
        got[caller] = response.status_code
        if caller == "anon" and response.status_code == 302:
            assert "/login" in response.headers["Location"]
        if response.status_code == 401 and target.startswith("/api/"):
            assert response.is_json and response.headers["WWW-Authenticate"].startswith("Bearer")
        if response.status_code == 403 and not target.startswith("/api/"):
            assert "Akses ditolak" in response.get_data(as_text=True)
    assert got == expected, route


def test_the_table_covers_every_route(app):
    """A new route must get a row above."""
    tried = {(method, url.split("?")[0]) for _, method, url, _, _ in TABLE}
    rules = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            path = rule.rule
            for name, placeholder in (("assessment_id", "{A}"), ("evaluation_id", "{E}"),
                                      ("username", "pelatih"),
                                      ("rule_id", "evidence.triangulation"),
                                      ("recommendation", "complete_assessment"),
                                      ("target", "overall"), ("fmt", "xlsx"),
                                      ("kind", "xlsx"), ("token", "T" * 22)):
                if placeholder is not None:
                    for converter in ("int:", "id:", ""):
                        path = path.replace(f"<{converter}{name}>", placeholder)
            rules.add((method, path))
    untried = rules - tried
    assert untried == set()


def test_a_403_page_is_in_the_users_language(client_as):
    trainer = client_as("pelatih")
    assert "Akses ditolak" in trainer.get("/assessments/new").get_data(as_text=True)
    trainer.set_cookie("lang", "en")
    response = trainer.get("/assessments/new")
    assert response.status_code == 403 and "Access denied" in response.get_data(as_text=True)


def test_a_head_lists_only_their_offices_assessments(app, client_as):
    mine, _ = _assessment(app, OFFICE)
    theirs, _ = _assessment(app, "Dinas Lain")
    page = client_as("kepala").get("/").get_data(as_text=True)
    assert f"/assessments/{mine}" in page and f"/assessments/{theirs}\"" not in page
    auditor = client_as("auditor").get("/").get_data(as_text=True)
    assert f"/assessments/{mine}" in auditor and f"/assessments/{theirs}" in auditor


def test_an_admin_files_an_assessment_under_an_office(app, client_as):
    assessment, _ = _assessment(app, "Dinas Lain")
    with app.app_context():
        uji = find_office(OFFICE).id
    admin = client_as("admin")
    assert admin.post(f"/assessments/{assessment}/office",
                      data={"office_id": str(uji)}).status_code == 303
    assert client_as("kepala").get(f"/assessments/{assessment}").status_code == 200
    assert client_as("kepala2").get(f"/assessments/{assessment}").status_code == 404
    assert admin.post(f"/assessments/{assessment}/office",
                      data={"office_id": "999"}).status_code == 400
    log = client_as("auditor").get("/audit/?action=office_assign").get_data(as_text=True)
    assert "Dinas Lain" in log and OFFICE in log


def test_readers_see_no_edit_or_archive_buttons(app, client_as):
    assessment, _ = _assessment(app, OFFICE)
    for username in ("pelatih", "auditor"):
        page = client_as(username).get(f"/assessments/{assessment}").get_data(as_text=True)
        assert f"/assessments/{assessment}/edit" not in page
        assert f"/assessments/{assessment}/archive" not in page
        assert "/assessments/new" not in page


def test_the_office_comes_from_the_form_the_case_or_the_heads_only_office(
        app, client_as, seed_case, form_fields):
    from webui.db import Assessment, db
    from webui.db.audit import SYSTEM
    from webui.db.users import add_user

    with app.app_context():
        add_user("dua", "head", "password-for-tests", ["Dinas Uji", "Dinas Lain"], by=SYSTEM)
        uji, lain = find_office("Dinas Uji").id, find_office("Dinas Lain").id
    head = client_as("kepala")  # one office: it is used
    response = head.post("/assessments/new", data=form_fields(seed_case))
    assert response.status_code == 303
    two = client_as("dua")  # two offices: must choose, the input is kept
    response = two.post("/assessments/new", data=form_fields(seed_case))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Pilih kantor" in page
    assert seed_case["subject"]["name"] in page
    fields = form_fields(seed_case)
    fields["office_id"] = str(lain)
    assert two.post("/assessments/new", data=fields).status_code == 303
    fields["office_id"] = "999"  # not theirs
    assert two.post("/assessments/new", data=fields).status_code == 400
    # case format v2: subject.office names the office (an upload)
    upload = two.post("/assessments/upload", data={"case_file": (io.BytesIO(
        b"subject: {name: Unit, office: dinas uji}"), "c.yaml")})
    assert upload.status_code == 303
    with app.app_context():
        newest = db.session.scalar(db.select(Assessment).order_by(Assessment.id.desc()))
        assert newest.office_id == uji
    unknown = two.post("/assessments/upload", data={"case_file": (io.BytesIO(
        b"subject: {name: Unit, office: Dinas Entah}"), "c.yaml")})
    assert unknown.status_code == 400 and "Dinas Entah" in unknown.get_data(as_text=True)
    with app.app_context():
        offices = db.session.scalars(db.select(Assessment.office_id).order_by(
            Assessment.id)).all()
        assert offices[:2] == [uji, lain]
