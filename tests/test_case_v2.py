"""Version 2 of the case format (case-format.md): subject details, the SKP predicate, notes as
a mapping, the two new measures; and the output's inputs echo, coverage and provisional verdict."""

from __future__ import annotations

from typing import Any

import pytest

from expert import CaseError, KnowledgeBase, evaluate, load_case_text, parse_case
from tests.conftest import all_indicators

V2_YAML = """
subjek:
  nama: Budi Santoso
  jenis: pegawai
  instansi: Dinas Perindustrian dan Perdagangan Kabupaten Balangan
  nip: "198705122010011003"
  jabatan: Analis Perdagangan Ahli Pertama
  penilai: Kepala Bidang Perdagangan
predikat_kinerja: butuh perbaikan
temuan: {kemampuan: {wawancara: cukup}}
ukuran:
  hari_mangkir_berturut_turut: 0
  pegawai_kurang_20_jp: 0
catatan:
  umum: catatan umum
  kemampuan: belum menguasai aplikasi SIINas
"""


def problems(kb: KnowledgeBase, data: Any) -> dict[str, Any]:
    with pytest.raises(CaseError) as caught:
        parse_case(kb, data)
    return {p.path: p for p in caught.value.problems}


def test_every_v2_word_in_indonesian(kb: KnowledgeBase) -> None:
    case = load_case_text(kb, V2_YAML)
    assert case.subject_kind == "employee"
    assert case.office == "Dinas Perindustrian dan Perdagangan Kabupaten Balangan"
    assert case.nip == "198705122010011003"
    assert case.position == "Analis Perdagangan Ahli Pertama"
    assert case.assessor == "Kepala Bidang Perdagangan"
    assert case.skp == "needs_improvement"
    assert case.measures == {"consecutive_unexcused_absence_days": 0,
                             "staff_below_minimum_training": 0}
    assert case.notes == "catatan umum"
    assert case.indicator_notes == {"ability": "belum menguasai aplikasi SIINas"}
    # and the canonical document reads back as the same case
    assert parse_case(kb, case.to_dict()) == case


@pytest.mark.parametrize("word, predicate", [
    ("very_good", "very_good"), ("Sangat Baik", "very_good"), ("baik", "good"),
    ("needs improvement", "needs_improvement"), ("kurang", "poor"),
    ("sangat_kurang", "very_poor"),
])
def test_skp_predicates(kb: KnowledgeBase, word: str, predicate: str) -> None:
    assert parse_case(kb, {"subject": {"name": "x", "kind": "employee"},
                           "skp": word}).skp == predicate


@pytest.mark.parametrize("nip", ["12345", "19870512201001100X", 198705122010011003.0, True,
                                 "１９８７０５１２２０１００１１００３"])
def test_a_nip_is_18_ascii_digits(kb: KnowledgeBase, nip: Any) -> None:
    found = problems(kb, {"subject": {"name": "x", "nip": nip}})
    assert "18" in found["subject.nip"].message


def test_bad_v2_inputs_are_all_reported(kb: KnowledgeBase) -> None:
    found = problems(kb, {"subject": {"name": "x", "office": "", "jabatan": ["a"],
                                      "assessor": "p" * 201},
                          "skp": "istimewa",
                          "notes": {"general": "a", "umum": "b", "teamwork": "c",
                                    "ability": {"x": 1}}})
    assert set(found) >= {"subject.office", "subject.jabatan", "subject.assessor", "skp",
                          "notes.umum", "notes.teamwork", "notes.ability"}
    assert "very_good" in found["skp"].allowed
    assert "general" in found["notes.teamwork"].allowed


def test_output_echoes_subject_inputs_and_coverage(kb: KnowledgeBase) -> None:
    result = evaluate(kb, load_case_text(kb, V2_YAML)).to_dict("id")
    subject = result["subject"]
    assert subject["nip"] == "198705122010011003" and subject["assessor"].startswith("Kepala")
    assert result["inputs"]["skp"] == {"id": "needs_improvement", "label": "Butuh Perbaikan"}
    assert {m["id"] for m in result["inputs"]["measures"]} == {
        "consecutive_unexcused_absence_days", "staff_below_minimum_training"}
    assert result["inputs"]["notes"]["indicators"][0]["id"] == "ability"
    assert result["coverage"]["assessed"] == 1 and result["coverage"]["total"] == 10
    assert result["coverage"]["sufficient"] is False
    assert result["overall"]["provisional"] is True
    assert result["indicators"][0]["agreement"] == "single"


@pytest.mark.parametrize("assessed, sufficient", [(10, True), (7, True), (6, False), (1, False)])
def test_coverage_policy(kb: KnowledgeBase, assessed: int, sufficient: bool) -> None:
    # one indicator of every dimension first, then the rest: 7 covers the policy's 70%
    order = ["ability", "task_volume", "job_fit", "budget_use", "initiative", "creativity",
             "attendance_discipline", "sop_compliance", "facility_use", "self_confidence"]
    findings = {i: "good" for i in order[:assessed]}
    result = evaluate(kb, parse_case(kb, {"subject": {"name": "x"}, "findings": findings}))
    assert result.coverage["sufficient"] is sufficient
    assert result.to_dict("en")["overall"]["provisional"] is not sufficient


def test_seven_indicators_missing_a_dimension_are_not_enough(kb: KnowledgeBase) -> None:
    findings = all_indicators(kb, "good")
    for indicator in ("initiative", "self_confidence", "ability"):
        findings.pop(indicator)
    result = evaluate(kb, parse_case(kb, {"subject": {"name": "x"}, "findings": findings}))
    assert result.coverage["assessed"] == 7 and result.coverage["sufficient"] is False


def test_combined_and_single_agreements(kb: KnowledgeBase) -> None:
    result = evaluate(kb, parse_case(kb, {"subject": {"name": "x"}, "findings": {
        "ability": "fair", "creativity": {"observation": "good"}}})).to_dict("en")
    agreements = {i["id"]: i["agreement"] for i in result["indicators"]}
    assert agreements == {"ability": "combined", "creativity": "single"}


def test_a_problem_list_holds_at_most_50(kb: KnowledgeBase) -> None:
    data = {"subject": {"name": "x"}, "factors": [f"unknown_{i}" for i in range(73)]}
    with pytest.raises(CaseError) as caught:
        parse_case(kb, data)
    error = caught.value
    assert len(error.problems) == 50 and error.total == 73  # the rest counted, not kept
    as_json = error.to_dict("id")
    assert len(as_json["problems"]) == 50 and as_json["more"] == 23
    assert "23 masalah lagi" in error.render("id")
    assert error.render("en").count("\n  - ") == 50 and "and 23 more" in error.render("en")


def test_names_and_notes_have_the_contract_limits(kb: KnowledgeBase) -> None:
    assert parse_case(kb, {"subject": {"name": "n" * 200}}).subject_name == "n" * 200
    found = problems(kb, {"subject": {"name": "n" * 201}, "notes": "x" * 5001})
    assert "200" in found["subject.name"].message and "5000" in found["notes"].message
