"""Compile knowledge rules (data) into experta ``Rule`` objects; no Python per knowledge rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from expert.kb.model import Condition, KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.rules.adapter import NOT, Action, InitialFact, Rule
from expert.rules.conditions import DiagnosisCondition, NotCondition

# Knowledge rules run layer by layer (see layers()): a rule's salience is below that of every
# rule concluding a fact it tests, which lets the engine match once per layer. The generic
# procedures are not in the network: the engine computes them before the run.
LAYER_STEP = 10

Handler = Callable[[Any, Any], None]


def pattern(condition: Condition) -> Any:
    """The experta pattern that matches a condition (each condition kind builds its own)."""
    return condition.pattern()


def layers(kb: KnowledgeBase) -> dict[str, int]:
    """Each pattern rule's layer: one more than the deepest rule concluding a diagnosis it tests.

    Rules fire layer by layer, so a rule that tests a diagnosis (or its absence) sees every
    rule that can conclude it fire first. The verifier rejects cycles; here a cycle would
    simply stop the recursion.
    """
    concluders: dict[str, list[KnowledgeRule]] = {}
    for rule in kb.pattern_rules():
        if rule.then is not None and rule.then.kind == "diagnosis":
            concluders.setdefault(rule.then.id, []).append(rule)
    result: dict[str, int] = {}

    def layer(rule: KnowledgeRule, visiting: frozenset[str]) -> int:
        if rule.id in result:
            return result[rule.id]
        depth = 0
        for diagnosis in tested_diagnoses(rule.when):
            for feeder in concluders.get(diagnosis, []):
                if feeder.id not in visiting:
                    depth = max(depth, layer(feeder, visiting | {rule.id}) + 1)
        result[rule.id] = depth
        return depth

    for rule in kb.pattern_rules():
        layer(rule, frozenset({rule.id}))
    return result


def tested_diagnoses(conditions: Iterable[Condition]) -> list[str]:
    found: list[str] = []
    for condition in conditions:
        if isinstance(condition, DiagnosisCondition) and condition.target:
            found.append(condition.target)
        elif isinstance(condition, NotCondition) and condition.inner is not None:
            found.extend(tested_diagnoses([condition.inner]))
    return found


def compile_rules(kb: KnowledgeBase, knowledge: Handler) -> dict[str, Rule]:
    """One experta Rule per pattern rule, each carrying its knowledge rule and its handler."""
    compiled: dict[str, Rule] = {}
    rule_layers = layers(kb)
    for order, kr in enumerate(kb.rules.values()):
        if kr.is_generic:
            continue
        patterns: list[Any] = [pattern(c) for c in kr.when]
        if all(isinstance(p, NOT) for p in patterns):
            patterns.insert(0, InitialFact())  # a purely negative rule needs an anchor
        salience = -LAYER_STEP * rule_layers[kr.id]
        handler = knowledge
        # named by position: two ids may differ only in '.' and '_' (a.b and a_b)
        compiled[f"rule_{order:04d}"] = Rule(*patterns, salience=salience)(
            _Action(kr, handler, order))
    return compiled


class _Action(Action):
    """What a compiled rule wraps: its knowledge rule and the handler that concludes it.

    experta rewrites rules into normal form and keeps only the wrapped callable, so the link
    back to the knowledge rule lives here. The engine's ``fire()`` calls ``handler`` itself to
    record the trace.
    """

    def __init__(self, knowledge_rule: KnowledgeRule, handler: Handler, order: int):
        self.knowledge_rule = knowledge_rule
        self.handler = handler
        self.order = order  # position in the knowledge base: the last tie-breaker
        self.__name__ = knowledge_rule.id
