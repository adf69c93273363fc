"""The knowledge base as people read it: rules in plain language from their structure, how
rules feed one another, and the knowledge base as one JSON document.

The web UI's knowledge pages, its API and ``kinerja kb show`` all render from here, so what an
auditor reads is built from the same structure the engine runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from msgspec import Struct, structs

from expert import KnowledgeBase
from expert.i18n import LANGUAGES, tr
from expert.kb.model import Condition, Rule
from expert.rules.conditions import INPUT_KINDS

ANY = "*"
# What each generic procedure concludes and what it reads.
GENERIC_PRODUCES = {"triangulation": ("indicator", ANY),
                    "dimension_aggregation": ("dimension", ANY),
                    "overall_aggregation": ("overall", ANY)}
GENERIC_CONSUMES = {"triangulation": ("finding", ANY), "dimension_aggregation": ("indicator", ANY),
                    "overall_aggregation": ("indicator", ANY)}

_WORDS = {
    "id": {
        "if": "JIKA", "and": "DAN", "then": "MAKA", "diagnosis": "diagnosis",
        "recommendation": "rekomendasi", "priority": "prioritas",
        "triangulation": "penilaian setiap indikator yang dinilai",
        "dimension_aggregation": "penilaian setiap dimensi yang memiliki indikator dinilai",
        "overall_aggregation": "penilaian kinerja keseluruhan",
        "lower_median": "Gabungkan penilaian sumber bukti (wawancara, observasi, dokumentasi) "
                        "dengan median; bila jumlahnya genap, ambil yang lebih rendah.",
        "mean_score": "Hitung rata-rata skor ({scores}).",
        "band": "{rating} bila rata-rata paling sedikit {minimum}",
        "band_rest": "{rating} bila di bawahnya",
        "for_each_indicator": "Untuk setiap indikator yang memiliki temuan",
        "for_each_dimension": "Untuk setiap dimensi, dari indikatornya yang dinilai",
        "for_overall": "Dari semua indikator yang dinilai",
    },
    "en": {
        "if": "IF", "and": "AND", "then": "THEN", "diagnosis": "diagnosis",
        "recommendation": "recommendation", "priority": "priority",
        "triangulation": "the verdict of each assessed indicator",
        "dimension_aggregation": "the verdict of each dimension with an assessed indicator",
        "overall_aggregation": "the overall performance verdict",
        "lower_median": "Combine the evidence sources' ratings (interview, observation, "
                        "documentation) by their median; of an even number, take the lower.",
        "mean_score": "Take the mean score ({scores}).",
        "band": "{rating} when the mean is at least {minimum}",
        "band_rest": "{rating} below that",
        "for_each_indicator": "For each indicator with findings",
        "for_each_dimension": "For each dimension, from its assessed indicators",
        "for_overall": "From every assessed indicator",
    },
}


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "id" else text


# -- plain language ------------------------------------------------------------------------
def conclusion_text(kb: KnowledgeBase, rule: Rule, lang: str) -> str:
    w = _WORDS[lang]
    if rule.is_generic:
        return w[rule.kind]
    assert rule.then is not None
    table = "diagnoses" if rule.then.kind == "diagnosis" else "recommendations"
    text = f"{w[rule.then.kind]} «{kb.label(table, rule.then.id, lang)}»"
    if rule.then.priority:
        text += f" ({w['priority']} {kb.label('priorities', rule.then.priority, lang).lower()})"
    return text


def policy_lines(kb: KnowledgeBase, rule: Rule, lang: str) -> list[str]:
    """A generic rule's policy, step by step."""
    w = _WORDS[lang]
    policy = rule.policy
    scope = {"triangulation": "for_each_indicator", "dimension_aggregation": "for_each_dimension",
             "overall_aggregation": "for_overall"}[rule.kind]
    lines = [w[scope] + ":"]
    if policy.get("combine") == "lower_median":
        lines.append(w["lower_median"])
    if policy.get("method") == "mean_score":
        scores = ", ".join(f"{kb.label('ratings', r, lang)} = {kb.ratings[r].score}"
                           for r in kb.ratings)
        lines.append(w["mean_score"].format(scores=scores))
        for band in policy.get("bands", ()):
            rating = kb.label("ratings", band["rating"], lang)
            if band.get("min_score") is None:
                lines.append(w["band_rest"].format(rating=rating))
            else:
                lines.append(w["band"].format(rating=rating,
                                              minimum=_number(band["min_score"], lang)))
    return lines


@dataclass(frozen=True)
class RuleText:
    lang: str
    title: str
    conditions: tuple[str, ...]
    policy: tuple[str, ...]
    conclusion: str
    justification: str
    keyword_if: str
    keyword_and: str
    keyword_then: str


def rule_text(kb: KnowledgeBase, rule: Rule, lang: str) -> RuleText:
    w = _WORDS[lang]
    return RuleText(
        lang=lang, title=tr(rule.title, lang),
        conditions=tuple(c.describe(kb, lang) for c in rule.when),
        policy=tuple(policy_lines(kb, rule, lang)) if rule.is_generic else (),
        conclusion=conclusion_text(kb, rule, lang),
        justification=tr(rule.justification, lang),
        keyword_if=w["if"], keyword_and=w["and"], keyword_then=w["then"])


def rule_texts(kb: KnowledgeBase, rule: Rule) -> dict[str, RuleText]:
    return {lang: rule_text(kb, rule, lang) for lang in LANGUAGES}


# -- how rules feed one another ------------------------------------------------------------
def produces(rule: Rule) -> tuple[str, str]:
    if rule.is_generic:
        return GENERIC_PRODUCES[rule.kind]
    assert rule.then is not None
    return (rule.then.kind, rule.then.id)


def condition_needs(condition: Condition) -> tuple[str, str]:
    """(kind, id) of what a condition tests; ``*`` for any fact of its kind."""
    kind, target = condition.needs()
    return (kind, ANY if target == "*" else target)


def consumes(rule: Rule) -> list[tuple[str, str]]:
    if rule.is_generic:
        return [GENERIC_CONSUMES[rule.kind]]
    return [condition_needs(c) for c in rule.when]


def _satisfies(made: tuple[str, str], needed: tuple[str, str]) -> bool:
    return (made[0] == needed[0] and ANY in (made[1], needed[1])) or made == needed


def feeders_of(kb: KnowledgeBase, needed: tuple[str, str], exclude: str = "") -> list[Rule]:
    """The rules that can conclude what a condition needs."""
    if needed[0] in INPUT_KINDS:
        return []
    return [r for r in kb.rules.values() if r.id != exclude and _satisfies(produces(r), needed)]


def consumers_of(kb: KnowledgeBase, rule: Rule) -> list[Rule]:
    """The rules that use what ``rule`` concludes."""
    made = produces(rule)
    return [r for r in kb.rules.values()
            if r.id != rule.id and any(_satisfies(made, n) for n in consumes(r))]


def reachable_recommendations(kb: KnowledgeBase, rule: Rule) -> list[str]:
    """Every recommendation ``rule`` can lead to, through the rules it feeds."""
    seen = {rule.id}
    queue = deque([rule])
    found: dict[str, None] = {}
    while queue:
        current = queue.popleft()
        kind, target = produces(current)
        if kind == "recommendation":
            found.setdefault(target, None)
        for consumer in consumers_of(kb, current):
            if consumer.id not in seen:
                seen.add(consumer.id)
                queue.append(consumer)
    return [r for r in kb.recommendations if r in found]


def rules_using(kb: KnowledgeBase, kind: str, item_id: str) -> list[Rule]:
    """Pattern rules with a condition on the item (a factor, measure, diagnosis, …)."""
    return [r for r in kb.pattern_rules() if any(condition_needs(c) == (kind, item_id)
                                                 for c in r.when)]


# -- the API document ----------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Struct) or (is_dataclass(value) and not isinstance(value, type)):
        names = [f.name for f in (structs.fields(value) if isinstance(value, Struct)
                                  else fields(value))]  # type: ignore[arg-type]
        return {name: _plain(getattr(value, name)) for name in names
                if getattr(value, name) not in (None, (), {})}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _table(entries: Iterable[Any]) -> list[Any]:
    return [_plain(entry) for entry in entries]


def knowledge_document(kb: KnowledgeBase) -> dict[str, Any]:
    """Everything the knowledge base holds, bilingual texts as {id, en}; each rule also in
    plain language."""
    rules = []
    for rule in kb.rules.values():
        entry = _plain(rule)
        entry["plain"] = {lang: {"conditions": list(text.conditions), "policy": list(text.policy),
                                 "conclusion": text.conclusion}
                          for lang, text in rule_texts(kb, rule).items()}
        rules.append(entry)
    return {
        "version": kb.version,
        "vocabularies": {name: _table(getattr(kb, name).values()) for name in (
            "ratings", "sources", "subject_kinds", "agreements", "audiences", "topics",
            "priorities", "timeframes", "skp_predicates")},
        "dimensions": _table(kb.dimensions.values()),
        "indicators": _table(kb.indicators.values()),
        "factors": _table(kb.factors.values()),
        "measures": _table(kb.measures.values()),
        "diagnoses": _table(kb.diagnoses.values()),
        "recommendations": _table(kb.recommendations.values()),
        "references": _table(kb.references.values()),
        "rules": rules,
    }
