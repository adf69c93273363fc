"""The inference engine: experta's RETE network over the compiled knowledge rules.

``KinerjaEngine`` overrides ``run()`` to record every firing with the facts it matched; that
trace is what explanations are built from. An engine holds mutable state and no locks: use one
per thread (``engine_for`` keeps one per thread and knowledge base) or one per consultation.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from expert.case import COMBINED_SOURCE, Case
from expert.kb.model import KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.trace import FactRecord, Firing, Trace


def _import_experta() -> Any:
    """Import experta without letting its module-level ``logging.basicConfig()`` configure
    the host application's root logger."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        import experta
    finally:
        root.removeHandler(guard)
    return experta


experta = _import_experta()

from expert.rules import facts as F  # noqa: E402  (after the guarded experta import)
from expert.rules.compiler import compile_rules  # noqa: E402
from expert.rules.generic import aggregate, assessment_scope, combine_sources  # noqa: E402
from expert.rules.strategy import OrderedDepthStrategy  # noqa: E402


class KinerjaEngine(experta.KnowledgeEngine):  # type: ignore[misc,name-defined]
    """A RETE engine built for one knowledge base; ``consult`` runs one case."""

    __strategy__ = OrderedDepthStrategy

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.trace = Trace()
        self._activation: Any = None
        handlers = {
            "triangulation": KinerjaEngine._combine_indicator,
            "dimension_aggregation": KinerjaEngine._aggregate_dimension,
            "overall_aggregation": KinerjaEngine._aggregate_overall,
        }
        # experta collects rules from the class, so each engine gets its own class and its own
        # Rule objects: nothing is shared between engines (and threads).
        rules = compile_rules(kb, handlers, KinerjaEngine._conclude_knowledge_rule)
        self.__class__ = type("CompiledKinerjaEngine", (KinerjaEngine,), rules)
        super().__init__()

    # -- consultation ------------------------------------------------------------------------
    def consult(self, case: Case) -> Trace:
        self.trace = Trace()
        self.reset()
        self._declare_inputs(case)
        self.run()
        return self.trace

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop, recording each activation before its handler fires."""
        self.running = True
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            self._activation = activation
            activation.rule._wrapped.handler(self, activation)
        self._activation = None
        self.running = False

    # -- inputs ------------------------------------------------------------------------------
    def _input(self, fact: Any, fact_kind: str, key: str, path: str, **data: Any) -> Any:
        """Record an input fact in the trace; the caller declares it."""
        self.trace.add(FactRecord(key, fact_kind, data, path=path))
        return fact

    def _declare_inputs(self, case: Case) -> None:
        # Declared in one batch: experta matches after every declare() outside run(), and
        # matching once instead of per fact is a third of a consultation's time.
        subject = F.Subject(kind=case.subject_kind, key="subject")
        pending = [self._input(subject, "subject", "subject", "subject.kind",
                               kind=case.subject_kind)]
        for finding in case.findings:
            key = f"finding:{finding.indicator}.{finding.source}"
            fact = F.Finding(indicator=finding.indicator, source=finding.source,
                             rating=finding.rating, key=key)
            pending.append(self._input(fact, "finding", key, finding.path,
                                       indicator=finding.indicator, source=finding.source,
                                       rating=finding.rating))
        for index, factor in enumerate(case.factors):
            key = f"factor:{factor}"
            pending.append(self._input(F.ObservedFactor(id=factor, key=key), "factor", key,
                                       f"factors[{index}]", id=factor))
        for measure, value in case.measures.items():
            key = f"measure:{measure}"
            pending.append(self._input(F.MeasureValue(id=measure, value=value, key=key),
                                       "measure", key, f"measures.{measure}", id=measure,
                                       value=value))
        if case.skp is not None:
            pending.append(self._input(F.SkpPredicate(predicate=case.skp, key="skp"), "skp",
                                       "skp", "skp", predicate=case.skp))
        scope = assessment_scope(self.kb, case)
        pending.append(self._input(
            F.AssessmentScope(coverage=scope["coverage"], evidence_base=scope["evidence_base"],
                              key="assessment"), "assessment", "assessment", "findings", **scope))
        assessed = case.assessed_indicators()
        pending += [F.CombineIndicator(indicator=i) for i in assessed]
        dimensions = {self.kb.indicators[i].dimension for i in assessed}
        pending += [F.AggregateDimension(dimension=d) for d in self.kb.dimensions
                          if d in dimensions]
        if assessed:
            pending.append(F.AggregateOverall())
        self.declare(*pending)

    # -- conclusions -------------------------------------------------------------------------
    def _premise_keys(self) -> tuple[str, ...]:
        # activation.facts is a set: order premises by declaration for stable explanations
        ordered = sorted(self._activation.facts, key=lambda f: f["__factid__"])
        return tuple(f["key"] for f in ordered if "key" in f)

    def _conclude(self, rule: KnowledgeRule, kind: str, key: str, fact: Any,
                  premises: tuple[str, ...], priority: str | None = None,
                  **data: Any) -> None:
        firing = Firing(len(self.trace.firings) + 1, rule.id, premises, key, priority)
        self.trace.firings.append(firing)
        record = self.trace.records.get(key)
        if record is None:
            record = self.trace.add(FactRecord(key, kind, data))
            self.declare(fact)
        record.derivations.append(firing)

    def _conclude_knowledge_rule(self, activation: Any) -> None:
        rule: KnowledgeRule = activation.rule._wrapped.knowledge_rule
        assert rule.then is not None
        target = rule.then.id
        if rule.then.kind == "diagnosis":
            key = f"diagnosis:{target}"
            fact = F.DiagnosisFact(id=target, key=key)
            self._conclude(rule, "diagnosis", key, fact, self._premise_keys(), id=target)
        else:
            key = f"recommendation:{target}"
            priority = rule.then.priority or self.kb.recommendations[target].priority
            fact = F.RecommendationFact(id=target, key=key)
            self._conclude(rule, "recommendation", key, fact, self._premise_keys(), priority,
                           id=target)

    # -- generic procedures ------------------------------------------------------------------
    def _combine_indicator(self, activation: Any) -> None:
        rule = activation.rule._wrapped.knowledge_rule
        indicator = _trigger(activation, F.CombineIndicator)["indicator"]
        findings = [r for r in self.trace.of_kind("finding")
                    if r.data["indicator"] == indicator]
        ratings = [r.data["rating"] for r in findings]
        combined_only = all(r.data["source"] == COMBINED_SOURCE for r in findings)
        rating, agreement = combine_sources(self.kb, rule.policy, ratings, combined_only)
        dimension = self.kb.indicators[indicator].dimension
        key = f"indicator:{indicator}"
        fact = F.IndicatorVerdict(indicator=indicator, dimension=dimension, rating=rating,
                                  agreement=agreement, key=key)
        self._conclude(rule, "indicator", key, fact, tuple(r.key for r in findings),
                       id=indicator, dimension=dimension, rating=rating, agreement=agreement,
                       sources={r.data["source"]: r.data["rating"] for r in findings})

    def _aggregate_dimension(self, activation: Any) -> None:
        rule = activation.rule._wrapped.knowledge_rule
        dimension = _trigger(activation, F.AggregateDimension)["dimension"]
        verdicts = [r for r in self.trace.of_kind("indicator")
                    if r.data["dimension"] == dimension]
        rating, score = aggregate(self.kb, rule.policy, [r.data["rating"] for r in verdicts])
        key = f"dimension:{dimension}"
        fact = F.DimensionVerdict(dimension=dimension, rating=rating, key=key)
        self._conclude(rule, "dimension", key, fact, tuple(r.key for r in verdicts),
                       id=dimension, rating=rating, score=score)

    def _aggregate_overall(self, activation: Any) -> None:
        rule = activation.rule._wrapped.knowledge_rule
        verdicts = self.trace.of_kind("indicator")
        rating, score = aggregate(self.kb, rule.policy, [r.data["rating"] for r in verdicts])
        fact = F.OverallVerdict(rating=rating, key="overall")
        self._conclude(rule, "overall", "overall", fact, tuple(r.key for r in verdicts),
                       rating=rating, score=score)


def _trigger(activation: Any, fact_type: type) -> Any:
    return next(f for f in activation.facts if isinstance(f, fact_type))


_engines = threading.local()
_MAX_CACHED_ENGINES = 4


def engine_for(kb: KnowledgeBase) -> KinerjaEngine:
    """This thread's engine for ``kb``: building the RETE network once, resetting per case."""
    cache: dict[int, tuple[KnowledgeBase, KinerjaEngine]] = getattr(_engines, "cache", None) or {}
    _engines.cache = cache
    entry = cache.get(id(kb))
    if entry is None or entry[0] is not kb:
        if len(cache) >= _MAX_CACHED_ENGINES:  # tests load many bases; keep memory bounded
            cache.pop(next(iter(cache)))
        entry = (kb, KinerjaEngine(kb))
        cache[id(kb)] = entry
    return entry[1]
