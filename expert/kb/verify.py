"""Static verification of the knowledge base (``kinerja kb check``).

Reports schema errors, unknown references, conclusions no rule can reach, diagnoses reached but
never used, cycles, duplicate and subsumed rules, rules without justification or references, and
band gaps and overlaps: values of a measure that fall on neither side, or on both sides, of a
split between two rules (``max: 19.99`` beside ``min: 20``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from expert.errors import KnowledgeBaseError
from expert.kb.loader import load_knowledge_base
from expert.kb.model import Condition, KnowledgeBase, Rule
from expert.rules.compiler import tested_diagnoses
from expert.rules.conditions import Cut, DiagnosisCondition, MeasureCondition, NotCondition


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
    findings += band_splits(kb)
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
    positive = [c for c in conditions if not isinstance(c, NotCondition)]
    for condition in positive:
        reason = condition.impossible(kb)
        if reason:
            return reason
    for index, first in enumerate(positive):
        for second in positive[index + 1:]:
            if first.disjoint(second):
                return "two conditions on the same fact ask for values it cannot have at once"
    for negation in (c for c in conditions if isinstance(c, NotCondition)):
        assert negation.inner is not None
        for condition in positive:
            if implies(condition, negation.inner):
                return "a condition and the negation of something it implies"
    return None


def _positive_diagnoses(conditions: Iterable[Condition]) -> list[str]:
    return [c.target for c in conditions if isinstance(c, DiagnosisCondition) and c.target]


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
    return specific == general or specific.implies(general)


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


# -- band gaps and overlaps ------------------------------------------------------------------
def _normalised(cut: Cut, integer: bool) -> Cut:
    """On a whole-number measure every cut is 'below t' / 'from t on' for a whole t."""
    if not integer:
        return cut
    if cut.side == "upper":  # x <= m  or  x < b   →  x < t
        value = math.floor(cut.value) + 1 if not cut.open else math.ceil(cut.value)
    else:  # x >= n  or  x > a   →  x >= t
        value = math.ceil(cut.value) if not cut.open else math.floor(cut.value) + 1
    return Cut(cut.side, float(value), cut.side == "upper")


def _split_fault(upper: Cut, lower: Cut, integer: bool) -> tuple[str, str] | None:
    """A gap or an overlap between an upper cut and a lower cut that are meant to be one
    split (closer than one unit of the measure), with the values concerned; None when they meet
    exactly or are too far apart to be one split."""
    u, l_ = _normalised(upper, integer), _normalised(lower, integer)
    distance = abs(u.value - l_.value)
    if integer:
        if u.value == l_.value or distance > 1:
            return None
        shown = _shown(min(u.value, l_.value))
        return ("band-gap", shown) if u.value < l_.value else ("band-overlap", shown)
    if distance >= 1:
        return None
    if u.value < l_.value or (u.value == l_.value and u.open and l_.open):
        middle = (u.value + l_.value) / 2
        between = (f"{_shown(u.value)}" if u.value == l_.value else
                   f"between {_shown(u.value)} and {_shown(l_.value)}, e.g. {_shown(middle)}")
        return "band-gap", between
    if u.value > l_.value or (not u.open and not l_.open):
        between = (f"{_shown(u.value)}" if u.value == l_.value else
                   f"from {_shown(l_.value)} to {_shown(u.value)}")
        return "band-overlap", between
    return None


def _meets(one: Cut, other: Cut, integer: bool) -> bool:
    """An upper and a lower cut that split the values exactly (every value on one side)."""
    a, b = _normalised(one, integer), _normalised(other, integer)
    return a.side != b.side and a.value == b.value and a.open != b.open


def _met(cut: Cut, others: list[tuple[Cut, Rule, MeasureCondition]], integer: bool) -> bool:
    """Some cut on the other side meets this one exactly."""
    return any(_meets(cut, other, integer) for other, _, _ in others)


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def band_splits(kb: KnowledgeBase) -> list[Finding]:
    """Where one rule's range of a measure stops and another's starts, the two must meet: a
    value between them would fire neither (a gap), a value on both would fire both (an
    overlap). Cuts closer than one unit of the measure are taken to be one split."""
    uppers: dict[str, list[tuple[Cut, Rule, MeasureCondition]]] = {}
    lowers: dict[str, list[tuple[Cut, Rule, MeasureCondition]]] = {}
    for rule in kb.pattern_rules():
        for condition in rule.when:
            if not isinstance(condition, MeasureCondition) or condition.target is None:
                continue
            for cut in condition.cuts():
                table = uppers if cut.side == "upper" else lowers
                table.setdefault(condition.target, []).append((cut, rule, condition))
    found: dict[tuple[str, str, str], list[str]] = {}
    for measure_id, upper_cuts in uppers.items():
        measure = kb.measures.get(measure_id)
        integer = bool(measure and measure.integer)
        lower_cuts = lowers.get(measure_id, [])

        for upper, first, first_condition in upper_cuts:
            for lower, second, second_condition in lower_cuts:
                if first_condition is second_condition:
                    continue  # a band's own two ends
                if not (first_condition.low < lower.value and second_condition.high > upper.value):
                    continue  # not one range below the other: two bands that start together
                if _met(upper, lower_cuts, integer) and _met(lower, upper_cuts, integer):
                    continue  # both ends already meet a neighbour: two bands, not one split
                fault = _split_fault(upper, lower, integer)
                if fault is None:
                    continue
                check, values = fault
                where = f"measures.yaml: {measure_id}"
                pair = (f"{first.id} ({first_condition.bound_text('en')}) and "
                        f"{second.id} ({second_condition.bound_text('en')})")
                found.setdefault((check, where, values), []).append(pair)
    findings = []
    for (check, where, values), pairs in found.items():
        what = ("fall on neither side" if check == "band-gap" else "fall on both sides")
        findings.append(Finding(check, where, f"values {values} {what} of the split between "
                                + "; ".join(sorted(set(pairs)))
                                + (": write the split once, e.g. 'below: N' and 'min: N'"
                                   if check == "band-gap" else "")))
    return findings
