"""The needs analysis and programme plan on a fixture of 15 offices, against expectations
computed by hand from the fixture (tests/data/akpk_15_offices.csv) and the rules:

- offices 1–5: the unit's ability is fair with minimal training → untrained technology gap
  (competency.technology_gap_untrained);
- offices 1–3: employee A has ability fair and 8 JP → untrained technology gap
  (competency.technology_gap_low_hours) and under 20 JP (shortfall 12); employee B is good, 24 JP;
- office 4: one employee, all good, 19.5 JP → under 20 JP (shortfall 0.5);
- offices 6–10: low digital competency → digital competency gap; 2 staff under 20 JP reported
  → under the entitlement too (training.staff_below_minimum);
- offices 11–15: all good, 24 JP average: no need.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from expert import KnowledgeBase, evaluate
from expert.errors import CaseError
from expert.io import import_cases
from expert.planning import (
    AssessedSubject,
    Selection,
    adjust,
    analyse,
    propose_plan,
    report_csv,
    report_dict,
    report_text,
    subject_from_evaluation,
    subject_from_result,
    trend,
)

FIXTURE = Path(__file__).resolve().parent / "data" / "akpk_15_offices.csv"
OFFICES = ["Dinas Pendidikan", "Dinas Kesehatan", "Dinas Perhubungan", "Dinas Sosial",
           "Dinas Pertanian", "Dinas Perindustrian dan Perdagangan", "Dinas Koperasi dan UKM",
           "Dinas Pariwisata", "Dinas Lingkungan Hidup",
           "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Pekerjaan Umum", "Dinas Perikanan",
           "Dinas Perpustakaan dan Kearsipan", "Dinas Komunikasi dan Informatika",
           "Dinas Pemberdayaan Masyarakat dan Desa"]


@pytest.fixture(scope="module")
def subjects(kb: KnowledgeBase) -> list[AssessedSubject]:
    imported = import_cases(kb, FIXTURE.read_bytes(), FIXTURE.name)
    return [subject_from_evaluation(item.label, evaluate(kb, item.case)) for item in imported]


def test_fixture_has_fifteen_offices(subjects: list[AssessedSubject]) -> None:
    assert len(subjects) == 22
    assert sorted({s.unit for s in subjects}) == sorted(OFFICES)


def test_needs_lines_by_hand(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    analysis = analyse(kb, subjects)
    lines = {line.diagnosis: line for line in analysis.lines}
    assert set(lines) == {"untrained_technology_gap", "training_below_entitlement",
                          "digital_competency_gap"}
    gap = lines["untrained_technology_gap"]
    assert gap.units == sorted(OFFICES[:5])
    assert [s.name for s in gap.employees] == ["Pegawai 01-A", "Pegawai 02-A", "Pegawai 03-A"]
    assert sorted(s.name for s in gap.groups) == sorted(OFFICES[:5])
    assert {s.rules for s in gap.groups} == {("competency.technology_gap_untrained",)}
    assert {s.rules for s in gap.employees} == {("competency.technology_gap_low_hours",)}
    assert gap.priority == "high" and gap.topic == "competency_development"
    below = lines["training_below_entitlement"]
    assert below.units == sorted(OFFICES[:4] + OFFICES[5:10])
    assert len(below.employees) == 4 and len(below.groups) == 5
    assert {s.rules for s in below.employees} == {("training.below_entitlement",)}
    assert {s.rules for s in below.groups} == {("training.staff_below_minimum",)}
    digital = lines["digital_competency_gap"]
    assert digital.units == sorted(OFFICES[5:10]) and len(digital.groups) == 5
    assert digital.topic == "digital_skills"


def test_training_hours_by_hand(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    analysis = analyse(kb, subjects)
    # the largest shortfall first, then by office
    assert [(e.name, e.unit, e.hours, e.shortfall) for e in analysis.employees_below] == [
        ("Pegawai 02-A", "Dinas Kesehatan", 8, 12), ("Pegawai 01-A", "Dinas Pendidikan", 8, 12),
        ("Pegawai 03-A", "Dinas Perhubungan", 8, 12), ("Pegawai 04-A", "Dinas Sosial", 19.5, 0.5)]
    units = {u.unit: u for u in analysis.units}
    first = units["Dinas Pendidikan"]
    assert (first.employees_assessed, first.employees_below, first.employee_shortfall) == \
        (2, 1, 12)
    assert units["Dinas Sosial"].employee_shortfall == 0.5
    assert units["Dinas Pariwisata"].staff_below_reported == 2
    assert units["Dinas Perikanan"].average_reported == 24
    assert "Dinas Pertanian" not in units  # no hours reported there at all


def test_plan_by_hand(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    plan = propose_plan(kb, analyse(kb, subjects))
    lines = {line.programme: line for line in plan}
    assert set(lines) == {"technology_skills", "minimum_hours", "digital_skills"}
    tech = lines["technology_skills"]
    assert (tech.participants, tech.hours, tech.total_hours) == (8, 24, 192)
    assert tech.forms == kb.development.programmes["technology_skills"].forms
    assert {"bimbingan_teknis", "mentoring", "e_learning"} <= set(tech.forms)
    # 4 employees under 20 JP and 5 units reporting staff under it
    assert (lines["minimum_hours"].participants, lines["minimum_hours"].total_hours) == (9, 180)
    assert (lines["digital_skills"].participants, lines["digital_skills"].total_hours) == \
        (5, 100)
    assert lines["technology_skills"].priority == "high"
    # by priority, then the most participants first
    ranks = [(kb.priority_rank(p.priority), -p.participants) for p in plan]
    assert ranks == sorted(ranks)


def test_selection_by_office_and_kind(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    only = analyse(kb, subjects, Selection(offices=frozenset(OFFICES[:2]),
                                           kinds=frozenset({"employee"})))
    assert len(only.subjects) == 4
    assert {line.diagnosis for line in only.lines} == {"untrained_technology_gap",
                                                      "training_below_entitlement"}
    assert not analyse(kb, subjects, Selection(periods=frozenset({"2024"}))).lines


def test_heat_map_counts_assessments(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    heat = analyse(kb, subjects).heat()
    # office 1: the unit and employee A (two needs of one topic, one assessment each)
    assert heat[("competency_development", "Dinas Pendidikan")] == 2
    assert heat[("digital_skills", "Dinas Pariwisata")] == 1
    assert heat[("competency_development", "Dinas Pariwisata")] == 1  # staff under 20 JP
    assert ("competency_development", "Dinas Perikanan") not in heat


def test_stored_results_give_the_same_analysis(kb: KnowledgeBase) -> None:
    imported = import_cases(kb, FIXTURE.read_bytes(), FIXTURE.name)
    live, stored = [], []
    for item in imported:
        evaluation = evaluate(kb, item.case)
        live.append(subject_from_evaluation(item.label, evaluation))
        stored.append(subject_from_result(item.label, item.case.to_dict(),
                                          evaluation.to_dict("id")))
    assert live == stored
    assert report_dict(kb, analyse(kb, live), []) == report_dict(kb, analyse(kb, stored), [])


def test_adjusting_the_plan(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    plan = propose_plan(kb, analyse(kb, subjects))
    changed = adjust(kb, plan, {"technology_skills": {
        "participants": "40", "hours": "16,5", "forms": ["coaching", "pelatihan"],
        "timeframe": "long", "priority": "medium", "note": "angkatan 1", "included": "on"}})
    tech = next(line for line in changed if line.programme == "technology_skills")
    assert (tech.participants, tech.hours, tech.total_hours) == (40, 16.5, 660)
    assert tech.forms == ("pelatihan", "coaching")  # catalogue order
    with pytest.raises(CaseError) as caught:
        adjust(kb, plan, {"technology_skills": {"participants": "-1", "forms": ["yoga"],
                                                "timeframe": "kapan-kapan"},
                          "nope": {}})
    paths = {p.path for p in caught.value.problems}
    assert paths == {"plan.technology_skills.participants", "plan.technology_skills.forms",
                     "plan.technology_skills.timeframe", "plan.nope"}


def test_report_forms(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    analysis = analyse(kb, subjects)
    data = report_dict(kb, analysis, propose_plan(kb, analysis), trend(kb, subjects), "en")
    text = report_text(kb, data)
    assert "Employees under 20 JP" in text and "Pegawai 04-A" in text
    assert "competency.technology_gap_low_hours" in text  # HOW per line
    csv_text = report_csv(data, "plan")
    assert "Working ability with new technology,\"Technical guidance," in csv_text


def test_trend_across_periods(kb: KnowledgeBase, subjects: list[AssessedSubject]) -> None:
    from dataclasses import replace

    later = [replace(s, period="2026", ref=s.ref + "'", diagnoses={})
             for s in subjects if s.unit == "Dinas Pendidikan"]
    steps = {t.unit: t.steps for t in trend(kb, subjects + later)}["Dinas Pendidikan"]
    assert [s.period for s in steps] == ["2025", "2026"]
    assert steps[0].needs == ("untrained_technology_gap", "training_below_entitlement")
    assert steps[0].assessments == 3 and steps[1].assessments == 3
    assert steps[1].resolved == steps[0].needs and steps[1].new == ()
