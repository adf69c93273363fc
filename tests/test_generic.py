"""The generic procedures with the shipped policy: triangulation and aggregation."""

from __future__ import annotations

import pytest

from expert import KnowledgeBase
from expert.rules.generic import aggregate, agreement_of, combine_sources


def policy(kb: KnowledgeBase, kind: str) -> dict[str, object]:
    rule = kb.rule_of_kind(kind)
    assert rule is not None
    return dict(rule.policy)


@pytest.mark.parametrize("ratings, rating, agreement", [
    (["fair", "fair", "fair"], "fair", "unanimous"),
    (["good", "good", "poor"], "good", "majority"),
    (["poor", "good", "poor"], "poor", "majority"),
    (["good", "fair", "poor"], "fair", "split"),
    (["good", "poor"], "poor", "split"),
    (["good", "good"], "good", "unanimous"),
    (["fair"], "fair", "single"),
])
def test_triangulation(kb: KnowledgeBase, ratings: list[str], rating: str,
                       agreement: str) -> None:
    assert combine_sources(kb, policy(kb, "triangulation"), ratings, False) == (rating, agreement)


def test_a_combined_rating_is_not_a_single_source() -> None:
    """A rating entered without sources is the assessor's own combination (`combined`); one
    evidence source given is `single` (issue 8)."""
    assert agreement_of(["good"], combined_only=True) == "combined"
    assert agreement_of(["good"], combined_only=False) == "single"


@pytest.mark.parametrize("ratings, expected", [
    (["good"] * 10, "good"),
    (["good"] * 9 + ["fair"], "good"),
    (["good"] * 7 + ["fair"] * 3, "fair"),
    (["fair"] * 10, "fair"),
    (["poor"] * 10, "poor"),
    (["good", "fair"], "fair"),
    (["fair", "poor"], "poor"),
])
def test_overall_aggregation(kb: KnowledgeBase, ratings: list[str], expected: str) -> None:
    assert aggregate(kb, policy(kb, "overall_aggregation"), ratings)[0] == expected


def test_unknown_methods_are_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError):
        combine_sources(kb, {"combine": "mean"}, ["good"], False)
    with pytest.raises(ValueError):
        aggregate(kb, {"method": "max"}, ["good"])
