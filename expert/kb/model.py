"""The knowledge base as immutable Python objects, built by :mod:`expert.kb.loader`.

The classes are frozen msgspec Structs (as the condition kinds of :mod:`expert.rules.conditions`
are): a dataclass compiles its generated methods each time its module is imported, about half a
millisecond per frozen class on Python 3.11 (some 24 ms for the classes a ``kinerja evaluate``
process imports, a quarter of its time); a Struct's are built in C. Both give keyword or
positional construction, immutability, equality, hashing and a readable repr;
``msgspec.structs.fields`` lists the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from expert.i18n import Text, normalise_word, tr
from expert.kb.development import DevelopmentCatalogue
from expert.rules.conditions import CONDITION_KINDS as _CONDITION_KINDS
from expert.rules.conditions import Condition

# Condition kinds a pattern rule may use: one class each in expert.rules.conditions.
CONDITION_KINDS = _CONDITION_KINDS
GENERIC_KINDS = ("triangulation", "dimension_aggregation", "overall_aggregation")
CONCLUSION_KINDS = ("diagnosis", "recommendation")


class Term(Struct, frozen=True):
    """An entry of a closed vocabulary (rating, source, audience, …)."""

    id: str
    label: Text
    aliases: tuple[str, ...] = ()
    score: int | None = None
    rank: int | None = None

    def text(self, lang: str) -> str:
        return tr(self.label, lang)


class Dimension(Struct, frozen=True):
    id: str
    label: Text
    definition: Text
    references: tuple[str, ...] = ()


class Indicator(Struct, frozen=True):
    id: str
    dimension: str
    label: Text
    definition: Text
    aliases: tuple[str, ...] = ()


class Factor(Struct, frozen=True):
    id: str
    kind: str  # inhibiting | supporting
    scope: str  # individual | environmental
    label: Text
    description: Text
    aliases: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


class Measure(Struct, frozen=True):
    id: str
    label: Text
    description: Text
    unit: Text
    integer: bool = False
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


class Diagnosis(Struct, frozen=True):
    id: str
    title: Text
    description: Text


MONITOR_SCOPES = ("overall", "agreement")


class Monitor(Struct, frozen=True):
    """What shows whether a recommendation worked: an indicator, a dimension, a measure, or a
    scope of the whole assessment (the overall verdict, or how the evidence sources agree)."""

    indicator: str | None
    measure: str | None
    target: Text
    dimension: str | None = None
    scope: str | None = None


class Recommendation(Struct, frozen=True):
    id: str
    title: Text
    description: Text
    audience: tuple[str, ...]
    topics: tuple[str, ...]
    priority: str
    timeframe: str
    monitor: Monitor
    references: tuple[str, ...] = ()


class Reference(Struct, frozen=True):
    id: str
    kind: str  # study | book | regulation | guidance
    evidence: str  # primary | secondary
    citation: str
    note: Text = field(default_factory=dict)


class Conclusion(Struct, frozen=True):
    kind: str  # diagnosis | recommendation
    id: str
    priority: str | None = None


class Rule(Struct, frozen=True):
    id: str
    kind: str  # pattern | one of GENERIC_KINDS
    title: Text
    justification: Text
    references: tuple[str, ...]
    when: tuple[Condition, ...] = ()
    then: Conclusion | None = None
    policy: Mapping[str, Any] = field(default_factory=dict)
    file: str = ""

    @property
    def is_generic(self) -> bool:
        return self.kind in GENERIC_KINDS


class KnowledgeBase(Struct, frozen=True):
    """Everything Kinerja knows; look-ups by id and by alias."""

    directory: Path
    version: str
    ratings: Mapping[str, Term]
    sources: Mapping[str, Term]
    dimensions: Mapping[str, Dimension]
    indicators: Mapping[str, Indicator]
    subject_kinds: Mapping[str, Term]
    agreements: Mapping[str, Term]
    audiences: Mapping[str, Term]
    topics: Mapping[str, Term]
    priorities: Mapping[str, Term]
    timeframes: Mapping[str, Term]
    skp_predicates: Mapping[str, Term]
    factors: Mapping[str, Factor]
    measures: Mapping[str, Measure]
    diagnoses: Mapping[str, Diagnosis]
    recommendations: Mapping[str, Recommendation]
    references: Mapping[str, Reference]
    rules: Mapping[str, Rule]
    development: DevelopmentCatalogue = field(default_factory=DevelopmentCatalogue)

    def rule_of_kind(self, kind: str) -> Rule | None:
        return next((r for r in self.rules.values() if r.kind == kind), None)

    def pattern_rules(self) -> list[Rule]:
        return [r for r in self.rules.values() if not r.is_generic]

    def indicators_of(self, dimension: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.dimension == dimension]

    def rating_score(self, rating: str) -> int:
        score = self.ratings[rating].score
        return score if score is not None else 0

    def priority_rank(self, priority: str) -> int:
        rank = self.priorities[priority].rank
        return rank if rank is not None else len(self.priorities)

    def rules_concluding(self, kind: str, target: str) -> list[Rule]:
        return [
            r for r in self.rules.values()
            if r.then is not None and r.then.kind == kind and r.then.id == target
        ]

    def label(self, kind: str, item_id: str, lang: str) -> str:
        """The display label of any knowledge item (used by renderers and the web UI)."""
        table = getattr(self, kind)
        item = table.get(item_id)
        if item is None:
            return item_id
        text = getattr(item, "label", None) or getattr(item, "title", None)
        return tr(text, lang) or item_id


def alias_index(entries: Mapping[str, Any]) -> dict[str, str]:
    """Normalised id and aliases → id, for accepting case vocabulary."""
    index: dict[str, str] = {}
    for entry_id, entry in entries.items():
        index[normalise_word(entry_id)] = entry_id
        for alias in getattr(entry, "aliases", ()):
            index[normalise_word(alias)] = entry_id
    return index
