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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import clips

from expert.case import COMBINED_SOURCE, Case
from expert.kb.model import Condition, KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.rules.compiler import LAYER_STEP, layers

GENERIC_SALIENCE = {"triangulation": 3000, "dimension_aggregation": 2000,
                    "overall_aggregation": 1000}

TEMPLATES = """
(deftemplate subject (slot kind) (slot key))
(deftemplate finding (slot indicator) (slot source) (slot rating) (slot key))
(deftemplate factor (slot id) (slot key))
(deftemplate measure (slot id) (slot value) (slot key))
(deftemplate combine-indicator (slot indicator) (slot dimension))
(deftemplate aggregate-dimension (slot dimension))
(deftemplate aggregate-overall)
(deftemplate indicator (slot indicator) (slot dimension) (slot rating) (slot agreement)
   (slot key))
(deftemplate dimension (slot dimension) (slot rating) (slot score) (slot key))
(deftemplate overall (slot rating) (slot score) (slot key))
(deftemplate diagnosis (slot id) (slot key))
(deftemplate recommendation (slot id) (slot key))
(deftemplate firing (slot seq) (slot rule) (multislot premises) (slot conclusion)
   (slot priority))
(defglobal ?*seq* = 0)
(deffunction record (?rule ?premises ?conclusion ?priority)
   (bind ?*seq* (+ ?*seq* 1))
   (assert (firing (seq ?*seq*) (rule ?rule) (premises ?premises) (conclusion ?conclusion)
                   (priority ?priority))))
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
   (if (or ?combined-only (= ?n 1)) then (return "single"))
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


Translator = Callable[[Condition, _Patterns], str]


def _indicator(c: Condition, p: _Patterns) -> str:
    return p.fact("indicator", indicator=_target(c), rating=_one_of(c.ratings),
                  agreement=_one_of(c.agreements))


def _dimension(c: Condition, p: _Patterns) -> str:
    return p.fact("dimension", dimension=_target(c), rating=_one_of(c.ratings))


def _overall(c: Condition, p: _Patterns) -> str:
    return p.fact("overall", rating=_one_of(c.ratings))


def _finding(c: Condition, p: _Patterns) -> str:
    source = _q(c.source) if c.source else None
    return p.fact("finding", indicator=_target(c), source=source, rating=_one_of(c.ratings))


def _factor(c: Condition, p: _Patterns) -> str:
    return p.fact("factor", id=_target(c))


def _measure(c: Condition, p: _Patterns) -> str:
    value = p.variable("v")
    tests = [f"&:(>= {value} {_num(c.minimum)})" if c.minimum is not None else "",
             f"&:(<= {value} {_num(c.maximum)})" if c.maximum is not None else ""]
    return p.fact("measure", id=_target(c), value=value + "".join(tests))


def _diagnosis(c: Condition, p: _Patterns) -> str:
    return p.fact("diagnosis", id=_target(c))


def _subject_kind(c: Condition, p: _Patterns) -> str:
    return p.fact("subject", kind=_one_of(c.kinds))


CONDITIONS: dict[str, Translator] = {
    "indicator": _indicator, "dimension": _dimension, "overall": _overall,
    "finding": _finding, "factor": _factor, "measure": _measure, "diagnosis": _diagnosis,
    "subject_kind": _subject_kind,
}


def pattern(condition: Condition, patterns: _Patterns) -> str:
    """The CLIPS pattern of a condition; ``not`` wraps its inner condition's."""
    if condition.kind == "not":
        assert condition.inner is not None
        return f"(not {pattern(condition.inner, patterns)})"
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
    """Rules whose activations may tie: same salience layer, same kinds of positive patterns."""
    rule_layers = layers(kb)
    return {rule.id: (rule_layers[rule.id],
                      tuple(sorted(c.kind for c in rule.when if c.kind != "not")))
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
   (assert (indicator (indicator ?i) (dimension ?d) (rating (lower-median ?ratings))
                      (agreement (agreement ?combined-only ?ratings)) (key ?key))))""")
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
   (assert (dimension (dimension ?d) (rating (dimension-band ?score)) (score ?score)
                      (key ?key))))""")
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
   (assert (overall (rating (overall-band ?score)) (score ?score) (key "overall"))))""")
    return constructs


def translate(kb: KnowledgeBase) -> str:
    """The whole knowledge base as CLIPS constructs."""
    scores = " ".join(f"(case {_q(r)} then {kb.rating_score(r)})" for r in kb.ratings)
    constructs = [f"(deffunction rating-score (?r) (switch ?r {scores} (default 0)))",
                  TEMPLATES, *_generic(kb)]
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
        self._firing = self.env.find_template("firing")
        self._indicator = self.env.find_template("indicator")
        self._dimension = self.env.find_template("dimension")
        self._overall = self.env.find_template("overall")

    def facts_of(self, case: Case) -> str:
        """The case as CLIPS facts, in the order the Kinerja engine declares them."""
        kb = self.kb
        facts = [f"(subject (kind {_q(case.subject_kind)}) (key \"subject\"))"]
        for f in case.findings:
            key = f"finding:{f.indicator}.{f.source}"
            facts.append(f"(finding (indicator {_q(f.indicator)}) (source {_q(f.source)}) "
                         f"(rating {_q(f.rating)}) (key {_q(key)}))")
        for factor in case.factors:
            facts.append(f"(factor (id {_q(factor)}) (key {_q('factor:' + factor)}))")
        for measure, value in case.measures.items():
            facts.append(f"(measure (id {_q(measure)}) (value {_num(value)}) "
                         f"(key {_q('measure:' + measure)}))")
        assessed = case.assessed_indicators()
        facts += [f"(combine-indicator (indicator {_q(i)}) "
                  f"(dimension {_q(kb.indicators[i].dimension)}))" for i in assessed]
        dimensions = {kb.indicators[i].dimension for i in assessed}
        facts += [f"(aggregate-dimension (dimension {_q(d)}))" for d in kb.dimensions
                  if d in dimensions]
        if assessed:
            facts.append("(aggregate-overall)")
        return " ".join(facts)

    def consult(self, case: Case) -> ClipsResult:
        self.env.reset()
        self.env.load_facts(self.facts_of(case))
        self.env.run()
        firings = []
        for fact in self._firing.facts():
            premises = sorted(fact["premises"], key=lambda f: f.index)
            priority = fact["priority"]
            firings.append(ClipsFiring(fact["seq"], fact["rule"],
                                       tuple(p["key"] for p in premises), fact["conclusion"],
                                       None if priority == "nil" else priority))
        return ClipsResult(
            firings,
            {f["indicator"]: (f["rating"], f["agreement"]) for f in self._indicator.facts()},
            {f["dimension"]: f["rating"] for f in self._dimension.facts()},
            next((f["rating"] for f in self._overall.facts()), None))


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
