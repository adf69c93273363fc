"""HOW and WHY-NOT explanations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from expert import KnowledgeBase, UnknownTargetError, evaluate, read_case_file
from expert.case import Case
from expert.render import render_explanation


def leaves(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for premise in tree["premises"]:
        if "explanation" in premise:
            found += leaves(premise["explanation"])
        else:
            found.append(premise)
    return found


def test_how_tree_ends_at_input_facts_with_case_paths(kb: KnowledgeBase, seed_path: Path) -> None:
    evaluation = evaluate(kb, read_case_file(kb, seed_path))
    for rec_id in evaluation.recommendation_ids:
        result = evaluation.explain(rec_id, "en")
        assert result["reached"] is True
        tree = result["explanation"]
        assert tree["rule"] in kb.rules and tree["because"] and tree["references"]
        for leaf in leaves(tree):
            assert leaf["type"] == "absence" or (leaf["input"] and leaf["path"]), leaf


def test_how_for_verdicts(kb: KnowledgeBase, seed_path: Path) -> None:
    evaluation = evaluate(kb, read_case_file(kb, seed_path))
    overall = evaluation.explain("overall", "id")
    assert overall["explanation"]["rule"] == "verdict.overall"
    assert len(overall["explanation"]["premises"]) == 10
    ability = evaluation.explain("ability", "id")
    assert [p["path"] for p in ability["explanation"]["premises"]] == [
        "findings.ability.interview", "findings.ability.observation",
        "findings.ability.documentation"]
    text = render_explanation(ability, "id")
    assert "findings.ability.observation: Cukup baik" in text


def test_why_not_lists_every_rule_and_condition(kb: KnowledgeBase,
                                                make_case: Callable[..., Case]) -> None:
    evaluation = evaluate(kb, make_case(findings={"ability": "good"}))
    target = "hold_competency_development"
    assert target not in evaluation.recommendation_ids
    result = evaluation.explain(target, "en")
    assert result["reached"] is False
    assert {r["rule"] for r in result["rules"]} == {
        r.id for r in kb.rules_concluding("recommendation", target)}
    for rule in result["rules"]:
        assert rule["conditions"] and rule["unmet"] >= 1
        assert all(isinstance(c["met"], bool) and c["condition"] for c in rule["conditions"])
    text = render_explanation(result, "en")
    assert "Why not" in text and "not met" in text


def test_why_not_follows_unreached_diagnoses(kb: KnowledgeBase,
                                             make_case: Callable[..., Case]) -> None:
    evaluation = evaluate(kb, make_case(findings={"ability": "good"}))
    nested = [c for r in evaluation.explain("hold_competency_development", "en")["rules"]
              for c in r["conditions"] if "why_not" in c]
    assert nested, "a diagnosis condition that failed should carry its own WHY-NOT"


def test_not_assessed_indicator(kb: KnowledgeBase, make_case: Callable[..., Case]) -> None:
    result = evaluate(kb, make_case(findings={"ability": "good"})).explain("creativity")
    assert result["reached"] is False and result["not_assessed"] is True


def test_unknown_target(kb: KnowledgeBase, make_case: Callable[..., Case]) -> None:
    with pytest.raises(UnknownTargetError) as caught:
        evaluate(kb, make_case()).explain("no_such_thing")
    assert "overall" in caught.value.allowed


def test_why_not_says_not_entered_for_missing_inputs(kb: KnowledgeBase,
                                                     make_case: Callable[..., Case]) -> None:
    """A measure the case did not give is 'not entered', not 'not met' (issue 8)."""
    evaluation = evaluate(kb, make_case(findings={"ability": "fair"}))
    why = evaluation.explain("training_below_entitlement", "en")
    rule = next(r for r in why["rules"] if r["rule"] == "training.below_entitlement")
    assert [c["status"] for c in rule["conditions"]] == ["not_entered"]
    assert rule["not_entered"] == 1
    text = render_explanation(why, "id")
    assert "tidak diisi dalam kasus" in text
    # a measure that was given but falls outside the range is 'not met'
    given = evaluate(kb, make_case(findings={"ability": "fair"},
                                   measures={"training_hours_last_year": 30}))
    rule = next(r for r in given.explain("training_below_entitlement", "en")["rules"]
                if r["rule"] == "training.below_entitlement")
    assert [c["status"] for c in rule["conditions"]] == ["not_met"]


def test_why_not_an_indicator_not_assessed_is_not_entered(
        kb: KnowledgeBase, make_case: Callable[..., Case]) -> None:
    evaluation = evaluate(kb, make_case(factors=["minimal_training"]))
    why = evaluation.explain("untrained_technology_gap", "en")
    rule = next(r for r in why["rules"] if r["rule"] == "competency.technology_gap_untrained")
    statuses = {c["condition"]: c["status"] for c in rule["conditions"]}
    assert sorted(statuses.values()) == ["met", "not_entered"]


def test_secondary_sources_carry_a_caveat(kb: KnowledgeBase, seed_path: Path) -> None:
    result = evaluate(kb, read_case_file(kb, seed_path)).to_dict("id")
    for rec in result["recommendations"]:
        levels = {kb.references[r].evidence for r in rec["secondary_references"]}
        assert levels <= {"secondary"}
        assert (rec["caveat"] is None) == (rec["evidence"] == "primary")
    flagged = [r for r in result["recommendations"] if r["caveat"]]
    assert flagged and "sumber sekunder" in flagged[0]["caveat"]
