"""Explanations. HOW: the derivation tree of a conclusion, down to the case's input facts.
WHY-NOT: for a conclusion not reached, every rule that could conclude it and, for each of its
conditions, whether the final facts meet it — or whether the case never entered what it tests."""

from __future__ import annotations

from typing import Any

from expert.i18n import tr
from expert.kb.model import KnowledgeBase
from expert.rules.conditions import DiagnosisCondition, NotCondition
from expert.trace import FactRecord, Trace

WHY_NOT_DEPTH = 3  # how far WHY-NOT follows unreached diagnoses into their own rules


def describe_fact(kb: KnowledgeBase, record: FactRecord, lang: str) -> str:
    """One line for a fact: 'findings.ability.interview: Cukup baik', 'factor: …'."""
    d = record.data
    rating = kb.label("ratings", d.get("rating", ""), lang) if "rating" in d else ""
    kind = record.kind
    if kind == "finding":
        return f"{record.path}: {rating}"
    if kind == "factor":
        return f"{record.path}: {kb.label('factors', d['id'], lang)}"
    if kind == "measure":
        value = d["value"]
        shown = int(value) if float(value).is_integer() else value
        unit = tr(kb.measures[d["id"]].unit, lang)
        return f"{record.path}: {kb.label('measures', d['id'], lang)} = {shown} {unit}".rstrip()
    if kind == "subject":
        return f"{record.path}: {kb.label('subject_kinds', d['kind'], lang)}"
    if kind == "skp":
        return f"skp: {kb.label('skp_predicates', d['predicate'], lang)}"
    if kind == "assessment":
        return _assessment_text(d, lang)
    if kind == "indicator":
        agreement = kb.label("agreements", d["agreement"], lang)
        return f"{kb.label('indicators', d['id'], lang)}: {rating} ({agreement})"
    if kind == "dimension":
        return f"{kb.label('dimensions', d['id'], lang)}: {rating}"
    if kind == "overall":
        return ("Penilaian keseluruhan" if lang == "id" else "Overall verdict") + f": {rating}"
    if kind == "diagnosis":
        return kb.label("diagnoses", d["id"], lang)
    if kind == "recommendation":
        return kb.label("recommendations", d["id"], lang)
    return record.key


def _assessment_text(d: dict[str, Any], lang: str) -> str:
    if lang == "id":
        text = (f"cakupan penilaian: {d['assessed']} dari {d['total']} indikator dinilai ("
                + ("memenuhi batas minimal" if d["sufficient"] else "belum memenuhi batas minimal")
                + f"); {d['single_source']} indikator hanya dari satu sumber bukti")
    else:
        text = (f"assessment coverage: {d['assessed']} of {d['total']} indicators assessed ("
                + ("meets the minimum" if d["sufficient"] else "below the minimum")
                + f"); {d['single_source']} indicators from a single evidence source")
    return text


class Explainer:
    """Builds explanation trees for one consultation in one language (memoised per fact)."""

    def __init__(self, kb: KnowledgeBase, trace: Trace, lang: str):
        self.kb = kb
        self.trace = trace
        self.lang = lang
        self._trees: dict[tuple[str, int], dict[str, Any]] = {}
        self._premises: dict[str, dict[str, Any]] = {}

    # -- HOW ---------------------------------------------------------------------------------
    def premise(self, key: str) -> dict[str, Any]:
        """A fact as a premise (memoised: a fact is the premise of many firings)."""
        cached = self._premises.get(key)
        if cached is None:
            cached = self._premises[key] = self._premise(key)
        return cached

    def _premise(self, key: str) -> dict[str, Any]:
        record = self.trace.records[key]
        node: dict[str, Any] = {"type": record.kind, "fact": key,
                                "text": describe_fact(self.kb, record, self.lang)}
        if record.is_input:
            node["input"] = True
            node["path"] = record.path
            node.update({k: v for k, v in record.data.items() if k not in node})
        else:
            node["input"] = False
            node.update({k: v for k, v in record.data.items()
                         if k in ("id", "rating", "agreement", "score")})
            node["explanation"] = self.how(key)
            if len(record.derivations) > 1:  # other rules reached the same conclusion too
                node["also_by"] = [f.rule for f in record.derivations[1:]]
        return node

    def how(self, key: str, derivation: int = 0) -> dict[str, Any]:
        """The derivation tree of a concluded fact by its ``derivation``-th firing."""
        cached = self._trees.get((key, derivation))
        if cached is not None:
            return cached
        record = self.trace.records[key]
        firing = record.derivations[derivation]
        rule = self.kb.rules[firing.rule]
        premises = [self.premise(k) for k in firing.premises]
        for condition in rule.when:
            if isinstance(condition, NotCondition):
                premises.append({"type": "absence", "input": False,
                                 "text": condition.describe(self.kb, self.lang)})
        tree = {
            "rule": rule.id, "title": tr(rule.title, self.lang), "seq": firing.seq,
            "because": tr(rule.justification, self.lang),
            "references": list(rule.references), "premises": premises,
        }
        self._trees[(key, derivation)] = tree
        return tree

    def all_derivations(self, key: str) -> list[dict[str, Any]]:
        return [self.how(key, i) for i in range(len(self.trace.records[key].derivations))]

    # -- WHY-NOT -----------------------------------------------------------------------------
    def why_not(self, kind: str, target: str, depth: int = 0) -> dict[str, Any]:
        """Why ``target`` (a diagnosis or recommendation) was not concluded."""
        rules = []
        records = list(self.trace.records.values())
        for rule in self.kb.rules_concluding(kind, target):
            checks = []
            for condition in rule.when:
                negated = isinstance(condition, NotCondition)
                inner = condition.inner if isinstance(condition, NotCondition) else condition
                assert inner is not None
                found = inner.matches(records)
                met = not found if negated else bool(found)
                # a positive condition on an input the case did not give: "not entered"
                status = "met" if met else (
                    "not_met" if negated or inner.entered(records) else "not_entered")
                check: dict[str, Any] = {
                    "condition": condition.describe(self.kb, self.lang), "met": met,
                    "status": status,
                    "facts": [describe_fact(self.kb, r, self.lang) for r in found],
                }
                if (not met and isinstance(condition, DiagnosisCondition) and condition.target
                        and depth < WHY_NOT_DEPTH):
                    check["why_not"] = self.why_not("diagnosis", condition.target, depth + 1)
                checks.append(check)
            rules.append({"rule": rule.id, "title": tr(rule.title, self.lang),
                          "because": tr(rule.justification, self.lang),
                          "references": list(rule.references), "conditions": checks,
                          "unmet": sum(1 for c in checks if not c["met"]),
                          "not_entered": sum(1 for c in checks
                                             if c["status"] == "not_entered")})
        return {"target": target, "kind": kind, "reached": False, "rules": rules}
