"""Regressions of issue 8's review: the three wrong rules, the weak ones revised, and the new
knowledge (employee-level advice, SKP, consecutive absence, 20 JP per person, coverage)."""

from __future__ import annotations

from typing import Any

import pytest

from expert import KnowledgeBase, evaluate, parse_case
from expert.evaluation import Evaluation
from tests.conftest import all_indicators


def run(kb: KnowledgeBase, **case: Any) -> Evaluation:
    case.setdefault("subject", {"name": "Uji"})
    return evaluate(kb, parse_case(kb, case))


# -- wrong: reward in the dismissal band ---------------------------------------------------
@pytest.mark.parametrize("extra", [
    {"measures": {"unexcused_absence_days": 28}},
    {"measures": {"consecutive_unexcused_absence_days": 10}},
    {"factors": ["frequent_lateness"]},
    {"subject": {"name": "Budi", "kind": "employee"}, "skp": "kurang"},
])
def test_no_reward_while_discipline_or_skp_says_otherwise(kb: KnowledgeBase,
                                                          extra: dict[str, Any]) -> None:
    evaluation = run(kb, findings=all_indicators(kb, "good"), **extra)
    assert "uniformly_good_performance" in evaluation.diagnosis_ids
    assert "recognise_good_performance" not in evaluation.recommendation_ids


def test_no_reward_on_thin_evidence(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings={"ability": "good"})
    assert evaluation.overall == "good"
    assert "recognise_good_performance" not in evaluation.recommendation_ids
    assert "complete_assessment" in evaluation.recommendation_ids
    assert evaluation.to_dict("id")["overall"]["provisional"] is True


def test_reward_when_everything_is_good(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings=all_indicators(kb, "good"),
                     measures={"unexcused_absence_days": 0})
    assert "recognise_good_performance" in evaluation.recommendation_ids


def test_dismissal_band_gets_examination_first(kb: KnowledgeBase) -> None:
    ids = run(kb, findings=all_indicators(kb, "good"),
              measures={"unexcused_absence_days": 28}).recommendation_ids
    assert ids.index("summon_and_examine") < ids.index("process_severe_sanction")


# -- wrong: the 19.99 hole ------------------------------------------------------------------
@pytest.mark.parametrize("hours, fired, not_fired", [
    (19.995, {"training.below_entitlement", "competency.technology_gap_low_hours"},
     {"training.hours_met_gap_persists"}),
    (20, {"training.hours_met_gap_persists"},
     {"training.below_entitlement", "competency.technology_gap_low_hours"}),
])
def test_no_hole_at_20_jp(kb: KnowledgeBase, hours: float, fired: set[str],
                          not_fired: set[str]) -> None:
    rules = set(run(kb, findings={"ability": "fair"},
                    measures={"training_hours_last_year": hours}).fired_rule_ids)
    assert fired <= rules and not rules & not_fired


def test_just_under_20_jp_is_below_the_minimum(kb: KnowledgeBase) -> None:
    rules = run(kb, findings={"ability": "fair"},
                measures={"training_hours_last_year": 19.999}).fired_rule_ids
    assert "training.below_entitlement" in rules


# -- wrong: poor ability without a training signal -----------------------------------------
def test_poor_ability_without_training_signal_gets_development(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings={"ability": {"interview": "poor", "observation": "poor",
                                               "documentation": "poor"}})
    assert "competency_development_need" in evaluation.diagnosis_ids
    assert "hold_competency_development" in evaluation.recommendation_ids


# -- weak: contradictory training inputs ---------------------------------------------------
def test_minimal_training_with_25_jp_is_a_contradiction(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings={"ability": "fair"}, factors=["minimal_training"],
                     measures={"training_hours_last_year": 25})
    assert "contradictory_inputs" in evaluation.diagnosis_ids
    assert "reconcile_inputs" in evaluation.recommendation_ids
    assert "training.hours_met_gap_persists" not in evaluation.fired_rule_ids


def test_20_jp_on_average_with_staff_below_is_not_enough(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings={"ability": "fair"},
                     measures={"training_hours_last_year": 26, "staff_below_minimum_training": 3})
    assert "training_below_entitlement" in evaluation.diagnosis_ids
    assert "training.hours_met_gap_persists" not in evaluation.fired_rule_ids
    assert "plan_minimum_training_hours" in evaluation.recommendation_ids


# -- weak: creativity is not mastery; budgets are planned, not spare -----------------------
def test_creative_staff_lead_a_learning_community_not_mentoring(kb: KnowledgeBase) -> None:
    ids = run(kb, findings={"ability": "fair", "creativity": "good"},
              factors=["minimal_training"]).recommendation_ids
    assert "learning_community" in ids and "mentor_with_experienced_staff" not in ids


def test_budget_advice_plans_the_next_cycle(kb: KnowledgeBase) -> None:
    evaluation = run(kb, findings={"ability": "fair"}, factors=["minimal_training",
                                                                "good_budget_planning"])
    rec = next(r for r in evaluation.to_dict("id")["recommendations"]
               if r["id"] == "plan_development_funding")
    assert "RKA" in rec["description"] and "BKPSDM" in rec["description"]


# -- employee-level advice --------------------------------------------------------------------
def test_employee_gets_individual_advice_and_a_unit_does_not(kb: KnowledgeBase) -> None:
    findings = {"ability": "fair", "creativity": "fair"}
    employee = run(kb, subject={"name": "Budi", "kind": "employee"}, findings=findings,
                   skp="butuh perbaikan").recommendation_ids
    unit = run(kb, findings=findings).recommendation_ids
    assert {"individual_development_plan", "coach_and_counsel_employee"} <= set(employee)
    assert not {"individual_development_plan", "coach_and_counsel_employee"} & set(unit)


def test_consecutive_absence_cites_the_articles(kb: KnowledgeBase) -> None:
    result = run(kb, subject={"name": "Budi", "kind": "employee"},
                 measures={"consecutive_unexcused_absence_days": 10}).to_dict("id")
    rec = next(r for r in result["recommendations"]
               if r["id"] == "process_consecutive_absence_dismissal")
    assert "Pasal 11 ayat (2) huruf d angka 4" in rec["description"]
    assert "Pasal 15 ayat (2)" in rec["description"]
    assert rec["evidence"] == "secondary" and "sumber sekunder" in rec["caveat"]


def test_every_reference_has_an_evidence_level(kb: KnowledgeBase) -> None:
    assert {r.evidence for r in kb.references.values()} <= {"primary", "secondary"}
    assert "uu_20_2023" in kb.references and "perpres_21_2023" in kb.references


def test_indonesian_bounds_read_naturally(kb: KnowledgeBase) -> None:
    from expert.kb.readable import rule_text

    text = rule_text(kb, kb.rules["training.below_entitlement"], "id").conditions[0]
    assert "kurang dari 20 JP" in text and "19" not in text
