"""expert/kb/readable.py: rules in words, and how rules feed one another."""

from __future__ import annotations

import json

from expert.kb import readable as kv


def test_rule_text_is_built_from_the_structure(kb):
    rule = kb.rules["competency.hold_development_events"]
    for lang in ("id", "en"):
        text = kv.rule_text(kb, rule, lang)
        assert len(text.conditions) == len(rule.when)
        assert kb.label("recommendations", rule.then.id, lang) in text.conclusion


def test_generic_rules_describe_their_policy(kb):
    lines = kv.policy_lines(kb, kb.rules["verdict.dimension"], "en")
    assert any("2.75" in line for line in lines) and any("1.75" in line for line in lines)
    assert "median" in " ".join(kv.policy_lines(kb, kb.rules["evidence.triangulation"], "en"))


def test_feeders_and_consumers(kb):
    rule = kb.rules["competency.hold_development_events"]
    need = kv.condition_needs(rule.when[0])
    feeders = kv.feeders_of(kb, need)
    assert feeders and all(kv.produces(f) == need for f in feeders)
    triangulation = kb.rules["evidence.triangulation"]
    consumers = kv.consumers_of(kb, triangulation)
    assert kb.rules["verdict.dimension"] in consumers and kb.rules["verdict.overall"] in consumers
    assert "hold_competency_development" in kv.reachable_recommendations(kb, triangulation)
    assert kv.feeders_of(kb, ("factor", "minimal_training")) == []


def test_rules_using_a_factor(kb):
    using = kv.rules_using(kb, "factor", "minimal_training")
    assert using and all(any(kv.condition_needs(c) == ("factor", "minimal_training")
                             for c in r.when) for r in using)


def test_knowledge_document_is_json(kb):
    document = kv.knowledge_document(kb)
    json.dumps(document)
    assert document["version"] == kb.version
    assert {r["id"] for r in document["rules"]} == set(kb.rules)
