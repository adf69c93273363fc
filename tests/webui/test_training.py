"""The trainers' side (issue 10): bulk import with preview, the needs page, the plan (adjust,
save, who and when), exports (audited), the print view and the API."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from expert import KnowledgeBase
from expert.io import import_cases, template_xlsx
from webui.db import Assessment, db
from webui.db.audit import SYSTEM, AuditEvent
from webui.db.training import NeedsSummary, ProgrammePlan
from webui.db.users import add_office

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "akpk_15_offices.csv"


def fifteen_offices_xlsx(kb: KnowledgeBase) -> bytes:
    """The 15-office fixture as a filled XLSX template (what a trainer uploads)."""
    cases = [item.case for item in import_cases(kb, FIXTURE.read_bytes(), FIXTURE.name)]
    return template_xlsx(kb, cases)


def register_offices(app: Flask, kb: KnowledgeBase) -> None:
    names = {item.case.office or item.case.subject_name
             for item in import_cases(kb, FIXTURE.read_bytes(), FIXTURE.name)}
    with app.app_context():
        for name in sorted(names):
            add_office(name, by=SYSTEM)


def upload(client: FlaskClient, data: bytes, name: str) -> tuple[int, str]:
    response = client.post("/assessments/import/", data={
        "import_file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def trainer(client_as) -> FlaskClient:
    return client_as("pelatih")


@pytest.fixture
def imported(app: Flask, kb: KnowledgeBase, trainer: FlaskClient) -> FlaskClient:
    register_offices(app, kb)
    status, page = upload(trainer, fifteen_offices_xlsx(kb), "lima-belas-dinas.xlsx")
    assert status == 200, page[:2000]
    token = re.search(r'/assessments/import/([A-Za-z0-9_-]{22})"', page).group(1)
    response = trainer.post(f"/assessments/import/{token}")
    assert response.status_code == 303
    return trainer


def test_a_trainer_imports_fifteen_offices_from_one_spreadsheet(
        app: Flask, kb: KnowledgeBase, trainer: FlaskClient) -> None:
    register_offices(app, kb)
    status, page = upload(trainer, fifteen_offices_xlsx(kb), "lima-belas-dinas.xlsx")
    assert status == 200
    assert "22 baris siap diimpor" in page and "Dinas Pendidikan" in page
    with app.app_context():  # a preview saves nothing
        assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 0
    token = re.search(r'/assessments/import/([A-Za-z0-9_-]{22})"', page).group(1)
    assert trainer.post(f"/assessments/import/{token}").status_code == 303
    with app.app_context():
        assessments = db.session.scalars(sa.select(Assessment)).all()
        assert len(assessments) == 22
        assert len({a.office.name for a in assessments if a.office}) == 15
        assert db.session.scalar(sa.select(sa.func.count(NeedsSummary.evaluation_id))) == 22
    assert trainer.post(f"/assessments/import/{token}").status_code == 404  # used once


def test_a_bad_spreadsheet_is_refused_whole_with_rows_and_columns(
        app: Flask, kb: KnowledgeBase, trainer: FlaskClient) -> None:
    book = load_workbook(io.BytesIO(fifteen_offices_xlsx(kb)))
    sheet = book["Penilaian"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=5, column=headers.index("kemampuan / wawancara") + 1, value="luar biasa")
    buffer = io.BytesIO()
    book.save(buffer)
    register_offices(app, kb)
    status, page = upload(trainer, buffer.getvalue(), "salah.xlsx")
    assert status == 400
    assert "import-problems" in page and "«kemampuan / wawancara»" in page
    assert re.search(r"<th scope=\"row\"[^>]*>\s*5\s*</th>", page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 0


def test_an_unregistered_office_is_a_problem(kb: KnowledgeBase, trainer: FlaskClient) -> None:
    status, page = upload(trainer, FIXTURE.read_bytes(), "a.csv")
    assert status == 400 and "belum terdaftar" in page


def test_who_may_import(client: FlaskClient, trainer: FlaskClient) -> None:
    assert client.get("/assessments/import/").status_code == 403  # a head: the form
    assert trainer.get("/assessments/import/").status_code == 200
    template = trainer.get("/assessments/import/template.xlsx")
    assert load_workbook(io.BytesIO(template.data))["Penilaian"]["A1"].value == "nama"


def test_the_needs_page(imported: FlaskClient) -> None:
    page = imported.get("/training/").get_data(as_text=True)
    assert "22 penilaian, 15 unit, 3 kebutuhan" in page
    assert 'class="heat-map"' in page and "Dinas Pendidikan" in page
    assert "competency.technology_gap_low_hours" in page  # HOW
    assert "Pegawai 02-A" in page  # under 20 JP
    assert 'id="plan-technology_skills"' in page
    filtered = imported.get("/training/?office=Dinas+Pariwisata").get_data(as_text=True)
    assert "1 penilaian, 1 unit, 2 kebutuhan" in filtered


def test_adjust_and_save_a_plan(app: Flask, imported: FlaskClient) -> None:
    form = {"title": "Rencana 2026", "office": [], "technology_skills.included": "1",
            "technology_skills.forms": ["coaching", "pelatihan"],
            "technology_skills.participants": "40", "technology_skills.hours": "16",
            "technology_skills.timeframe": "long", "technology_skills.priority": "high",
            "technology_skills.note": "angkatan pertama"}
    bad = imported.post("/training/plans", data={**form,
                                                 "technology_skills.participants": "-3"})
    assert bad.status_code == 400 and "plan-errors" in bad.get_data(as_text=True)
    response = imported.post("/training/plans", data=form)
    assert response.status_code == 303
    page = imported.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rencana tersimpan «Rencana 2026», oleh pelatih" in page
    assert 'value="40"' in page and "angkatan pertama" in page
    with app.app_context():
        plan = db.session.scalars(sa.select(ProgrammePlan)).one()
        line = next(x for x in plan.lines if x["programme"] == "technology_skills")
        assert (line["participants"], line["total_hours"], line["forms"]) == \
            (40, 640, ["pelatihan", "coaching"])
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "plan_save")).one()
        assert event.actor == "pelatih"


def test_a_head_may_read_but_not_save_a_plan(client: FlaskClient) -> None:
    assert client.get("/training/").status_code == 200
    assert client.post("/training/plans", data={"title": "x"}).status_code == 403


def test_exports_are_audited(app: Flask, imported: FlaskClient) -> None:
    workbook = imported.get("/training/export.xlsx")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.data)).sheetnames == [
        "Kebutuhan", "Rencana", "JP pegawai", "JP unit", "Tren"]
    csv_text = imported.get("/training/export.csv?table=employees").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("Nama,NIP,Unit")
    assert "Pegawai 04-A" in csv_text
    assert imported.get("/training/export.pdf").status_code == 404
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "export")).all()
        assert len(events) == 2 and {e.actor for e in events} == {"pelatih"}


def test_print_view(imported: FlaskClient) -> None:
    page = imported.get("/training/print").get_data(as_text=True)
    assert "Analisis Kebutuhan Pengembangan Kompetensi (AKPK)" in page
    assert 'id="print-plan"' in page and "Peraturan LAN 10/2018" in page


def test_api_training_needs(imported: FlaskClient) -> None:
    data = imported.get("/api/v1/training-needs?office=Dinas+Pendidikan&lang=en").get_json()
    assert data["assessments"] == 3 and data["units"] == ["Dinas Pendidikan"]
    assert {n["diagnosis"] for n in data["needs"]} == {"untrained_technology_gap",
                                                       "training_below_entitlement"}
    assert data["plan"][0]["forms"]
    assert imported.get("/api/v1/training-needs?lang=xx").status_code == 400


def rows(page: str) -> list[str]:
    return re.findall(r'<a href="/assessments/\d+">([^<]+)</a>', page)


def test_the_list_filters_sorts_searches_and_counts(imported: FlaskClient) -> None:
    page = imported.get("/").get_data(as_text=True)
    assert "22 penilaian" in page
    by_office = imported.get("/?office=Dinas+Pendidikan").get_data(as_text=True)
    assert sorted(rows(by_office)) == ["Dinas Pendidikan", "Pegawai 01-A", "Pegawai 01-B"]
    employees = imported.get("/?kind=employee&sort=name").get_data(as_text=True)
    assert rows(employees) == sorted(rows(employees)) and len(rows(employees)) == 7
    assert rows(imported.get("/?q=pegawai+04").get_data(as_text=True)) == ["Pegawai 04-A"]
    digital = rows(imported.get("/?topic=digital_skills").get_data(as_text=True))
    assert {"Dinas Pariwisata", "Dinas Koperasi dan UKM"} <= set(digital)
    assert "Dinas Perikanan" not in digital  # all good: advice on recognition only
    assert rows(imported.get("/?topic=field_transport").get_data(as_text=True)) == []
    assert rows(imported.get("/?q=%25").get_data(as_text=True)) == []  # % is a character
    ignored = imported.get("/?verdict=<script>&sort=evil").get_data(as_text=True)
    assert "22 penilaian" in ignored and "<script>" not in ignored


def test_the_list_paginates_with_totals(app: Flask, kb: KnowledgeBase,
                                        imported: FlaskClient) -> None:
    from webui.blueprints import assessments

    old, assessments.PAGE_SIZE = assessments.PAGE_SIZE, 10
    try:
        first = imported.get("/?sort=name").get_data(as_text=True)
        third = imported.get("/?sort=name&page=3").get_data(as_text=True)
    finally:
        assessments.PAGE_SIZE = old
    assert len(rows(first)) == 10 and len(rows(third)) == 2
    assert "Halaman 1 dari 3" in first
    link = re.search(r'rel="next" href="(/\?[^"]*page=2[^"]*)"', first).group(1)
    assert "sort=name" in link


def test_a_head_does_not_see_saved_plans(app: Flask, imported: FlaskClient,
                                         client: FlaskClient) -> None:
    response = imported.post("/training/plans", data={"title": "Rencana"})
    plan_url = response.headers["Location"]
    assert imported.get(plan_url).status_code == 200
    assert client.get(plan_url).status_code == 404
    assert "saved-plans" not in client.get("/training/").get_data(as_text=True)
    # a head's analysis is their offices' only: none of the imported ones
    assert "0 penilaian" in client.get("/training/").get_data(as_text=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_akpk_as_pdf(app: Flask, imported: FlaskClient) -> None:
    response = imported.get("/training/print.pdf?office=Dinas+Pendidikan")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    done = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True)
    text = " ".join(done.stdout.decode().split())
    assert "Analisis Kebutuhan Pengembangan Kompetensi (AKPK)" in text
    assert "Pegawai 01-A" in text and "training.below_entitlement" in text  # HOW
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "export")).one()
        assert '"pdf"' in event.detail
