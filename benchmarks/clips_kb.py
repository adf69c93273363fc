"""The knowledge base translated rule for rule into CLIPS (through clipspy), and a CLIPS engine
that consults a case and reads its trace back.

This is the reference the Kinerja engine is measured and checked against: the same facts, the
same rules (one ``defrule`` per knowledge rule, with its salience layer), the generic procedures
as CLIPS rules over trigger facts, and a ``firing`` fact per firing with the facts it matched.

Each condition kind has its own translator in ``CONDITIONS`` (a function from the condition to
a CLIPS pattern): a new kind of condition needs one more entry, and ``translate`` says which
kind is missing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import clips

from expert.case import COMBINED_SOURCE, Case
from expert.kb.model import KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.rules.compiler import LAYER_STEP, layers
from expert.rules.conditions import Condition
from expert.rules.generic import assessment_scope

GENERIC_SALIENCE = {"triangulation": 3000, "dimension_aggregation": 2000,
                    "overall_aggregation": 1000}

TEMPLATES = """
(deftemplate subject (slot kind) (slot key))
(deftemplate finding (slot indicator) (slot source) (slot rating) (slot key))
(deftemplate factor (slot id) (slot key))
(deftemplate measure (slot id) (slot value) (slot key))
(deftemplate skp (slot predicate) (slot key))
(deftemplate assessment (slot coverage) (slot evidence_base) (slot key))
(deftemplate combine-indicator (slot indicator) (slot dimension))
(deftemplate aggregate-dimension (slot dimension))
(deftemplate aggregate-overall)
(deftemplate indicator (slot indicator) (slot dimension) (slot rating) (slot agreement)
   (slot key))
(deftemplate dimension (slot dimension) (slot rating) (slot score) (slot key))
(deftemplate overall (slot rating) (slot score) (slot key))
(deftemplate diagnosis (slot id) (slot key))
(deftemplate recommendation (slot id) (slot key))
(defglobal ?*trace* = (create$))
(defglobal ?*verdicts* = (create$))
; The trace is one flat multifield of plain values per firing: rule, conclusion, priority, the
; number of premises, then each premise's fact index and key. Python reads it back in one call;
; reading facts through clipspy instead keeps them referenced, and every later reset slows.
(deffunction record (?rule ?premises ?conclusion ?priority)
   (bind ?*trace* (create$ ?*trace* ?rule ?conclusion ?priority (length$ ?premises)))
   (foreach ?f ?premises
      (bind ?*trace* (create$ ?*trace* (fact-index ?f) (fact-slot-value ?f key)))))
(deffunction conclude (?rule ?premises ?kind ?id ?priority)
   (bind ?key (str-cat ?kind ":" ?id))
   (record ?rule ?premises ?key ?priority)
   (if (eq ?kind "diagnosis")
      then (assert (diagnosis (id ?id) (key ?key)))
      else (assert (recommendation (id ?id) (key ?key)))))
(deffunction rating> (?a ?b) (> (rating-score ?a) (rating-score ?b)))
(deffunction lower-median ($?ratings)
   (bind ?sorted (sort rating> ?ratings))
   (nth$ (+ (div (- (length$ ?sorted) 1) 2) 1) ?sorted))
(deffunction agreement (?combined-only $?ratings)
   (bind ?n (length$ ?ratings))
   (if ?combined-only then (return "combined"))
   (if (= ?n 1) then (return "single"))
   (bind ?top 0)
   (foreach ?r ?ratings
      (bind ?count 0)
      (foreach ?s ?ratings (if (eq ?r ?s) then (bind ?count (+ ?count 1))))
      (if (> ?count ?top) then (bind ?top ?count)))
   (if (= ?top ?n) then (return "unanimous"))
   (if (> (* ?top 2) ?n) then (return "majority"))
   "split")
(deffunction mean-score ($?ratings)
   (bind ?total 0)
   (foreach ?r ?ratings (bind ?total (+ ?total (rating-score ?r))))
   (/ ?total (length$ ?ratings)))
"""


def _q(text: str) -> str:
    """A CLIPS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _one_of(values: frozenset[str] | None) -> str | None:
    """A slot constraint admitting any of ``values`` (``a|b``), or None for no constraint."""
    return None if values is None else "|".join(_q(v) for v in sorted(values))


def _target(condition: Condition) -> str | None:
    return None if condition.target in (None, "any") else _q(condition.target or "")


@dataclass
class _Patterns:
    """The patterns of one rule as they are translated; binds a variable per positive one."""

    lines: list[str] = field(default_factory=list)
    bound: list[str] = field(default_factory=list)
    counter: int = 0
    tests: int = 0  # slot tests so far, for CLIPS's complexity of the rule

    def fact(self, template: str, **slots: str | None) -> str:
        """A pattern on ``template`` with the given slot constraints (None: unconstrained)."""
        given = {name: value for name, value in slots.items() if value is not None}
        for value in given.values():
            # a literal is one test, each alternative of a|b one, each predicate &:(…) one
            self.tests += value.count("&:") if value.startswith("?") else value.count("|") + 1
        return f"({template} " + " ".join(f"({n} {v})" for n, v in given.items()) + ")"

    def variable(self, stem: str) -> str:
        self.counter += 1
        return f"?{stem}{self.counter}"


Translator = Callable[[Any, _Patterns], str]


def _indicator(c: Any, p: _Patterns) -> str:
    return p.fact("indicator", indicator=_target(c), rating=_one_of(c.ratings),
                  agreement=_one_of(c.agreements))


def _dimension(c: Any, p: _Patterns) -> str:
    return p.fact("dimension", dimension=_target(c), rating=_one_of(c.ratings))


def _overall(c: Any, p: _Patterns) -> str:
    return p.fact("overall", rating=_one_of(c.ratings))


def _finding(c: Any, p: _Patterns) -> str:
    source = _q(c.source) if c.source else None
    return p.fact("finding", indicator=_target(c), source=source, rating=_one_of(c.ratings))


def _factor(c: Any, p: _Patterns) -> str:
    return p.fact("factor", id=_target(c))


def _measure(c: Any, p: _Patterns) -> str:
    """Bounds are inclusive (min, max) or exclusive (above, below); an absent one is infinite."""
    value = p.variable("v")
    tests = []
    if math.isfinite(c.low):
        tests.append(f"&:({'>' if c.low_open else '>='} {value} {_num(c.low)})")
    if math.isfinite(c.high):
        tests.append(f"&:({'<' if c.high_open else '<='} {value} {_num(c.high)})")
    return p.fact("measure", id=_target(c), value=value + "".join(tests))


def _diagnosis(c: Any, p: _Patterns) -> str:
    return p.fact("diagnosis", id=_target(c))


def _choice(template: str) -> Translator:
    """A condition naming values of one field of an input fact (subject kind, SKP predicate,
    coverage, evidence base): the condition class says which field."""
    def translate(c: Any, p: _Patterns) -> str:
        return p.fact(template, **{c.field: _one_of(c.values)})
    return translate


CONDITIONS: dict[str, Translator] = {
    "indicator": _indicator, "dimension": _dimension, "overall": _overall,
    "finding": _finding, "factor": _factor, "measure": _measure, "diagnosis": _diagnosis,
    "subject_kind": _choice("subject"), "skp": _choice("skp"),
    "coverage": _choice("assessment"), "evidence_base": _choice("assessment"),
}


def pattern(condition: Condition, patterns: _Patterns) -> str:
    """The CLIPS pattern of a condition; ``not`` wraps its inner condition's."""
    if condition.kind == "not":
        inner = getattr(condition, "inner", None)
        assert inner is not None
        return f"(not {pattern(inner, patterns)})"
    translator = CONDITIONS.get(condition.kind)
    if translator is None:
        raise NotImplementedError(f"no CLIPS translation for condition kind {condition.kind!r}")
    return translator(condition, patterns)


def complexity(condition: Condition) -> int:
    """CLIPS's complexity of a condition's pattern (1 per pattern, 1 per slot test)."""
    patterns = _Patterns()
    pattern(condition, patterns)
    return 1 + patterns.tests


def tie_groups(kb: KnowledgeBase) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Rules whose activations may tie: same salience layer, positive patterns on the same
    kinds of facts (coverage and evidence base both test the assessment fact)."""
    rule_layers = layers(kb)
    return {rule.id: (rule_layers[rule.id],
                      tuple(sorted(c.record_kind for c in rule.when if c.kind != "not")))
            for rule in kb.pattern_rules()}


def padding(kb: KnowledgeBase) -> dict[str, int]:
    """The complexity each rule is padded with so that, among activations of equal recency,
    CLIPS's lex strategy (the more complex rule first) fires the earlier rule first, as the
    Kinerja engine does."""
    groups = tie_groups(kb)
    floor: dict[tuple[int, tuple[str, ...]], int] = {}
    pads: dict[str, int] = {}
    for rule in reversed(kb.pattern_rules()):
        base = sum(complexity(c) for c in rule.when)
        target = max(base, floor.get(groups[rule.id], -1) + 1)
        pads[rule.id] = target - base
        floor[groups[rule.id]] = target
    return pads


def translate_rule(kb: KnowledgeBase, rule: KnowledgeRule, name: str, salience: int,
                   pad: int = 0) -> str:
    patterns = _Patterns()
    for condition in rule.when:
        text = pattern(condition, patterns)
        if condition.kind == "not":
            patterns.lines.append(text)
        else:
            fact = patterns.variable("f")
            patterns.bound.append(fact)
            patterns.lines.append(f"{fact} <- {text}")
    assert rule.then is not None
    priority = (rule.then.priority or kb.recommendations[rule.then.id].priority
                if rule.then.kind == "recommendation" else None)
    action = (f"(conclude {_q(rule.id)} (create$ {' '.join(patterns.bound)}) "
              f"{_q(rule.then.kind)} {_q(rule.then.id)} "
              f"{_q(priority) if priority else 'nil'})")
    if pad:  # each call adds one to the rule's complexity; `and` itself adds none
        calls = " (eq 1 1)" * pad
        patterns.lines.append(f"(test (and{calls}))" if pad > 1 else f"(test{calls})")
    body = "\n   ".join(patterns.lines)
    return f"(defrule {name} (declare (salience {salience}))\n   {body}\n   =>\n   {action})"


def _bands(name: str, policy: Any) -> str:
    lines = [f"(deffunction {name} (?score)"]
    for band in policy["bands"]:
        if band["min_score"] is None:
            lines.append(f"   (return {_q(band['rating'])})")
        else:
            lines.append(f"   (if (>= ?score {_num(band['min_score'] - 1e-9)}) then "
                         f"(return {_q(band['rating'])}))")
    return "\n".join(lines) + ")"


def _generic(kb: KnowledgeBase) -> list[str]:
    constructs = []
    triangulation = kb.rule_of_kind("triangulation")
    if triangulation is not None:
        assert triangulation.policy.get("combine") == "lower_median"
        constructs.append(f"""
(defrule generic-triangulation (declare (salience {GENERIC_SALIENCE['triangulation']}))
   (combine-indicator (indicator ?i) (dimension ?d))
   =>
   (bind ?ratings (create$)) (bind ?premises (create$)) (bind ?combined-only TRUE)
   (do-for-all-facts ((?f finding)) (eq ?f:indicator ?i)
      (bind ?ratings (create$ ?ratings ?f:rating))
      (bind ?premises (create$ ?premises ?f))
      (if (neq ?f:source {_q(COMBINED_SOURCE)}) then (bind ?combined-only FALSE)))
   (bind ?key (str-cat "indicator:" ?i))
   (record {_q(triangulation.id)} ?premises ?key nil)
   (bind ?rating (lower-median ?ratings))
   (bind ?agreement (agreement ?combined-only ?ratings))
   (bind ?*verdicts* (create$ ?*verdicts* ?key ?rating ?agreement))
   (assert (indicator (indicator ?i) (dimension ?d) (rating ?rating) (agreement ?agreement)
                      (key ?key))))""")
    dimension = kb.rule_of_kind("dimension_aggregation")
    if dimension is not None:
        constructs.append(_bands("dimension-band", dimension.policy))
        constructs.append(f"""
(defrule generic-dimension (declare (salience {GENERIC_SALIENCE['dimension_aggregation']}))
   (aggregate-dimension (dimension ?d))
   =>
   (bind ?ratings (create$)) (bind ?premises (create$))
   (do-for-all-facts ((?f indicator)) (eq ?f:dimension ?d)
      (bind ?ratings (create$ ?ratings ?f:rating))
      (bind ?premises (create$ ?premises ?f)))
   (bind ?key (str-cat "dimension:" ?d))
   (bind ?score (mean-score ?ratings))
   (record {_q(dimension.id)} ?premises ?key nil)
   (bind ?rating (dimension-band ?score))
   (bind ?*verdicts* (create$ ?*verdicts* ?key ?rating nil))
   (assert (dimension (dimension ?d) (rating ?rating) (score ?score) (key ?key))))""")
    overall = kb.rule_of_kind("overall_aggregation")
    if overall is not None:
        constructs.append(_bands("overall-band", overall.policy))
        constructs.append(f"""
(defrule generic-overall (declare (salience {GENERIC_SALIENCE['overall_aggregation']}))
   (aggregate-overall)
   =>
   (bind ?ratings (create$)) (bind ?premises (create$))
   (do-for-all-facts ((?f indicator)) TRUE
      (bind ?ratings (create$ ?ratings ?f:rating))
      (bind ?premises (create$ ?premises ?f)))
   (bind ?score (mean-score ?ratings))
   (record {_q(overall.id)} ?premises "overall" nil)
   (bind ?rating (overall-band ?score))
   (bind ?*verdicts* (create$ ?*verdicts* "overall" ?rating nil))
   (assert (overall (rating ?rating) (score ?score) (key "overall"))))""")
    return constructs


# What a case is asserted as: template → its slots, in the order ``ClipsEngine.facts`` gives
INPUTS: dict[str, tuple[str, ...]] = {
    "subject": ("kind", "key"), "finding": ("indicator", "source", "rating", "key"),
    "factor": ("id", "key"), "measure": ("id", "value", "key"), "skp": ("predicate", "key"),
    "assessment": ("coverage", "evidence_base", "key"),
    "combine-indicator": ("indicator", "dimension"), "aggregate-dimension": ("dimension",),
    "aggregate-overall": (),
}


def consult_function() -> str:
    """``(consult $?facts)``: reset, assert the case's facts (each a template name followed by
    its slot values), run, and return the trace and verdicts as one multifield.

    One call per case, evaluated by CLIPS in its own garbage frame: driving reset, assert and
    run through separate API calls leaves CLIPS's garbage uncollected, and each case gets
    slower than the last."""
    cases = []
    for template, slots in INPUTS.items():
        values = " ".join(f"({slot} (nth$ (+ ?i {n}) ?facts))" for n, slot in enumerate(slots, 1))
        cases.append(f"(case {template} then (assert ({template} {values})) "
                     f"(bind ?i (+ ?i {len(slots) + 1})))")
    return ("(deffunction consult ($?facts)\n   (reset)\n   (bind ?i 1)\n"
            "   (while (<= ?i (length$ ?facts))\n      (switch (nth$ ?i ?facts)\n         "
            + "\n         ".join(cases) + "))\n   (run)\n"
            "   (create$ (length$ ?*trace*) ?*trace* ?*verdicts*))")


def translate(kb: KnowledgeBase) -> str:
    """The whole knowledge base as CLIPS constructs."""
    scores = " ".join(f"(case {_q(r)} then {kb.rating_score(r)})" for r in kb.ratings)
    constructs = [f"(deffunction rating-score (?r) (switch ?r {scores} (default 0)))",
                  TEMPLATES, consult_function(), *_generic(kb)]
    rule_layers = layers(kb)
    pads = padding(kb)
    rules = [translate_rule(kb, rule, f"rule-{order:04d}", -LAYER_STEP * rule_layers[rule.id],
                            pads[rule.id])
             for order, rule in enumerate(kb.rules.values()) if not rule.is_generic]
    return "\n".join(constructs + rules)


@dataclass(frozen=True)
class ClipsFiring:
    seq: int
    rule: str
    premises: tuple[str, ...]
    conclusion: str
    priority: str | None


@dataclass
class ClipsResult:
    """What a CLIPS consultation concluded, read back as Python objects."""

    firings: list[ClipsFiring]
    indicators: dict[str, tuple[str, str]]
    dimensions: dict[str, str]
    overall: str | None


class ClipsEngine:
    """One CLIPS environment holding the translated knowledge base; ``consult`` runs a case."""

    def __init__(self, kb: KnowledgeBase, strategy: clips.Strategy = clips.Strategy.LEX):
        self.kb = kb
        self.env = clips.Environment()
        self.env.strategy = strategy
        for construct in _split(translate(kb)):
            self.env.build(construct)
        self._consult = self.env.find_function("consult")

    def facts(self, case: Case) -> list[tuple[str, dict[str, Any]]]:
        """The case as (template, slots) facts, in the order the Kinerja engine declares them."""
        kb = self.kb
        facts: list[tuple[str, dict[str, Any]]] = [
            ("subject", {"kind": case.subject_kind, "key": "subject"})]
        facts += [("finding", {"indicator": f.indicator, "source": f.source, "rating": f.rating,
                               "key": f"finding:{f.indicator}.{f.source}"})
                  for f in case.findings]
        facts += [("factor", {"id": x, "key": f"factor:{x}"}) for x in case.factors]
        facts += [("measure", {"id": m, "value": v, "key": f"measure:{m}"})
                  for m, v in case.measures.items()]
        if case.skp is not None:
            facts.append(("skp", {"predicate": case.skp, "key": "skp"}))
        scope = assessment_scope(kb, case)  # an input fact in both engines
        facts.append(("assessment", {"coverage": scope["coverage"],
                                     "evidence_base": scope["evidence_base"],
                                     "key": "assessment"}))
        assessed = case.assessed_indicators()
        facts += [("combine-indicator", {"indicator": i, "dimension": kb.indicators[i].dimension})
                  for i in assessed]
        dimensions = {kb.indicators[i].dimension for i in assessed}
        facts += [("aggregate-dimension", {"dimension": d}) for d in kb.dimensions
                  if d in dimensions]
        if assessed:
            facts.append(("aggregate-overall", {}))
        return facts

    def facts_of(self, case: Case) -> str:
        """The case as CLIPS fact text (for load-facts)."""
        return " ".join(
            f"({template}" + "".join(
                f" ({slot} {_q(value) if isinstance(value, str) else _num(value)})"
                for slot, value in slots.items()) + ")"
            for template, slots in self.facts(case))

    def consult(self, case: Case) -> ClipsResult:
        arguments: list[Any] = []
        for template, slots in self.facts(case):
            arguments.append(clips.Symbol(template))
            arguments += (slots[name] for name in INPUTS[template])
        result = self._consult(*arguments)
        trace, verdicts = result[1:result[0] + 1], result[result[0] + 1:]
        firings, at = [], 0
        while at < len(trace):
            rule, conclusion, priority, count = trace[at:at + 4]
            pairs = trace[at + 4:at + 4 + 2 * count]
            premises = sorted(zip(pairs[0::2], pairs[1::2], strict=True))
            firings.append(ClipsFiring(len(firings) + 1, rule, tuple(k for _, k in premises),
                                       conclusion, None if priority == "nil" else priority))
            at += 4 + 2 * count
        indicators, dimensions, overall = {}, {}, None
        for at in range(0, len(verdicts), 3):
            key, rating, agreement = verdicts[at:at + 3]
            kind, _, target = key.partition(":")
            if kind == "indicator":
                indicators[target] = (rating, agreement)
            elif kind == "dimension":
                dimensions[target] = rating
            else:
                overall = rating
        return ClipsResult(firings, indicators, dimensions, overall)


def _split(source: str) -> list[str]:
    """Top-level constructs of CLIPS source (balanced parentheses outside strings)."""
    constructs, depth, start, in_string, escaped = [], 0, None, False, False
    for index, char in enumerate(source):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and start is not None:
                constructs.append(source[start:index + 1])
    return constructs
