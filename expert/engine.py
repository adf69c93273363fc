"""The inference engine: experta's RETE network over the compiled knowledge rules.

``KinerjaEngine`` records every firing with the facts it matched; that trace is what
explanations are built from. The generic procedures (combining sources, aggregating verdicts)
only read the case, so they are computed before the run, in the order the engine used to fire
them, and recorded as firings like any other; the knowledge rules then run in the RETE network
(see :mod:`expert.rules.adapter`, the only module that knows experta's internals). An engine
holds mutable state and no locks: use one per thread (``engine_for`` keeps one per thread and
knowledge base) or one per consultation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from expert.case import COMBINED_SOURCE, Case
from expert.kb.model import KnowledgeBase
from expert.kb.model import Rule as KnowledgeRule
from expert.rules import facts as F
from expert.rules.adapter import IndexedReteMatcher, LayeredEngine, Match
from expert.rules.adapter import fact as make_fact
from expert.rules.compiler import compile_rules
from expert.rules.generic import aggregate, assessment_scope, combine_sources
from expert.trace import FactRecord, Firing, Trace


class KinerjaEngine(LayeredEngine):
    """A RETE engine built for one knowledge base; ``consult`` runs one case."""

    def __init__(self, kb: KnowledgeBase, network: IndexedReteMatcher | None = None):
        """Build the network for ``kb``'s rules, or adopt ``network``: one built for this very
        ``kb`` and restored unused from the cache (:mod:`expert.cache`)."""
        self.kb = kb
        self.trace = Trace()
        self._pending: list[Any] = []
        self._triangulation = kb.rule_of_kind("triangulation")
        self._dimension_aggregation = kb.rule_of_kind("dimension_aggregation")
        self._overall_aggregation = kb.rule_of_kind("overall_aggregation")
        if network is not None:
            super().__init__(network)
            return
        # experta collects rules from the class, so each engine gets its own class and its own
        # Rule objects: nothing is shared between engines (and threads).
        rules = compile_rules(kb, KinerjaEngine._conclude_knowledge_rule)
        self.__class__ = type("CompiledKinerjaEngine", (KinerjaEngine,), rules)
        super().__init__()

    # -- consultation ------------------------------------------------------------------------
    def consult(self, case: Case) -> Trace:
        self.trace = Trace()
        self._pending = []
        self.start()
        self._add_inputs(case)
        self._run_generic_procedures(case)
        # inputs and verdicts are matched in one batch, then the knowledge rules run
        pending, self._pending = self._pending, []
        self.declare_all(pending)
        self.run()
        return self.trace

    def fire(self, match: Match) -> None:
        match.action.handler(self, match)

    # -- inputs ------------------------------------------------------------------------------
    def _input(self, fact: Any, fact_kind: str, key: str, path: str, **data: Any) -> None:
        """Record an input fact in the trace and queue it for the engine."""
        self.trace.add(FactRecord(key, fact_kind, data, path=path))
        self._pending.append(fact)

    def _add_inputs(self, case: Case) -> None:
        self._input(make_fact(F.Subject, kind=case.subject_kind, key="subject"), "subject",
                    "subject", "subject.kind", kind=case.subject_kind)
        for finding in case.findings:
            key = f"finding:{finding.indicator}.{finding.source}"
            fact = make_fact(F.Finding, indicator=finding.indicator, source=finding.source,
                             rating=finding.rating, key=key)
            self._input(fact, "finding", key, finding.path, indicator=finding.indicator,
                        source=finding.source, rating=finding.rating)
        for index, factor in enumerate(case.factors):
            key = f"factor:{factor}"
            self._input(make_fact(F.ObservedFactor, id=factor, key=key), "factor", key,
                        f"factors[{index}]", id=factor)
        for measure, value in case.measures.items():
            key = f"measure:{measure}"
            self._input(make_fact(F.MeasureValue, id=measure, value=value, key=key), "measure",
                        key, f"measures.{measure}", id=measure, value=value)
        if case.skp is not None:
            self._input(make_fact(F.SkpPredicate, predicate=case.skp, key="skp"), "skp", "skp",
                        "skp", predicate=case.skp)
        scope = assessment_scope(self.kb, case)
        self._input(make_fact(F.AssessmentScope, coverage=scope["coverage"],
                              evidence_base=scope["evidence_base"], key="assessment"),
                    "assessment", "assessment", "findings", **scope)

    # -- conclusions -------------------------------------------------------------------------
    def _conclude(self, rule: KnowledgeRule, kind: str, key: str, fact: Any,
                  premises: tuple[str, ...], priority: str | None = None,
                  **data: Any) -> None:
        """Record a firing; a new conclusion is declared too. ``fact`` may be a callable that
        makes the fact, so that a conclusion reached again costs no fact."""
        firing = Firing(len(self.trace.firings) + 1, rule.id, premises, key, priority)
        self.trace.firings.append(firing)
        record = self.trace.records.get(key)
        if record is None:
            record = self.trace.add(FactRecord(key, kind, data))
            if callable(fact):
                fact = fact()
            if self.running:
                self.declare_all([fact])  # matched after the layer
            else:
                self._pending.append(fact)
        record.derivations.append(firing)

    def _conclude_knowledge_rule(self, match: Match) -> None:
        rule: KnowledgeRule = match.action.knowledge_rule
        assert rule.then is not None
        target = rule.then.id
        premises = tuple(f["key"] for f in match.facts if "key" in f)
        if rule.then.kind == "diagnosis":
            key = f"diagnosis:{target}"
            self._conclude(rule, "diagnosis", key,
                           lambda: make_fact(F.DiagnosisFact, id=target, key=key), premises,
                           id=target)
        else:
            key = f"recommendation:{target}"
            priority = rule.then.priority or self.kb.recommendations[target].priority
            self._conclude(rule, "recommendation", key,
                           lambda: make_fact(F.RecommendationFact, id=target, key=key),
                           premises, priority, id=target)

    # -- generic procedures ------------------------------------------------------------------
    def _run_generic_procedures(self, case: Case) -> None:
        """Triangulation, then dimension and overall aggregation, before any knowledge rule.

        Within a procedure the newest item goes first (the last assessed indicator, the last
        dimension): the order of experta's depth strategy when these were rules with trigger
        facts, kept so that traces and explanations stay the same.
        """
        assessed = case.assessed_indicators()
        if self._triangulation is not None:
            for indicator in reversed(assessed):
                self._combine_indicator(self._triangulation, indicator)
        if self._dimension_aggregation is not None:
            dimensions = {self.kb.indicators[i].dimension for i in assessed}
            for dimension in reversed([d for d in self.kb.dimensions if d in dimensions]):
                self._aggregate_dimension(self._dimension_aggregation, dimension)
        if self._overall_aggregation is not None and assessed:
            self._aggregate_overall(self._overall_aggregation)

    def _combine_indicator(self, rule: KnowledgeRule, indicator: str) -> None:
        findings = [r for r in self.trace.of_kind("finding")
                    if r.data["indicator"] == indicator]
        ratings = [r.data["rating"] for r in findings]
        combined_only = all(r.data["source"] == COMBINED_SOURCE for r in findings)
        rating, agreement = combine_sources(self.kb, rule.policy, ratings, combined_only)
        dimension = self.kb.indicators[indicator].dimension
        key = f"indicator:{indicator}"
        fact = make_fact(F.IndicatorVerdict, indicator=indicator, dimension=dimension,
                         rating=rating, agreement=agreement, key=key)
        self._conclude(rule, "indicator", key, fact, tuple(r.key for r in findings),
                       id=indicator, dimension=dimension, rating=rating, agreement=agreement,
                       sources={r.data["source"]: r.data["rating"] for r in findings})

    def _aggregate_dimension(self, rule: KnowledgeRule, dimension: str) -> None:
        verdicts = [r for r in self.trace.of_kind("indicator")
                    if r.data["dimension"] == dimension]
        rating, score = aggregate(self.kb, rule.policy, [r.data["rating"] for r in verdicts])
        key = f"dimension:{dimension}"
        fact = make_fact(F.DimensionVerdict, dimension=dimension, rating=rating, key=key)
        self._conclude(rule, "dimension", key, fact, tuple(r.key for r in verdicts),
                       id=dimension, rating=rating, score=score)

    def _aggregate_overall(self, rule: KnowledgeRule) -> None:
        verdicts = self.trace.of_kind("indicator")
        rating, score = aggregate(self.kb, rule.policy, [r.data["rating"] for r in verdicts])
        fact = make_fact(F.OverallVerdict, rating=rating, key="overall")
        self._conclude(rule, "overall", "overall", fact, tuple(r.key for r in verdicts),
                       rating=rating, score=score)


class EnginePool:
    """Idle engines for one knowledge base. A consultation borrows one and gives it back, so
    threads, gevent's greenlets (a request each, which a thread-local would give a new engine
    every time) and batches all reuse built networks, and no two consultations share one."""

    def __init__(self, kb: KnowledgeBase, keep: int = 16):
        self.kb = kb
        self.keep = keep  # idle engines kept at most: memory stays bounded after a burst
        self._idle: list[KinerjaEngine] = []

    def give(self, engine: KinerjaEngine) -> None:
        """Add an idle engine built elsewhere (e.g. restored from the cache) for ``kb``."""
        if engine.kb is not self.kb:
            raise ValueError("the engine was built for another knowledge base")
        if len(self._idle) < self.keep:
            self._idle.append(engine)

    @contextmanager
    def borrow(self) -> Iterator[KinerjaEngine]:
        try:
            engine = self._idle.pop()  # atomic: no lock needed
        except IndexError:
            engine = KinerjaEngine(self.kb)
        try:
            yield engine
        finally:
            if len(self._idle) < self.keep:
                self._idle.append(engine)


_pools: dict[int, tuple[KnowledgeBase, EnginePool]] = {}
_pools_lock = threading.Lock()
_MAX_POOLS = 4  # tests load many bases; keep memory bounded


def pool_for(kb: KnowledgeBase) -> EnginePool:
    """The process's engine pool for ``kb``."""
    entry = _pools.get(id(kb))
    if entry is None or entry[0] is not kb:
        with _pools_lock:
            entry = _pools.get(id(kb))
            if entry is None or entry[0] is not kb:
                if len(_pools) >= _MAX_POOLS:
                    _pools.pop(next(iter(_pools)))
                entry = (kb, EnginePool(kb))
                _pools[id(kb)] = entry
    return entry[1]


_engines = threading.local()
_MAX_CACHED_ENGINES = 4


def engine_for(kb: KnowledgeBase) -> KinerjaEngine:
    """This thread's engine for ``kb``: building the RETE network once, resetting per case.
    (``evaluate`` borrows from :func:`pool_for` instead, which also serves greenlets.)"""
    cache: dict[int, tuple[KnowledgeBase, KinerjaEngine]] = getattr(_engines, "cache", None) or {}
    _engines.cache = cache
    entry = cache.get(id(kb))
    if entry is None or entry[0] is not kb:
        if len(cache) >= _MAX_CACHED_ENGINES:  # tests load many bases; keep memory bounded
            cache.pop(next(iter(cache)))
        entry = (kb, KinerjaEngine(kb))
        cache[id(kb)] = entry
    return entry[1]
