"""The generic procedures: combining evidence sources and aggregating verdicts.

The procedures are code; their policy (how ratings combine, the score bands) is knowledge and
comes from the rule's ``policy`` in ``knowledge/rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from expert.kb.model import KnowledgeBase

if TYPE_CHECKING:
    from expert.case import Case

COMBINED_SOURCE = "combined"  # expert.case's name for a rating entered without sources


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
    """``combined``: one rating entered without separating the sources (the assessor's own
    triangulation); ``single``: one evidence source given; else how the sources agree."""
    if combined_only:
        return "combined"
    if len(ratings) == 1:
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


def assessment_scope(kb: KnowledgeBase, case: Case) -> dict[str, Any]:
    """How much of the model the case assessed, against the knowledge base's coverage policy
    (the overall-aggregation rule's ``coverage``), and whether most assessed indicators rest on
    one evidence source."""
    assessed = case.assessed_indicators()
    total = len(kb.indicators)
    rule = kb.rule_of_kind("overall_aggregation")
    policy = dict(rule.policy.get("coverage") or {}) if rule else {}
    share = float(policy.get("min_share", 0.0))
    sufficient = bool(assessed) and len(assessed) >= share * total - 1e-9
    if policy.get("every_dimension"):
        covered = {kb.indicators[i].dimension for i in assessed}
        sufficient = sufficient and covered >= set(kb.dimensions)
    sources = {i: [f.source for f in case.findings if f.indicator == i] for i in assessed}
    single = sum(1 for found in sources.values()
                 if len(found) == 1 and found[0] != COMBINED_SOURCE)
    return {"assessed": len(assessed), "total": total, "sufficient": sufficient,
            "min_share": share, "every_dimension": bool(policy.get("every_dimension")),
            "coverage": "sufficient" if sufficient else "insufficient",
            "single_source": single,
            "evidence_base": "mostly_single" if single * 2 > len(assessed) else "mixed"}
