"""A plain-Python forward chainer over the same knowledge rules: the floor the RETE engine is
compared with. No network and no incremental matching: each salience layer matches every rule
against every fact (each condition class's ``matches``), then fires in the engine's order (the
newest facts first, then the rule's position in the knowledge base)."""

from __future__ import annotations

from itertools import product

from expert.case import COMBINED_SOURCE, Case
from expert.kb.model import KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.rules.compiler import layers
from expert.rules.generic import aggregate, assessment_scope, combine_sources
from expert.trace import FactRecord

Firing = tuple[str, tuple[str, ...], str, "str | None"]


class Chainer:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        rule_layers = layers(kb)
        order = {rule.id: index for index, rule in enumerate(kb.rules.values())}
        by_layer: dict[int, list[KnowledgeRule]] = {}
        for rule in kb.pattern_rules():
            by_layer.setdefault(rule_layers[rule.id], []).append(rule)
        self.layers = [by_layer[layer] for layer in sorted(by_layer)]
        self.order = order

    def run(self, case: Case) -> list[Firing]:
        kb = self.kb
        records: list[FactRecord] = [FactRecord("subject", "subject", {"kind": case.subject_kind})]
        for f in case.findings:
            records.append(FactRecord(f"finding:{f.indicator}.{f.source}", "finding",
                                      {"indicator": f.indicator, "source": f.source,
                                       "rating": f.rating}))
        records += [FactRecord(f"factor:{x}", "factor", {"id": x}) for x in case.factors]
        records += [FactRecord(f"measure:{m}", "measure", {"id": m, "value": v})
                    for m, v in case.measures.items()]
        if case.skp is not None:
            records.append(FactRecord("skp", "skp", {"predicate": case.skp}))
        records.append(FactRecord("assessment", "assessment", assessment_scope(kb, case)))
        firings: list[Firing] = []
        self._generic(case, records, firings)
        keys = {r.key for r in records}
        for layer in self.layers:
            position = {id(r): i for i, r in enumerate(records)}
            agenda = []
            for rule in layer:
                if any(c.kind == "not" and c.inner.matches(records)  # type: ignore[attr-defined]
                       for c in rule.when):
                    continue
                options = [c.matches(records) for c in rule.when if c.kind != "not"]
                seen = set()
                for combination in product(*options):
                    facts = sorted({position[id(r)] for r in combination})
                    if tuple(facts) in seen:
                        continue
                    seen.add(tuple(facts))
                    agenda.append((facts[::-1], -self.order[rule.id], rule, facts))
            agenda.sort(key=lambda a: (a[0], a[1]), reverse=True)
            for _, _, rule, facts in agenda:
                assert rule.then is not None
                key = f"{rule.then.kind}:{rule.then.id}"
                priority = (rule.then.priority or kb.recommendations[rule.then.id].priority
                            if rule.then.kind == "recommendation" else None)
                firings.append((rule.id, tuple(records[i].key for i in facts), key, priority))
                if key not in keys:
                    keys.add(key)
                    records.append(FactRecord(key, rule.then.kind, {"id": rule.then.id}))
        return firings

    def _generic(self, case: Case, records: list[FactRecord], firings: list[Firing]) -> None:
        kb = self.kb
        assessed = case.assessed_indicators()
        triangulation = kb.rule_of_kind("triangulation")
        verdicts: list[FactRecord] = []
        if triangulation is not None:
            for indicator in reversed(assessed):
                found = [r for r in records
                         if r.kind == "finding" and r.data["indicator"] == indicator]
                rating, agreement = combine_sources(
                    kb, triangulation.policy, [r.data["rating"] for r in found],
                    all(r.data["source"] == COMBINED_SOURCE for r in found))
                record = FactRecord(f"indicator:{indicator}", "indicator", {
                    "id": indicator, "dimension": kb.indicators[indicator].dimension,
                    "rating": rating, "agreement": agreement})
                firings.append((triangulation.id, tuple(r.key for r in found), record.key, None))
                verdicts.append(record)
        records += verdicts
        dimension_rule = kb.rule_of_kind("dimension_aggregation")
        if dimension_rule is not None:
            dimensions = {kb.indicators[i].dimension for i in assessed}
            for dimension in reversed([d for d in kb.dimensions if d in dimensions]):
                used = [r for r in verdicts if r.data["dimension"] == dimension]
                rating, _ = aggregate(kb, dimension_rule.policy, [r.data["rating"] for r in used])
                record = FactRecord(f"dimension:{dimension}", "dimension",
                                    {"id": dimension, "rating": rating})
                firings.append((dimension_rule.id, tuple(r.key for r in used), record.key, None))
                records.append(record)
        overall_rule = kb.rule_of_kind("overall_aggregation")
        if overall_rule is not None and assessed:
            rating, _ = aggregate(kb, overall_rule.policy, [r.data["rating"] for r in verdicts])
            firings.append((overall_rule.id, tuple(r.key for r in verdicts), "overall", None))
            records.append(FactRecord("overall", "overall", {"rating": rating}))
