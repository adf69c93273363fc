"""webui/forms.py: form fields → case, and errors beside their fields."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from webui.forms import (
    FORM_LEVEL,
    AssessmentForm,
    case_document,
    field_for_path,
    parse_number,
)


def t(key: str, **values: object) -> str:
    return key


@pytest.mark.parametrize(("path", "field"), [
    ("subject.name", "subject_name"), ("subject.kind", "subject_kind"),
    ("subject.period", "period"), ("findings.ability.interview", "rating-ability-interview"),
    ("findings.ability", "rating-ability-combined"), ("factors[2]", "factor"),
    ("measures.unexcused_absence_days", "measure-unexcused_absence_days"), ("notes", "notes"),
    ("", FORM_LEVEL), ("findings", FORM_LEVEL),
])
def test_field_for_path(path, field):
    assert field_for_path(path) == field


@pytest.mark.parametrize(("text", "value"), [
    ("4", 4.0), (" 2,5 ", 2.5), ("2.5", 2.5), ("1 000", 1000.0), ("abc", None), ("nan", None),
    ("inf", None), ("", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_round_trip_from_case_to_form_to_case(kb, seed_case, form_fields):
    form = AssessmentForm.from_request(kb, form_fields(seed_case, {"ability": "n"}))
    case = form.validate(t)
    assert case is not None and form.errors == {}
    again = AssessmentForm.from_case(kb, case.to_dict(), form.indicator_notes())
    assert again.validate(t) == case
    assert again.indicator_notes() == {"ability": "n"}


def test_blank_form_defaults_to_the_first_subject_kind(kb):
    assert AssessmentForm.blank(kb).value("subject_kind") == next(iter(kb.subject_kinds))


def test_every_problem_is_reported_once_beside_its_field(kb):
    form = AssessmentForm.from_request(kb, MultiDict([
        ("subject_name", ""), ("rating-ability-interview", "great"),
        ("rating-ability-combined", "good"), ("rating-creativity-interview", "good"),
        ("rating-creativity-combined", "good"), ("measure-unexcused_absence_days", "3.5"),
        ("measure-training_hours_last_year", "-2"), ("factor", "nope"),
    ]))
    assert form.validate(t) is None
    assert form.errors == {
        "subject_name": ["error.required"],
        "rating-ability-interview": ["error.choice"],
        "rating-creativity-combined": ["error.combined_and_sources"],
        "measure-unexcused_absence_days": ["error.whole_number"],
        "measure-training_hours_last_year": ["error.negative"],
        "factor": ["error.choice"],
    }


def test_case_document_carries_indicator_notes_as_the_notes_mapping():
    document = case_document({"subject": {"name": "x"}, "notes": "general"},
                             {"ability": "a"}, "Per indicator:")
    assert document["notes"] == {"general": "general", "ability": "a"}
    assert case_document({"subject": {"name": "x"}}, {}, "h") == {"subject": {"name": "x"}}


@pytest.mark.parametrize(("path", "field"), [
    ("subject.office", "subject_office"), ("subject.nip", "subject_nip"),
    ("subject.position", "subject_position"),
    ("subject.assessor", "subject_assessor"), ("skp", "skp"), ("notes.ability", "note-ability"),
    ("notes.general", "notes"),
])
def test_field_for_path_of_case_format_v2(path, field):
    assert field_for_path(path) == field


def test_a_v2_case_survives_the_form(kb):
    """Subject details, the SKP predicate and per-indicator notes of an uploaded case come back
    in the form, so editing it loses nothing."""
    from expert import parse_case

    case = parse_case(kb, {
        "subject": {"name": "Budi", "kind": "employee", "office": "Dinas X",
                    "nip": "198705122010011003", "position": "Analis", "assessor": "Kabid"},
        "skp": "needs_improvement", "findings": {"ability": "fair"},
        "notes": {"general": "umum", "ability": "catatan kemampuan"}})
    form = AssessmentForm.from_case(kb, case.to_dict())
    assert form.value("subject_nip") == "198705122010011003"
    assert form.value("skp") == "needs_improvement"
    assert form.indicator_notes() == {"ability": "catatan kemampuan"}
    again = form.validate(t)
    assert again is not None
    assert (again.office, again.nip, again.position, again.assessor, again.skp, again.notes) == (
        "Dinas X", "198705122010011003", "Analis", "Kabid", "needs_improvement", "umum")


def test_a_bad_nip_is_reported_beside_its_field(kb):
    form = AssessmentForm.from_request(kb, MultiDict({"subject_name": "Budi",
                                                      "subject_nip": "123"}))
    assert form.validate(t) is None
    assert "subject_nip" in form.errors


def test_all_sources_control_fills_the_empty_sources_without_javascript(client, seed_case,
                                                                        form_fields):
    fields = form_fields({"subject": {"name": "Unit cepat"}, "findings": {}})
    fields["rating-ability-all"] = "fair"
    fields["rating-creativity-all"] = "good"
    fields["rating-creativity-interview"] = "poor"  # a source set on its own keeps its rating
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('class="indicator-row') == 10
    edit = client.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    for source in ("interview", "observation", "documentation"):
        assert re.search(rf'name="rating-ability-{source}".*?value="fair" selected', edit, re.S)
    assert re.search(r'name="rating-creativity-interview".*?value="poor" selected', edit, re.S)
    assert re.search(r'name="rating-creativity-observation".*?value="good" selected', edit, re.S)


def test_errors_name_their_field_in_the_users_language(client, form_fields):
    fields = form_fields({"subject": {"name": " "}, "findings": {"ability": "fair"}})
    fields["measure-unexcused_absence_days"] = "empat"
    page = client.post("/assessments/new", data=fields).get_data(as_text=True)
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert "<strong>Nama subjek:</strong> Wajib diisi." in summary
    assert "<strong>Hari kerja tidak masuk tanpa alasan yang sah (kumulatif):</strong> " \
        "Masukkan angka" in summary
    client.set_cookie("lang", "en")
    page = client.post("/assessments/new", data=fields).get_data(as_text=True)
    assert "<strong>Subject name:</strong> This is required." in page


def test_form_leaves_validation_to_the_server(client):
    page = client.get("/assessments/new").get_data(as_text=True)
    assert re.search(r'<form[^>]*id="assessment-form"[^>]*novalidate', page)
    assert 'data-unsaved-warning="Isian belum disimpan.' in page
    assert page.count('class="rating-select rating-all"') == 10


def test_language_switch_without_javascript_keeps_the_draft(client, form_fields):
    fields = form_fields({"subject": {"name": "Draf tanpa JS"},
                          "findings": {"ability": {"interview": "fair"}},
                          "factors": ["minimal_training"],
                          "measures": {"training_hours_last_year": 8}})
    fields["switch_lang"] = "en"
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 200
    assert "lang=en" in response.headers["Set-Cookie"]
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Subject name" in page
    assert 'value="Draf tanpa JS"' in page
    assert re.search(r'name="rating-ability-interview".*?value="fair" selected', page, re.S)
    assert re.search(r'id="factor-minimal_training"[^>]*checked', page)
    assert 'value="8"' in page and 'name="switch_lang"' not in page.split("<noscript>")[0]
    assert "/assessments/" not in response.headers.get("Location", "")  # nothing saved
    assert client.get("/").get_data(as_text=True).count("Draf tanpa JS") == 0
    bad = dict(fields)
    bad["switch_lang"] = "fr"
    assert client.post("/assessments/new", data=bad).status_code == 400
