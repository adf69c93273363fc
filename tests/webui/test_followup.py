"""The head's follow-up: plan statuses, the official PDF, comparison, trend and WHAT-IF."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from webui.db import Assessment, db


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.fixture
def saved(client, app, seed_case, form_fields):  # type: ignore[no-untyped-def]
    """The seed case saved through the form, then saved again with ability good."""
    fields = form_fields(seed_case, {"ability": "Dua pegawai belum menguasai aplikasi."})
    fields["measure-training_hours_last_year"] = "12,5"
    fields["measure-unexcused_absence_days"] = "4"
    fields["measure-staff_below_minimum_training"] = "3"
    first = client.post("/assessments/new", data=fields)
    assert first.status_code == 303
    assessment_id = int(first.headers["Location"].rsplit("/", 1)[1])
    for source in ("interview", "observation", "documentation"):
        fields[f"rating-ability-{source}"] = "good"
    fields.setlist("factor", ["lack_of_innovation", "adequate_facilities"])
    second = client.post(f"/assessments/{assessment_id}/edit", data=fields)
    assert second.status_code == 303
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        return assessment_id, [e.id for e in assessment.evaluations]


def plan_ids(page: str) -> list[str]:
    plan = page.split('id="plan"')[1].split('id="findings"')[0]
    return re.findall(r'<li class="plan-item[^"]*" id="plan-([a-z_0-9]+)"', plan)


def test_status_change_is_kept_with_its_history(client, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, _second) = saved
    url = f"/assessments/{assessment_id}/evaluations/{first}"
    item = plan_ids(text(client.get(url)))[0]
    response = client.post(f"{url}/plan/{item}", data={
        "status": "in_progress", "date": "2026-11-20", "note": "Apel pagi setiap Senin"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#plan-{item}")
    client.post(f"{url}/plan/{item}", data={"status": "done", "date": "2026-11-28", "note": ""})
    page = text(client.get(url))
    card = page.split(f'id="plan-{item}"')[1].split("</li>\n    \n")[0]
    assert 'data-status="done"' in page.split(f'id="plan-{item}"')[0][-200:] + card[:200] \
        or "status-badge-done" in card
    assert "Riwayat status (2)" in card
    assert "Apel pagi setiap Senin" in card and "20 November 2026" in card


def test_status_carries_over_to_the_next_evaluation(client, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, second) = saved
    common = set(plan_ids(text(client.get(f"/assessments/{assessment_id}/evaluations/{first}"))))
    common &= set(plan_ids(text(client.get(f"/assessments/{assessment_id}"))))
    item = sorted(common)[0]
    client.post(f"/assessments/{assessment_id}/evaluations/{first}/plan/{item}",
                data={"status": "dropped", "date": "", "note": "Tidak relevan"})
    latest = text(client.get(f"/assessments/{assessment_id}"))
    assert "status-badge-dropped" in latest.split(f'id="plan-{item}"')[1][:1500]


@pytest.mark.parametrize("data, message", [
    ({"status": "finished", "date": "", "note": ""}, "pilih salah satu status"),
    ({"status": "done", "date": "30/11/2026", "note": ""}, "TTTT-BB-HH"),
    ({"status": "done", "date": "", "note": "x" * 1001}, "1.000 karakter"),
])
def test_bad_status_changes_are_refused_with_a_message(client, saved, data, message):  # type: ignore[no-untyped-def]
    assessment_id, (first, _) = saved
    url = f"/assessments/{assessment_id}/evaluations/{first}"
    item = plan_ids(text(client.get(url)))[0]
    response = client.post(f"{url}/plan/{item}", data=data, follow_redirects=True)
    page = text(response)
    assert message in page
    assert "Riwayat status" not in page.split(f'id="plan-{item}"')[1][:3000]


def test_status_of_a_recommendation_not_given_is_404(client, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, _) = saved
    response = client.post(f"/assessments/{assessment_id}/evaluations/{first}/plan/nope",
                           data={"status": "done"})
    assert response.status_code == 404


def test_report_shows_every_input_and_the_month(client, kb, saved, seed_case):  # type: ignore[no-untyped-def]
    assessment_id, (first, _) = saved
    page = text(client.get(f"/assessments/{assessment_id}/evaluations/{first}"))
    inputs = page.split('id="inputs"')[1].split("</section>")[0]
    for factor in seed_case["factors"]:  # inhibiting and supporting, used by a rule or not
        assert kb.factors[factor].label["id"] in inputs
    assert "12,5" in inputs  # the figure entered, in Indonesian notation
    assert "Dua pegawai belum menguasai aplikasi." in page
    assert "10 dari 10 indikator dinilai" in inputs
    assert 'id="this-month"' in page.split('id="plan"')[0]  # the summary opens the report


def test_compare_two_evaluations(client, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, second) = saved
    page = text(client.get(f"/assessments/{assessment_id}/compare?a={first}&b={second}"))
    assert "Perbandingan dua penilaian" in page
    assert 'data-path="findings.ability.interview"' in page
    assert 'data-path="factors.minimal_training"' in page
    assert 'data-id="ability"' in page and "Lebih baik" in page
    assert "Saran yang tidak lagi diberikan" in page or "Saran baru" in page
    default = text(client.get(f"/assessments/{assessment_id}/compare"))
    assert 'data-id="ability"' in default
    assert client.get(f"/assessments/{assessment_id}/compare?a=999&b={second}").status_code == 404


def test_trend_chart_has_a_point_per_evaluation(client, saved):  # type: ignore[no-untyped-def]
    assessment_id, evaluations = saved
    page = text(client.get(f"/assessments/{assessment_id}/trend"))
    assert '<svg class="trend-chart"' in page
    assert page.count('class="trend-point trend-overall"') == len(evaluations)
    assert page.count('<path class="trend-line') == 6  # overall and five dimensions


def test_what_if_page_shows_changes_without_saving(client, app, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, _) = saved
    url = f"/assessments/{assessment_id}/evaluations/{first}/what-if"
    page = text(client.get(url + "?finding-ability=good&factor=lack_of_innovation"
                           "&factor=minimal_training&factor=adequate_facilities"
                           "&factor=good_budget_planning&measure-training_hours_last_year=24"))
    assert "Apa yang akan berubah" in page
    assert 'data-id="overall"' in page and "Lebih baik" in page
    assert 'data-path="measures.training_hours_last_year"' in page
    with app.app_context():
        assert len(db.session.get(Assessment, assessment_id).evaluations) == 2  # nothing saved
    bad = client.get(url + "?measure-training_hours_last_year=banyak")
    assert bad.status_code == 400 and "harus berupa angka" in text(bad)


def test_what_if_adds_a_recommendation_with_its_how(client, save):  # type: ignore[no-untyped-def]
    assessment_id = save({"subject": {"name": "Unit baik"}, "findings": {"ability": "good"}})
    page = text(client.get(f"/assessments/{assessment_id}"))
    evaluation = re.search(r"/evaluations/(\d+)/what-if", page)
    assert evaluation
    result = text(client.get(f"/assessments/{assessment_id}/evaluations/{evaluation.group(1)}"
                             "/what-if?finding-ability=poor&factor=minimal_training"))
    added = result.split('class="cmp-added"')[1].split("</section>")[0]
    assert '<details class="why" open>' in added and "Aturan" in added


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_official_pdf_has_the_verdict_every_title_and_figure(client, app, saved):  # type: ignore[no-untyped-def]
    assessment_id, (first, _) = saved
    app.config.update(LETTERHEAD_GOVERNMENT="Pemerintah Kabupaten Balangan",
                      LETTERHEAD_ADDRESS="Jl. A. Yani Km 1, Paringin",
                      SIGNATORY_NAME="Hj. Siti Rahmah, S.E.", SIGNATORY_NIP="197001012000032001")
    report = text(client.get(f"/assessments/{assessment_id}/evaluations/{first}"))
    response = client.get(f"/assessments/{assessment_id}/evaluations/{first}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    done = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True)
    pdf = " ".join(done.stdout.decode().split())
    assert "PEMERINTAH KABUPATEN BALANGAN" in pdf.upper()
    assert "Cukup baik" in pdf  # the verdict
    titles = re.findall(r'<h3><span class="plan-number">\d+\.</span> ([^<]+)</h3>', report)
    assert titles
    for title in titles:
        assert " ".join(title.split()) in pdf
    # every figure entered, in Indonesian notation, and every factor
    for figure in ("12,5 JP", "4 hari", "3 pegawai"):
        assert figure in pdf, figure
    for factor in ("Kurangnya inovasi", "Minimnya pelatihan", "Ketersediaan sarana",
                   "Perencanaan anggaran"):
        assert factor in pdf, factor
    assert "Hj. Siti Rahmah, S.E." in pdf and "197001012000032001" in pdf
    assert "Halaman 1 dari" in pdf
    pages = int(re.search(r"Halaman 1 dari (\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert 2 <= pages <= 25
    assert "Lampiran" in pdf and "Daftar rujukan" in pdf


def test_pdf_is_rendered_once_until_something_printed_changes(client, saved, monkeypatch):  # type: ignore[no-untyped-def]
    from webui import pdf

    calls = []
    monkeypatch.setattr(pdf, "_cache", type(pdf._cache)())
    monkeypatch.setattr(pdf, "render_pdf",
                        lambda html, logo=None: calls.append(html) or b"%PDF-" + bytes(len(calls)))
    assessment_id, (first, _) = saved
    url = f"/assessments/{assessment_id}/evaluations/{first}"
    one = client.get(url + "/report.pdf").data
    two = client.get(url + "/report.pdf").data
    assert one == two and len(calls) == 1
    item = plan_ids(text(client.get(url)))[0]
    client.post(f"{url}/plan/{item}", data={"status": "done", "date": "", "note": "Selesai"})
    three = client.get(url + "/report.pdf").data
    assert len(calls) == 2 and three != one
    assert "Selesai" in calls[1]


def test_a_status_change_is_an_audit_event_with_who(client, app, saved):  # type: ignore[no-untyped-def]
    import json

    import sqlalchemy as sa

    from webui.db.audit import AuditEvent, verify

    assessment_id, (first, _) = saved
    url = f"/assessments/{assessment_id}/evaluations/{first}"
    item = plan_ids(text(client.get(url)))[0]
    client.post(f"{url}/plan/{item}", data={"status": "done", "date": "2026-11-30",
                                            "note": "Rapat selesai"})
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "plan_status")).one()
        assert event.actor == "kepala" and event.role == "head"
        assert event.object == f"plan_item/{assessment_id}/{item}"
        assert json.loads(event.detail) == {"recommendation": item, "evaluation": first,
                                            "status": "done", "date": "2026-11-30",
                                            "note": "Rapat selesai"}
        assert verify().intact
    page = text(client.get(url))
    assert "dicatat oleh kepala" in page.split(f'id="plan-{item}"')[1][:4000]
