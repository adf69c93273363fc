"""Every knowledge rule: a case where it fires, and one where it does not because one of its
conditions is missing (tests/rule_cases/<rule id>.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from expert import KnowledgeBase, evaluate, load_knowledge_base, parse_case
from tests.conftest import RULE_CASES

RULE_CASE_FILES = sorted(RULE_CASES.glob("*.yaml"))


def rule_case(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_pattern_rule_has_its_cases() -> None:
    kb = load_knowledge_base()
    covered = {rule_case(path)["rule"] for path in RULE_CASE_FILES}
    assert covered == {rule.id for rule in kb.pattern_rules()}


@pytest.mark.parametrize("path", RULE_CASE_FILES, ids=lambda p: p.stem)
def test_rule_fires(kb: KnowledgeBase, path: Path) -> None:
    spec = rule_case(path)
    evaluation = evaluate(kb, parse_case(kb, spec["fires"]["case"]))
    assert spec["rule"] in evaluation.fired_rule_ids


@pytest.mark.parametrize("path", RULE_CASE_FILES, ids=lambda p: p.stem)
def test_rule_does_not_fire_without_one_condition(kb: KnowledgeBase, path: Path) -> None:
    spec = rule_case(path)
    evaluation = evaluate(kb, parse_case(kb, spec["does_not_fire"]["case"]))
    assert spec["rule"] not in evaluation.fired_rule_ids, spec["does_not_fire"]["missing"]
    # and the WHY-NOT of its conclusion names the rule with at least one unmet condition
    rule = kb.rules[spec["rule"]]
    assert rule.then is not None
    if rule.then.id not in _concluded(evaluation):
        why = evaluation.explain(rule.then.id, "en")
        entry = next(r for r in why["rules"] if r["rule"] == rule.id)
        assert entry["unmet"] >= 1


def _concluded(evaluation: Any) -> set[str]:
    return set(evaluation.diagnosis_ids) | set(evaluation.recommendation_ids)


def test_generic_rules_fire_for_any_assessment(kb: KnowledgeBase) -> None:
    evaluation = evaluate(kb, parse_case(kb, {"subject": {"name": "x"},
                                              "findings": {"ability": "good"}}))
    assert {"evidence.triangulation", "verdict.dimension", "verdict.overall"} <= set(
        evaluation.fired_rule_ids)


def test_generic_rules_do_not_fire_without_findings(kb: KnowledgeBase) -> None:
    evaluation = evaluate(kb, parse_case(kb, {"subject": {"name": "x"}}))
    assert not {"evidence.triangulation", "verdict.dimension", "verdict.overall"} & set(
        evaluation.fired_rule_ids)


def test_every_fired_rule_meets_its_conditions_in_the_final_facts(kb: KnowledgeBase) -> None:
    """Layering makes `not` sound: nothing a rule forbade appears after it fired."""
    from expert.rules.conditions import NotCondition

    for path in RULE_CASE_FILES:
        evaluation = evaluate(kb, parse_case(kb, rule_case(path)["fires"]["case"]))
        records = list(evaluation.trace.records.values())
        for firing in evaluation.trace.firings:
            for condition in kb.rules[firing.rule].when:
                if isinstance(condition, NotCondition):
                    assert condition.inner is not None
                    assert not condition.inner.matches(records), (path.stem, firing.rule)
                else:
                    assert condition.matches(records), (path.stem, firing.rule)
