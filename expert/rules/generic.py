"""The generic procedures: combining evidence sources and aggregating verdicts.

The procedures are code; their policy (how ratings combine, the score bands) is knowledge and
comes from the rule's ``policy`` in ``knowledge/rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from expert.kb.model import KnowledgeBase


def combine_sources(kb: KnowledgeBase, policy: Mapping[str, Any], ratings: Sequence[str],
                    combined_only: bool) -> tuple[str, str]:
    """The indicator's rating and how its sources agreed.

    ``lower_median``: the median of the source ratings, and of an even number the lower one,
    so that disagreement never flatters and a better finding never lowers the verdict.
    """
    if policy.get("combine") != "lower_median":  # the loader admits no other method
        raise ValueError(f"unknown combine method {policy.get('combine')!r}")
    ordered = sorted(ratings, key=kb.rating_score)
    rating = ordered[(len(ordered) - 1) // 2]
    return rating, agreement_of(ratings, combined_only)


def agreement_of(ratings: Sequence[str], combined_only: bool) -> str:
    if combined_only or len(ratings) == 1:
        return "single"
    top = Counter(ratings).most_common(1)[0][1]
    if top == len(ratings):
        return "unanimous"
    if top * 2 > len(ratings):
        return "majority"
    return "split"


def aggregate(kb: KnowledgeBase, policy: Mapping[str, Any], ratings: Sequence[str]
              ) -> tuple[str, float]:
    """The rating of a set of verdicts by the policy's score bands, and the score it rests on."""
    if policy.get("method") != "mean_score":  # the loader admits no other method
        raise ValueError(f"unknown aggregation method {policy.get('method')!r}")
    score = sum(kb.rating_score(r) for r in ratings) / len(ratings)
    for band in policy["bands"]:
        if band["min_score"] is None or score >= band["min_score"] - 1e-9:
            return band["rating"], round(score, 3)
    raise ValueError("the bands do not cover every score")  # the loader prevents this
