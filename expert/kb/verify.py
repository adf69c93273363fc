"""Static verification of the knowledge base (``kinerja kb check``).

Reports schema errors, unknown references, conclusions no rule can reach, diagnoses reached but
never used, cycles, duplicate and subsumed rules, and rules without justification or references.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from expert.errors import KnowledgeBaseError
from expert.kb.loader import load_knowledge_base
from expert.kb.model import Condition, KnowledgeBase, Rule
from expert.rules.compiler import tested_diagnoses


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "where": self.where, "message": self.message}


def check_directory(directory: str | Path | None = None) -> tuple[KnowledgeBase | None,
                                                                   list[Finding]]:
    """Load and verify; schema problems are findings too (then nothing else can be checked)."""
    try:
        kb = load_knowledge_base(directory)
    except KnowledgeBaseError as error:
        findings = []
        for problem in error.problems:
            # "unknown indicator 'x'", "unknown reference 'y'": a name that points nowhere;
            # "unknown key", "unknown value", "unknown rule kind": the schema
            schema_words = ("unknown key", "unknown value", "unknown rule kind")
            refers = problem.message.startswith("unknown ") and not problem.message.startswith(
                schema_words)
            check = "unknown-reference" if refers else "schema"
            where = f"{problem.file}: {problem.path}" if problem.file else problem.path
            message = problem.message
            if problem.allowed:
                message += f" (allowed: {', '.join(problem.allowed)})"
            findings.append(Finding(check, where, message))
        return None, findings
    return kb, verify(kb)


def verify(kb: KnowledgeBase) -> list[Finding]:
    findings: list[Finding] = []
    findings += _documentation(kb)
    findings += _contradictions(kb)
    findings += _reachability(kb)
    findings += _unused_diagnoses(kb)
    findings += _cycles(kb)
    findings += _duplicates_and_subsumed(kb)
    return findings


def _where(rule: Rule) -> str:
    return f"{rule.file}: {rule.id}"


def _documentation(kb: KnowledgeBase) -> list[Finding]:
    found = []
    for rule in kb.rules.values():
        if not all(rule.justification.get(lang, "").strip() for lang in ("id", "en")):
            found.append(Finding("no-justification", _where(rule),
                                 "rule has no justification in both languages"))
        if not rule.references:
            found.append(Finding("no-references", _where(rule), "rule cites no reference"))
    for rec in kb.recommendations.values():
        if not rec.references:
            found.append(Finding("no-references", f"recommendations.yaml: {rec.id}",
                                 "recommendation cites no reference"))
    return found


def _contradictions(kb: KnowledgeBase) -> list[Finding]:
    """Rules whose conditions can never hold together, so the rule can never fire."""
    found = []
    for rule in kb.pattern_rules():
        reason = _contradiction(kb, rule.when)
        if reason:
            found.append(Finding("never-fires", _where(rule), reason))
    return found


def _contradiction(kb: KnowledgeBase, conditions: tuple[Condition, ...]) -> str | None:
    positive = [c for c in conditions if c.kind != "not"]
    for condition in positive:
        measure = kb.measures.get(condition.target or "") if condition.kind == "measure" else None
        if measure is not None:
            low = condition.minimum if condition.minimum is not None else 0.0
            high = measure.maximum if measure.maximum is not None else float("inf")
            if condition.maximum is not None and condition.maximum < 0 or low > high:
                return f"measure {measure.id} can never lie in the range it asks for"
    for index, first in enumerate(positive):
        for second in positive[index + 1:]:
            if _disjoint(first, second):
                return "two conditions on the same fact ask for values it cannot have at once"
    for negation in (c for c in conditions if c.kind == "not" and c.inner is not None):
        assert negation.inner is not None
        for condition in positive:
            if implies(condition, negation.inner):
                return "a condition and the negation of something it implies"
    return None


def _disjoint(first: Condition, second: Condition) -> bool:
    """Both test one and the same fact (a named one, not 'any') for values no fact has."""
    if first.kind != second.kind or first.target in (None, "any") \
            or first.target != second.target or first.kind in ("finding", "not"):
        return False
    for attribute in ("ratings", "agreements", "kinds"):
        one, other = getattr(first, attribute), getattr(second, attribute)
        if one is not None and other is not None and not one & other:
            return True
    if first.kind == "measure":
        return max(first.bounds[0], second.bounds[0]) > min(first.bounds[1], second.bounds[1])
    return False


def _positive_diagnoses(conditions: Iterable[Condition]) -> list[str]:
    return [c.target for c in conditions if c.kind == "diagnosis" and c.target]


def _reachability(kb: KnowledgeBase) -> list[Finding]:
    """A diagnosis is reachable when some rule concluding it needs only reachable diagnoses."""
    reachable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in kb.pattern_rules():
            if rule.then is None or rule.then.kind != "diagnosis" or rule.then.id in reachable:
                continue
            if all(d in reachable for d in _positive_diagnoses(rule.when)):
                reachable.add(rule.then.id)
                changed = True
    found = []
    for diagnosis in kb.diagnoses:
        if diagnosis not in reachable:
            found.append(Finding("unreachable", f"diagnoses.yaml: {diagnosis}",
                                 "no rule can conclude this diagnosis"))
    reached_recs = set()
    for rule in kb.pattern_rules():
        blocked = [d for d in _positive_diagnoses(rule.when) if d not in reachable]
        if blocked:
            found.append(Finding("unreachable", _where(rule),
                                 f"rule can never fire: needs unreachable {', '.join(blocked)}"))
        elif rule.then is not None and rule.then.kind == "recommendation":
            reached_recs.add(rule.then.id)
    for rec in kb.recommendations:
        if rec not in reached_recs:
            found.append(Finding("unreachable", f"recommendations.yaml: {rec}",
                                 "no rule can conclude this recommendation"))
    return found


def _unused_diagnoses(kb: KnowledgeBase) -> list[Finding]:
    used = {d for rule in kb.pattern_rules() for d in tested_diagnoses(rule.when)}
    concluded = {r.then.id for r in kb.pattern_rules() if r.then and r.then.kind == "diagnosis"}
    return [Finding("unused", f"diagnoses.yaml: {d}",
                    "diagnosis is concluded but no rule uses it")
            for d in kb.diagnoses if d in concluded and d not in used]


def _cycles(kb: KnowledgeBase) -> list[Finding]:
    """Cycles among diagnoses: D depends on E when a rule concluding D tests E."""
    edges: dict[str, set[str]] = {}
    for rule in kb.pattern_rules():
        if rule.then is not None and rule.then.kind == "diagnosis":
            edges.setdefault(rule.then.id, set()).update(tested_diagnoses(rule.when))
    found: list[Finding] = []
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    found.append(Finding("cycle", "rules", " → ".join(reversed(cycle))))
            elif state.get(nxt) is None:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if state.get(node) is None:
            visit(node, [node])
    return found


def implies(specific: Condition, general: Condition) -> bool:
    """Whenever ``specific`` holds, ``general`` holds too."""
    if specific == general:
        return True
    if specific.kind != general.kind or specific.kind == "not":
        return False
    if general.target not in (specific.target, "any"):
        return False
    if general.source is not None and general.source != specific.source:
        return False
    for attribute in ("ratings", "agreements", "kinds"):
        wide = getattr(general, attribute)
        narrow = getattr(specific, attribute)
        if wide is not None and (narrow is None or not narrow <= wide):
            return False
    low_g, high_g = general.bounds
    low_s, high_s = specific.bounds
    return low_g <= low_s and high_s <= high_g


def subsumes(general: Rule, specific: Rule) -> bool:
    """``general`` concludes the same as ``specific`` whenever ``specific`` can fire."""
    if general.then is None or specific.then is None:
        return False
    if (general.then.kind, general.then.id) != (specific.then.kind, specific.then.id):
        return False
    return all(any(implies(s, g) for s in specific.when) for g in general.when)


def _priority(kb: KnowledgeBase, rule: Rule) -> int:
    assert rule.then is not None and rule.then.kind == "recommendation"
    return kb.priority_rank(rule.then.priority or kb.recommendations[rule.then.id].priority)


def _more_urgent(kb: KnowledgeBase, specific: Rule, general: Rule) -> bool:
    if specific.then is None or specific.then.kind != "recommendation":
        return False
    return _priority(kb, specific) < _priority(kb, general)


def _duplicates_and_subsumed(kb: KnowledgeBase) -> list[Finding]:
    rules = kb.pattern_rules()
    found = []
    for i, first in enumerate(rules):
        for second in rules[i + 1:]:
            forward, backward = subsumes(first, second), subsumes(second, first)
            if forward and backward:
                found.append(Finding("duplicate", _where(second),
                                     f"same conditions and conclusion as {first.id}"))
            elif forward or backward:
                general, specific = (first, second) if forward else (second, first)
                if _more_urgent(kb, specific, general):
                    continue  # the narrower rule raises the priority: it adds something
                found.append(Finding("subsumed", _where(specific),
                                     f"whenever it fires, {general.id} concludes the same"))
    return found
