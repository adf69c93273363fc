"""Reading cases: the vocabulary of case-format.md, and every problem reported at once."""

from __future__ import annotations

import json

import pytest

from expert import CaseError, KnowledgeBase, load_case_text, parse_case
from expert.case import COMBINED_SOURCE


def problems(kb: KnowledgeBase, data: object) -> dict[str, object]:
    with pytest.raises(CaseError) as caught:
        parse_case(kb, data)
    return {p.path: p for p in caught.value.problems}


def test_full_and_shorthand_findings(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {
        "subject": {"name": "Dinas", "kind": "unit", "period": 2024},
        "findings": {"ability": {"interview": "fair", "observation": "fair"},
                     "creativity": "good"},
        "factors": ["minimal_training"],
        "measures": {"unexcused_absence_days": 4, "training_hours_last_year": 8.5},
        "notes": "catatan",
    })
    assert case.period == "2024"
    assert [(f.indicator, f.source, f.rating) for f in case.findings] == [
        ("ability", "interview", "fair"), ("ability", "observation", "fair"),
        ("creativity", COMBINED_SOURCE, "good")]
    assert case.factors == ("minimal_training",)
    assert case.measures == {"unexcused_absence_days": 4.0, "training_hours_last_year": 8.5}


@pytest.mark.parametrize("word, rating", [
    ("baik", "good"), ("Sudah Baik", "good"), ("cukup", "fair"), ("CUKUP  BAIK", "fair"),
    ("cukup_baik", "fair"), ("kurang", "poor"), ("kurang baik", "poor"),
    ("belum_optimal", "poor"), ("buruk", "poor"), ("good", "good"), (" Fair ", "fair"),
])
def test_rating_aliases(kb: KnowledgeBase, word: str, rating: str) -> None:
    case = parse_case(kb, {"subject": {"name": "x"}, "findings": {"ability": word}})
    assert case.findings[0].rating == rating


def test_indonesian_keys_sources_and_indicators(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {
        "Subjek": {"nama": "Dinas", "jenis": "pegawai", "periode": "2024"},
        "temuan": {"Kemampuan": {"wawancara": "cukup baik", "Observasi": "cukup"},
                   "jumlah tugas": "baik", "SOP": "baik"},
        "faktor": ["minimal_training"],
        "ukuran": {"training_hours_last_year": 3},
    })
    assert case.subject_kind == "employee"
    assert {(f.indicator, f.source) for f in case.findings} == {
        ("ability", "interview"), ("ability", "observation"),
        ("task_volume", COMBINED_SOURCE), ("sop_compliance", COMBINED_SOURCE)}


def test_not_assessed_sources_are_left_out(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"subject": {"name": "x"}, "findings": {
        "ability": {"interview": "fair", "observation": None, "documentation": "belum dinilai"},
        "creativity": None}})
    assert [(f.indicator, f.source) for f in case.findings] == [("ability", "interview")]


def test_every_problem_is_reported_with_its_place_and_allowed_values(kb: KnowledgeBase) -> None:
    found = problems(kb, {
        "subject": {"name": "x", "colour": "red"},
        "findings": {"abilty": "good", "creativity": {"intervew": "good"},
                     "task_volume": "excellent"},
        "factors": ["no_such_factor"],
        "measures": {"unexcused_absence_days": -1, "training_hours_last_year": "eight",
                     "height": 3},
        "extra": 1,
    })
    assert set(found) == {
        "subject.colour", "findings.abilty", "findings.creativity.intervew",
        "findings.task_volume", "factors[0]", "measures.unexcused_absence_days",
        "measures.training_hours_last_year", "measures.height", "extra"}
    assert "ability" in found["findings.abilty"].allowed
    assert set(found["findings.task_volume"].allowed) == {"good", "fair", "poor"}
    assert "interview" in found["findings.creativity.intervew"].allowed
    assert "minimal_training" in found["factors[0]"].allowed
    assert "negative" in found["measures.unexcused_absence_days"].message
    assert "number" in found["measures.training_hours_last_year"].message
    assert "findings" in found["extra"].allowed


@pytest.mark.parametrize("measures, message", [
    ({"unexcused_absence_days": 2.5}, "whole number"),
    ({"unexcused_absence_days": 400}, "at most"),
    ({"unexcused_absence_days": True}, "number"),
    ({"training_hours_last_year": float("nan")}, "number"),
    ({"training_hours_last_year": float("inf")}, "number"),
])
def test_bad_measures(kb: KnowledgeBase, measures: dict[str, object], message: str) -> None:
    found = problems(kb, {"subject": {"name": "x"}, "measures": measures})
    assert message in next(iter(found.values())).message


def test_subject_is_required_and_named(kb: KnowledgeBase) -> None:
    assert "subject" in problems(kb, {"findings": {}})
    assert "subject.name" in problems(kb, {"subject": {"kind": "unit"}})
    assert "subject.kind" in problems(kb, {"subject": {"name": "x", "kind": "ministry"}})


def test_the_same_indicator_twice_through_an_alias(kb: KnowledgeBase) -> None:
    found = problems(kb, {"subject": {"name": "x"},
                          "findings": {"ability": "good", "kemampuan": "fair"}})
    assert "twice" in found["findings.kemampuan"].message


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("   \n", "empty"), ("# only a comment\n", "empty"),
    ("subject: [unclosed", "not valid YAML or JSON"), ('{"subject": ', "not valid JSON"),
    ("- a\n- b\n", "mapping"), ("just words", "mapping"),
])
def test_files_that_are_not_cases(kb: KnowledgeBase, text: str, message: str) -> None:
    with pytest.raises(CaseError) as caught:
        load_case_text(kb, text)
    assert message in str(caught.value)


def test_json_and_yaml_read_alike(kb: KnowledgeBase) -> None:
    data = {"subject": {"name": "x"}, "findings": {"ability": {"interview": "fair"}}}
    assert load_case_text(kb, json.dumps(data)) == load_case_text(kb, "subject: {name: x}\n"
                                                                  "findings:\n  ability:\n"
                                                                  "    interview: fair\n")


def test_canonical_form_round_trips(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"subjek": {"nama": "Dinas"}, "temuan": {"kemampuan": "cukup",
                           "sop": {"wawancara": "baik"}}, "faktor": ["minimal_training"],
                           "ukuran": {"unexcused_absence_days": 3}, "catatan": "n"})
    again = parse_case(kb, case.to_dict())
    assert again == case
    assert case.to_dict()["findings"] == {"ability": "fair", "sop_compliance": {"interview":
                                                                                "good"}}


def test_problems_speak_indonesian_too(kb: KnowledgeBase) -> None:
    found = problems(kb, {"subject": {"name": "x"}, "findings": {"ability": "hebat"},
                          "measures": {"unexcused_absence_days": -1}})
    rating = found["findings.ability"]
    assert rating.text("en") == "rating 'hebat' is outside the scale"
    assert rating.text("id") == "nilai 'hebat' di luar skala penilaian"
    assert found["measures.unexcused_absence_days"].text("id").startswith("tidak boleh negatif")
    with pytest.raises(CaseError) as caught:
        parse_case(kb, {"subject": {"name": "x"}, "findings": {"ability": "hebat"}})
    assert caught.value.render("id").startswith("1 masalah dalam kasus:")
    assert "nilai yang diizinkan: good, fair, poor" in caught.value.render("id")
    assert caught.value.to_dict("id")["problems"][0]["message"] == rating.text("id")


@pytest.mark.parametrize("text, path, message", [
    ("subject: {name: x}\nfindings: {ability: good, ability: poor}\n", "findings.ability",
     "given twice"),
    ('{"subject": {"name": "x", "name": "y"}}', "subject.name", "given twice"),
    ('{"subject": {"name": "x"}, "findings": {"ability": {"interview": "good", '
     '"interview": "poor"}}}', "findings.ability.interview", "given twice"),
    ("subject: {name: x}\nmeasures: {unexcused_absence_days: " + "9" * 400 + "}\n",
     "measures.unexcused_absence_days", "at most 366"),
    ('{"subject": {"name": "\\ud800"}}', "subject.name", "not valid Unicode"),
    ("subject: {name: x, period: 2024.10}\n", "subject.period", "must be text"),
])
def test_input_that_would_be_lost_or_crash(kb: KnowledgeBase, text: str, path: str,
                                           message: str) -> None:
    with pytest.raises(CaseError) as caught:
        load_case_text(kb, text)
    found = {p.path: p.message for p in caught.value.problems}
    assert path in found and message in found[path], found


@pytest.mark.parametrize("text, message", [
    ("subject: " + "[" * 3000 + "]" * 3000 + "\n", "nested deeper than 32"),
    ("subject: {name: x}\n[1]: 2\n", "a key must be text"),
])
def test_pathological_documents_are_not_cases(kb: KnowledgeBase, text: str,
                                              message: str) -> None:
    with pytest.raises(CaseError) as caught:
        load_case_text(kb, text)
    assert message in str(caught.value)


def test_a_number_too_long_to_be_a_measure_is_kept_as_text(kb: KnowledgeBase) -> None:
    assert load_case_text(kb, "subject: {name: x}\nnotes: " + "9" * 5000 + "\n").notes \
        == "9" * 5000


def test_flow_style_yaml_that_starts_with_a_brace(kb: KnowledgeBase) -> None:
    case = load_case_text(kb, "{subject: {name: x}, findings: {ability: cukup}}")
    assert case.findings[0].rating == "fair"
