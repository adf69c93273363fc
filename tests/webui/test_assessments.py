"""webui/blueprints/assessments.py: list, form, result, edit, duplicate, delete, downloads,
uploads — at the HTTP level."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def text(response) -> str:
    return response.get_data(as_text=True)


def checked(page: str, factor: str) -> bool:
    return re.search(rf'id="factor-{factor}"[^>]*\schecked>', page) is not None


# -- list ------------------------------------------------------------------------------------
def test_empty_list(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Belum ada penilaian" in text(response)


def test_list_shows_subject_period_verdict_and_date(client, save, seed_case):
    save(seed_case)
    page = text(client.get("/"))
    assert seed_case["subject"]["name"] in page
    assert ">2024<" in page
    assert "Cukup baik" in page
    assert re.search(r"\d{1,2} \w+ 20\d\d, \d\d\.\d\d", page)


# -- the form --------------------------------------------------------------------------------
def test_new_form_has_every_indicator_source_factor_and_measure_from_the_kb(client, kb):
    page = text(client.get("/assessments/new"))
    for indicator in kb.indicators.values():
        assert indicator.label["id"] in page
        for source in (*kb.sources, "combined"):
            name = f"rating-{indicator.id}-{source}"
            assert f'<label for="{name}">' in page
            assert f'id="{name}" name="{name}"' in page
        assert f'name="note-{indicator.id}"' in page
    for factor in kb.factors.values():
        assert f'id="factor-{factor.id}"' in page
        assert factor.description["id"] in page
    for measure in kb.measures:
        assert f'<label for="measure-{measure}">' in page
    assert "Faktor penghambat" in page and "Faktor pendukung" in page


def test_submitting_the_seed_findings_gives_cukup_baik(client, save, seed_case):
    assessment_id = save(seed_case)
    response = client.get(f"/assessments/{assessment_id}")
    assert response.status_code == 200
    page = text(response)
    assert 'class="verdict-value"><span class="badge-mark" aria-hidden="true"></span>Cukup baik' \
        in page
    assert "Penilaian evaluasi" not in page
    assert "Pimpinan unit kerja mengadakan kegiatan pengembangan kompetensi pegawai" in page
    assert "Penilaian kinerja keseluruhan" in page


def test_result_page_shows_every_part_of_the_report(client, save, seed_case):
    page = text(client.get(f"/assessments/{save(seed_case)}"))
    assert '<svg class="dimension-chart"' in page
    assert page.count('class="chart-bar ') == 5
    assert "Semua sumber bukti sepakat" in page  # how the sources agreed
    assert "<details class=\"why\" data-print-open>" in page  # HOW per recommendation
    assert 'href="/knowledge/rules/competency.hold_development_events"' in page
    assert "findings.ability.interview" in page  # the findings matched
    assert 'id="plan"' in page and 'id="this-month"' in page  # one plan, opened by the month
    assert 'id="inputs"' in page  # what was entered
    assert 'id="why-not"' in page and '<select id="why_not" name="why_not">' in page
    assert 'class="fired"' in page and "/knowledge/rules/evidence.triangulation" in page
    assert "Daftar rujukan" in page and "Peraturan Pemerintah Nomor 11 Tahun 2017" in page


def test_plan_items_are_ordered_by_priority_then_timeframe(client, save, seed_case):
    page = text(client.get(f"/assessments/{save(seed_case)}"))
    plan = page.split('id="plan"')[1].split("</section>")[0]
    items = re.findall(r'class="plan-item priority-border-(\w+)', plan)
    rank = {"high": 1, "medium": 2, "low": 3}
    assert items and items == sorted(items, key=rank.__getitem__)
    ids = re.findall(r'id="plan-([a-z_]+)"', plan)
    assert len(ids) == len(set(ids))  # one item per recommendation


def test_invalid_form_keeps_the_input_and_shows_errors_beside_fields(client, seed_case,
                                                                       form_fields):
    fields = form_fields(seed_case, {"ability": "catatan kemampuan"})
    fields["subject_name"] = "   "
    fields["measure-unexcused_absence_days"] = "empat"
    fields["rating-creativity-combined"] = "good"  # as well as the three sources
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 400
    page = text(response)
    assert 'id="error-subject_name"' in page
    assert 'aria-describedby="help-subject_name error-subject_name" aria-invalid="true"' in page
    assert 'id="error-measure-unexcused_absence_days"' in page and "Masukkan angka" in page
    assert 'id="error-rating-creativity-combined"' in page
    assert 'href="#subject_name"' in page  # the error summary links to the field
    # the input is kept
    assert 'value="empat"' in page
    assert "catatan kemampuan</textarea>" in page
    assert re.search(r'id="rating-ability-interview".*?<option value="fair" selected>', page,
                     re.S)
    assert checked(page, "lack_of_innovation") and not checked(page, "frequent_lateness")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("measure-unexcused_absence_days", "-1", "Tidak boleh negatif"),
    ("measure-unexcused_absence_days", "2,5", "Harus bilangan bulat"),
    ("measure-unexcused_absence_days", "400", "Paling besar 366"),
    ("rating-ability-interview", "excellent", "Pilih salah satu"),
    ("subject_kind", "ministry", "Pilih salah satu"),
    ("factor", "no_such_factor", "Pilih salah satu"),
    ("period", "x" * 101, "Terlalu panjang"),
])
def test_invalid_values_are_reported_beside_their_field(client, seed_case, form_fields, field,
                                                        value, message):
    fields = form_fields(seed_case)
    fields.add(field, value) if field == "factor" else fields.setlist(field, [value])
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 400
    page = text(response)
    assert f'id="error-{field}"' in page
    assert message in page


def test_decimal_comma_is_accepted(client, save, seed_case):
    case = {**seed_case, "measures": {"training_hours_last_year": "7,5"}}
    assessment_id = save(case)
    page = text(client.get(f"/assessments/{assessment_id}/evaluations/1/case.yaml"))
    assert "training_hours_last_year: 7.5" in page


def test_markup_in_a_note_is_shown_as_text(client, save, seed_case):
    assessment_id = save({**seed_case, "notes": "<b>umum</b>"},
                         ability="<script>alert(1)</script>")
    page = text(client.get(f"/assessments/{assessment_id}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;umum&lt;/b&gt;" in page


def test_nothing_assessed_still_evaluates(client, save):
    assessment_id = save({"subject": {"name": "Unit kosong"}})
    page = text(client.get(f"/assessments/{assessment_id}"))
    assert "Belum dinilai" in page


def test_combined_rating_without_sources(client, save, seed_case):
    case = {**seed_case, "findings": {**seed_case["findings"], "creativity": "good"}}
    page = text(client.get(f"/assessments/{save(case)}"))
    assert "Penilaian gabungan, tanpa rincian sumber" in page
    assert "Penilaian gabungan tanpa rincian sumber" in page  # the agreement, not "one source"


# -- result pages, history, edit, duplicate --------------------------------------------------
def test_unknown_assessment_or_evaluation_is_404(client, save, seed_case):
    assert client.get("/assessments/99").status_code == 404
    first = save(seed_case)
    second = save(seed_case)
    assert client.get(f"/assessments/{first}/evaluations/{second}").status_code == 404
    assert client.get(f"/assessments/{first}/evaluations/{second}/case.yaml").status_code == 404
    assert client.get(f"/assessments/{first}/edit").status_code == 200
    assert client.get("/assessments/99/edit").status_code == 404
    assert client.get("/assessments/99/archive").status_code == 404


def test_edit_form_is_filled_from_the_latest_evaluation(client, save, seed_case):
    assessment_id = save(seed_case, ability="Kurang menguasai aplikasi")
    page = text(client.get(f"/assessments/{assessment_id}/edit"))
    assert f'value="{seed_case["subject"]["name"]}"' in page
    assert "Kurang menguasai aplikasi</textarea>" in page
    assert checked(page, "minimal_training")
    assert "Menyimpan formulir ini membuat evaluasi baru" in page


def test_edit_makes_a_new_evaluation_and_keeps_the_old_one(client, save, seed_case,
                                                           form_fields):
    assessment_id = save(seed_case)
    better = dict(seed_case, findings={k: {"interview": "good", "observation": "good",
                                           "documentation": "good"}
                                       for k in seed_case["findings"]})
    response = client.post(f"/assessments/{assessment_id}/edit", data=form_fields(better))
    assert response.status_code == 303
    latest = text(client.get(response.headers["Location"]))
    assert ">Baik</p>" in latest and "ke-2 dari 2" in latest
    assert "Riwayat evaluasi" in latest
    old = client.get(f"/assessments/{assessment_id}/evaluations/1")
    assert old.status_code == 200
    old_page = text(old)
    assert "Cukup baik</p>" in old_page and "bukan yang terbaru" in old_page
    listing = text(client.get("/"))
    assert listing.count('<th scope="row"') == 1  # still one assessment


def test_invalid_edit_is_400_and_keeps_the_evaluations(client, save, seed_case, form_fields):
    assessment_id = save(seed_case)
    fields = form_fields(seed_case)
    fields["subject_name"] = ""
    response = client.post(f"/assessments/{assessment_id}/edit", data=fields)
    assert response.status_code == 400
    assert "ke-1 dari 1" in text(client.get(f"/assessments/{assessment_id}"))


def test_duplicate_opens_a_filled_form_for_a_new_assessment(client, save, seed_case):
    assessment_id = save(seed_case)
    page = text(client.get(f"/assessments/{assessment_id}"))
    assert 'href="/assessments/new?copy=1"' in page
    form = text(client.get("/assessments/new?copy=1"))
    assert f'value="{seed_case["subject"]["name"]} (salinan)"' in form
    assert 'action="' not in form.split('id="assessment-form"')[0][-200:]
    assert client.get("/assessments/new?copy=42").status_code == 404


def test_why_not_explains_a_recommendation_not_given(client, save, seed_case):
    assessment_id = save(seed_case)
    page = text(client.get(f"/assessments/{assessment_id}?why_not=impose_light_sanction"))
    assert "Mengapa «" in page
    assert "discipline.light_sanction" in page
    assert "Tidak terpenuhi" in page
    # a recommendation that was given, or an unknown one, is not explained
    page = text(client.get(f"/assessments/{assessment_id}?why_not=hold_competency_development"))
    assert "Rekomendasi itu diberikan atau tidak dikenal" in page
    page = text(client.get(f"/assessments/{assessment_id}?why_not=<x>"))
    assert "Rekomendasi itu diberikan atau tidak dikenal" in page


# -- archive (deleting became archiving, issue 7) --------------------------------------------
def test_archive_asks_for_a_reason_then_archives(client, client_as, save, seed_case):
    assessment_id = save(seed_case)
    confirm = client.get(f"/assessments/{assessment_id}/archive")
    assert confirm.status_code == 200
    assert "Arsipkan penilaian" in text(confirm) and 'method="post"' in text(confirm)
    assert client.get(f"/assessments/{assessment_id}").status_code == 200  # GET archives nothing
    refused = client.post(f"/assessments/{assessment_id}/archive", data={"reason": "  "})
    assert refused.status_code == 400 and "Tuliskan alasan" in text(refused)
    response = client.post(f"/assessments/{assessment_id}/archive",
                           data={"reason": "Dobel entri"})
    assert response.status_code == 303
    assert "telah diarsipkan" in text(client.get("/"))
    assert seed_case["subject"]["name"] not in text(client.get("/"))
    assert client.get(f"/assessments/{assessment_id}").status_code == 404  # gone for the head
    auditor = client_as("auditor")
    page = text(auditor.get(f"/assessments/{assessment_id}"))  # kept, with the reason
    assert "Dobel entri" in page and "kepala" in page
    assert "Dobel entri" in text(auditor.get("/assessments/archived"))


# -- downloads -------------------------------------------------------------------------------
def test_download_case_as_yaml_round_trips(client, save, seed_case, kb):
    assessment_id = save(seed_case, ability="Perlu pelatihan")
    response = client.get(f"/assessments/{assessment_id}/evaluations/1/case.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert "attachment;" in response.headers["Content-Disposition"]
    document = yaml.safe_load(response.data)
    assert document["findings"] == seed_case["findings"]
    assert document["factors"] == seed_case["factors"]
    assert document["notes"]["ability"] == "Perlu pelatihan"  # the case format's notes mapping
    upload = client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(response.data), "case.yaml")})
    assert upload.status_code == 303


def test_download_result_as_json_in_the_current_language(client, save, seed_case):
    assessment_id = save(seed_case)
    response = client.get(f"/assessments/{assessment_id}/evaluations/1/result.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    result = json.loads(response.data)
    assert result["overall"] == {"rating": "fair", "label": "Cukup baik", "score": 2.7,
                                 "provisional": False}
    assert result["knowledge_base"]["version"].startswith("sha256:")
    client.set_cookie("lang", "en")
    english = json.loads(client.get(
        f"/assessments/{assessment_id}/evaluations/1/result.json").data)
    assert english["overall"]["label"] == "Fair"


# -- upload ----------------------------------------------------------------------------------
def test_upload_page(client):
    page = text(client.get("/assessments/upload"))
    assert 'enctype="multipart/form-data"' in page and '<label for="case_file">' in page


@pytest.mark.parametrize("name", ["case.yaml", "case.json"])
def test_upload_a_case_file(client, seed_case, name):
    body = json.dumps(seed_case) if name.endswith("json") else yaml.safe_dump(seed_case)
    response = client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(body.encode()), name)})
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "Cukup baik</p>" in page
    assert f"Berkas {name} dievaluasi dan disimpan" in page


def test_upload_in_indonesian_vocabulary(client):
    body = ("subjek: {nama: Dinas Contoh}\ntemuan:\n  kemampuan: {wawancara: kurang, "
            "observasi: buruk}\nfaktor: [minim_pelatihan]\n")
    response = client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(body.encode()), "kasus.yaml")})
    assert response.status_code == 303


@pytest.mark.parametrize(("body", "expected"), [
    (b"subject: {name: X}\nfindings: {charisma: good}\n", "findings.charisma"),
    (b"{not json", "bukan JSON yang sah"),
    (b"subject: [\n", "bukan YAML atau JSON yang sah"),
    (b"", "kosong"),
    (b"\xff\xfe\x00", "bukan teks UTF-8"),
    (b"- just\n- a list\n", "harus berupa pemetaan"),
])
def test_a_malformed_upload_is_400_with_every_problem(client, body, expected):
    response = client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(body), "bad.yaml")})
    assert response.status_code == 400
    page = text(response)
    assert "tidak dapat dievaluasi" in page
    assert expected in page
    assert "Belum ada penilaian" in text(client.get("/"))


def test_upload_lists_every_problem_with_allowed_values(client):
    body = b"subject: {name: X}\nfindings: {ability: {interview: superb, radio: good}}\n"
    page = text(client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(body), "bad.yaml")}))
    assert "findings.ability.interview" in page and "findings.ability.radio" in page
    assert "good, fair, poor" in page


def test_upload_without_a_file_is_400(client):
    response = client.post("/assessments/upload", data={})
    assert response.status_code == 400
    assert "Pilih berkas kasus" in text(response)


def test_an_oversized_upload_gets_the_friendly_413_page(client):
    # encoded in memory: the test client would spool a body this large to a temporary file
    boundary, body = encode_multipart({"case_file": FileStorage(
        io.BytesIO(b"#" * (1024 * 1024 + 1)), "big.yaml")})
    response = client.post("/assessments/upload", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    page = text(response)
    assert "terlalu besar" in page and "1024 KiB" in page


def test_result_page_shows_v2_details_provisional_verdict_and_caveat(client):
    case = {"subject": {"name": "Budi", "kind": "employee", "nip": "198705122010011003",
                        "assessor": "Kepala Bidang Perdagangan"},
            "skp": "butuh perbaikan", "findings": {"ability": "fair"},
            "measures": {"consecutive_unexcused_absence_days": 10}}
    upload = client.post("/assessments/upload", data={
        "case_file": (io.BytesIO(json.dumps(case).encode()), "case.json")})
    assert upload.status_code == 303
    page = text(client.get(upload.headers["Location"]))
    assert "198705122010011003" in page and "Kepala Bidang Perdagangan" in page
    assert "Butuh Perbaikan" in page
    assert "Sementara: baru 1 dari 10 indikator dinilai" in page
    assert "Catatan sumber" in page and "sumber sekunder" in page


def test_why_not_page_says_not_entered(client, save, seed_case):
    page = text(client.get(f"/assessments/{save(seed_case)}?why_not=impose_light_sanction"))
    assert "Tidak diisi" in page  # the absence days were never entered
