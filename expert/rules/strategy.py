"""Conflict resolution with a total order, so that the same case always fires the same way."""

from __future__ import annotations

from typing import Any

from experta.strategies import DepthStrategy


class OrderedDepthStrategy(DepthStrategy):  # type: ignore[misc]
    """experta's depth strategy (salience, then the newest facts) with the knowledge rule's
    position as the last tie-breaker.

    experta leaves ties to the iteration order of sets of rules, which follows memory
    addresses: two engines could fire equally ranked rules in different orders. Its own
    ``get_key`` is also ``lru_cache``d on activations, which a reused engine must not keep.
    """

    def get_key(self, activation: Any) -> tuple[Any, ...]:
        salience = activation.rule.salience
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (salience, facts, -activation.rule._wrapped.order)
