"""The rule language: each condition kind's class reads, describes, matches and compiles."""

from __future__ import annotations

import math
from typing import Any

import pytest

from expert import KnowledgeBase
from expert.rules.conditions import (
    CONDITION_CLASSES,
    CoverageCondition,
    FactorCondition,
    IndicatorCondition,
    MeasureCondition,
    NotCondition,
    SkpCondition,
    number_text,
    parse_condition,
)
from expert.trace import FactRecord


class Context:
    """A stand-in for the knowledge-base reader: collects problems."""

    def __init__(self, kb: KnowledgeBase):
        from expert.kb.schema import known_ids

        self.known = known_ids(kb)
        self.problems: list[tuple[str, str]] = []

    def problem(self, path: str, message: str, allowed: Any = ()) -> None:
        self.problems.append((path, message))

    def check_keys(self, node: Any, path: str, required: Any, optional: Any = ()) -> None:
        for key in node:
            if key not in (*required, *optional):
                self.problem(f"{path}.{key}", "unknown key")

    def number(self, node: Any, key: str, path: str) -> float | None:
        value = node.get(key)
        return None if value is None else float(value)


def measure(value: float, measure_id: str = "training_hours_last_year") -> FactRecord:
    return FactRecord(f"measure:{measure_id}", "measure", {"id": measure_id, "value": value},
                      path=f"measures.{measure_id}")


@pytest.mark.parametrize("node, inside, outside", [
    ({"measure": "training_hours_last_year", "below": 20}, [0, 19.995], [20, 25]),
    ({"measure": "training_hours_last_year", "min": 20}, [20, 20.5], [19.999]),
    ({"measure": "training_hours_last_year", "above": 8, "max": 10}, [8.01, 10], [8, 10.01]),
])
def test_measure_bounds(kb: KnowledgeBase, node: dict[str, Any], inside: list[float],
                        outside: list[float]) -> None:
    ctx = Context(kb)
    condition = parse_condition(ctx, node, "c")
    assert isinstance(condition, MeasureCondition) and ctx.problems == []
    assert all(condition.matches([measure(v)]) for v in inside)
    assert not any(condition.matches([measure(v)]) for v in outside)


@pytest.mark.parametrize("node, id_text, en_text", [
    ({"measure": "training_hours_last_year", "below": 20}, "kurang dari 20 JP", "less than 20 JP"),
    ({"measure": "training_hours_last_year", "min": 19.5}, "paling sedikit 19,5", "at least 19.5"),
    ({"measure": "unexcused_absence_days", "min": 4, "max": 6}, "4–6 hari", "4–6 days"),
    ({"measure": "unexcused_absence_days", "min": 3, "max": 3}, "tepat 3", "exactly 3"),
])
def test_bounds_read_naturally(kb: KnowledgeBase, node: dict[str, Any], id_text: str,
                               en_text: str) -> None:
    condition = parse_condition(Context(kb), node, "c")
    assert condition is not None
    assert id_text in condition.describe(kb, "id")
    assert en_text in condition.describe(kb, "en")


def test_number_text_uses_a_decimal_comma_in_indonesian() -> None:
    assert number_text(19.5, "id") == "19,5" and number_text(19.5, "en") == "19.5"
    assert number_text(20.0, "id") == "20"


def test_implies_and_disjoint_respect_open_bounds() -> None:
    below = MeasureCondition("m", high=20, high_open=True)
    at_most = MeasureCondition("m", high=20, high_open=False)
    from_20 = MeasureCondition("m", low=20, low_open=False)
    assert below.implies(at_most) and not at_most.implies(below)
    assert below.disjoint(from_20) and not at_most.disjoint(from_20)
    assert MeasureCondition("m", low=5, low_open=True, high=5, high_open=False).empty()
    assert not MeasureCondition("m").empty() and MeasureCondition("m").low == -math.inf


def test_entered_tells_missing_inputs_from_unmet_ones() -> None:
    hours = MeasureCondition("training_hours_last_year", high=20, high_open=True)
    assert not hours.entered([])
    assert hours.entered([measure(30)]) and not hours.matches([measure(30)])
    assert not IndicatorCondition("ability", frozenset({"fair"})).entered([])
    assert FactorCondition("minimal_training").entered([])  # a factor is present or not
    skp = SkpCondition(None, frozenset({"poor"}))
    assert not skp.entered([])
    assert skp.matches([FactRecord("skp", "skp", {"predicate": "poor"}, path="skp")])


def test_every_kind_compiles_to_a_plain_experta_pattern(kb: KnowledgeBase) -> None:
    from experta import NOT, Fact

    for rule in kb.pattern_rules():
        for condition in rule.when:
            pattern = condition.pattern()
            assert isinstance(pattern, NOT if isinstance(condition, NotCondition) else Fact)
    kinds_used = {type(c).kind for r in kb.pattern_rules() for c in r.when}
    kinds_used |= {type(c.inner).kind for r in kb.pattern_rules() for c in r.when
                   if isinstance(c, NotCondition) and c.inner is not None}
    assert kinds_used == set(CONDITION_CLASSES) - {"finding"}  # finding: no shipped rule yet


@pytest.mark.parametrize("node, message", [
    ({"coverage": "partial"}, "unknown value"),
    ({"skp": []}, "non-empty list"),
    ({"measure": "training_hours_last_year", "max": 10, "below": 12}, "one lower bound"),
    ({"measure": "training_hours_last_year", "min": 12, "max": 10}, "no value fits"),
    ({"not": {"not": {"factor": "minimal_training"}}}, "double negation"),
    ({"factor": "minimal_training", "diagnosis": "attendance_lapses"}, "exactly one"),
])
def test_bad_conditions_are_reported(kb: KnowledgeBase, node: dict[str, Any],
                                     message: str) -> None:
    ctx = Context(kb)
    parse_condition(ctx, node, "rules[0].when[0]")
    assert any(message in text for _, text in ctx.problems), ctx.problems


def test_coverage_describes_itself(kb: KnowledgeBase) -> None:
    condition = CoverageCondition(None, frozenset({"insufficient"}))
    assert condition.describe(kb, "id") == "cakupan penilaian belum memenuhi batas minimal"
    assert condition.describe(kb, "en") == "assessment coverage below the minimum"
