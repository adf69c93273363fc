"""Random well-formed cases for benchmarks and differential tests, drawn from the knowledge base
itself (every indicator, source, factor, subject kind and measure it defines), with measure
values that hit the bounds the rules test as often as values in between."""

from __future__ import annotations

import math
import random
from typing import Any

from expert import KnowledgeBase, parse_case
from expert.case import COMBINED_SOURCE, Case
from expert.rules.conditions import Condition


def _bounds(conditions: tuple[Condition, ...], found: dict[str, set[float]]) -> None:
    for condition in conditions:
        inner = getattr(condition, "inner", None)
        if inner is not None:
            _bounds((inner,), found)
        if condition.kind == "measure" and condition.target:
            for bound in (getattr(condition, "low", math.inf),
                          getattr(condition, "high", math.inf)):
                if math.isfinite(bound):
                    found.setdefault(condition.target, set()).add(bound)


def measure_bounds(kb: KnowledgeBase) -> dict[str, list[float]]:
    """Every bound a rule tests, per measure."""
    found: dict[str, set[float]] = {}
    for rule in kb.rules.values():
        _bounds(rule.when, found)
    return {measure: sorted(values) for measure, values in found.items()}


def random_case_document(kb: KnowledgeBase, rng: random.Random,
                         bounds: dict[str, list[float]] | None = None) -> dict[str, Any]:
    bounds = measure_bounds(kb) if bounds is None else bounds
    ratings, sources = list(kb.ratings), [s for s in kb.sources if s != COMBINED_SOURCE]
    findings: dict[str, Any] = {}
    skipped = rng.choice((0.0, 0.1, 0.3, 0.6))  # how much of the model goes unassessed
    for indicator in kb.indicators:
        roll = rng.random()
        if roll < skipped:
            continue  # not assessed
        if roll < skipped + 0.15 or not sources:
            findings[indicator] = rng.choice(ratings)
        else:
            chosen = rng.sample(sources, rng.randint(1, len(sources)))
            findings[indicator] = {s: rng.choice(ratings) for s in chosen}
    measures: dict[str, Any] = {}
    for measure_id, measure in kb.measures.items():
        if rng.random() < 0.4:
            continue
        cited = bounds.get(measure_id, [])
        step = 1 if measure.integer else 0.01
        top = measure.maximum if measure.maximum is not None else max(cited, default=20) * 1.5
        if cited and rng.random() < 0.5:
            value = rng.choice(cited) + rng.choice((-step, 0, step))
        else:
            value = rng.uniform(0, top)
        value = max(0, min(top, value))
        measures[measure_id] = int(round(value)) if measure.integer else round(value, 2)
    factors = rng.sample(list(kb.factors), rng.randint(0, len(kb.factors)))
    document: dict[str, Any] = {
        "subject": {"name": f"Unit {rng.randint(1, 999)}",
                    "kind": rng.choice(list(kb.subject_kinds))},
        "findings": findings, "factors": factors, "measures": measures}
    predicates = list(getattr(kb, "skp_predicates", {}))
    if predicates and rng.random() < 0.5:
        document["skp"] = rng.choice(predicates)
    return document


def random_cases(kb: KnowledgeBase, count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    bounds = measure_bounds(kb)
    return [parse_case(kb, random_case_document(kb, rng, bounds)) for _ in range(count)]
