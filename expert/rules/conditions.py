"""The rule language: one class per condition kind.

Each class owns everything the product knows about its kind: reading it from a rule file
(``parse``), its JSON Schema (``schema``), the experta pattern it compiles to (``pattern``),
matching it against the facts a consultation ended with (``matches``, for WHY-NOT and tests),
whether the input it needs was entered at all (``entered``), its plain-language description in
Indonesian and English (``describe``), and what the verifier needs (``implies``, ``disjoint``,
``impossible``, ``signature``). A new condition kind is one class here and its tests.

Patterns are plain experta (imported through expert.rules.adapter, the one module that knows
experta): a fact class with literal field values, ``P`` field constraints and
``NOT``. experta is imported only when a pattern is built, so loading and verifying a knowledge
base never imports the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from msgspec import Struct

from expert.i18n import tr

if TYPE_CHECKING:
    from expert.kb.model import KnowledgeBase
    from expert.trace import FactRecord

ANY = "any"


class ParseContext(Protocol):
    """What a condition needs from the knowledge-base reader while it is parsed."""

    @property
    def known(self) -> Mapping[str, tuple[str, ...]]: ...

    def problem(self, path: str, message: str, allowed: Iterable[str] = ()) -> None: ...

    def check_keys(self, node: Mapping[str, Any], path: str, required: Iterable[str],
                   optional: Iterable[str] = ()) -> None: ...

    def number(self, node: Mapping[str, Any], key: str, path: str) -> float | None: ...


# -- words -----------------------------------------------------------------------------------
_WORDS = {
    "id": {"any_indicator": "salah satu indikator", "any_dimension": "salah satu dimensi",
           "indicator": "indikator", "dimension": "dimensi", "overall": "penilaian keseluruhan",
           "is": "bernilai", "is_not": "bukan", "or": "atau", "agreement": "kesepakatan sumber",
           "finding": "temuan", "source": "sumber", "factor": "faktor dilaporkan",
           "measure": "ukuran", "diagnosis": "diagnosis tercapai", "subject_kind": "jenis subjek",
           "not": "tidak ada", "no_diagnosis": "diagnosis tidak tercapai",
           "no_factor": "faktor tidak dilaporkan", "min": "paling sedikit", "max": "paling banyak",
           "above": "lebih dari", "below": "kurang dari", "between": "antara {low} dan {high}",
           "equals": "tepat {value}", "skp": "predikat kinerja (SKP)",
           "coverage": "cakupan penilaian", "sufficient": "memenuhi batas minimal",
           "insufficient": "belum memenuhi batas minimal",
           "evidence_base": "dasar bukti",
           "mostly_single": "sebagian besar indikator hanya bersumber dari satu sumber bukti"},
    "en": {"any_indicator": "any indicator", "any_dimension": "any dimension",
           "indicator": "indicator", "dimension": "dimension", "overall": "overall verdict",
           "is": "is", "is_not": "is not", "or": "or", "agreement": "source agreement",
           "finding": "finding",
           "source": "source", "factor": "factor reported", "measure": "measure",
           "diagnosis": "diagnosis reached", "subject_kind": "subject kind", "not": "no",
           "no_diagnosis": "diagnosis not reached", "no_factor": "factor not reported",
           "min": "at least", "max": "at most", "above": "more than", "below": "less than",
           "between": "between {low} and {high}", "equals": "exactly {value}",
           "skp": "performance predicate (SKP)", "coverage": "assessment coverage",
           "sufficient": "meets the minimum", "insufficient": "below the minimum",
           "evidence_base": "evidence base",
           "mostly_single": "most indicators rest on a single evidence source"},
}


def number_text(value: float, lang: str) -> str:
    """A number as a reader writes it: no trailing '.0', a decimal comma in Indonesian."""
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace(".", ",") if lang == "id" else text


def _join(values: Iterable[str], lang: str) -> str:
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_WORDS[lang]['or']} " + items[-1]


def _labels(kb: KnowledgeBase, table: str, values: frozenset[str] | None, lang: str) -> str:
    ordered = [v for v in getattr(kb, table) if values and v in values]
    return _join((kb.label(table, v, lang) for v in ordered), lang)


def _in(value: Any, allowed: frozenset[str] | None) -> bool:
    return allowed is None or value in allowed


def _sorted(values: frozenset[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(values)) if values is not None else None


def _narrower(narrow: frozenset[str] | None, wide: frozenset[str] | None) -> bool:
    """Every value ``narrow`` admits, ``wide`` admits too (None admits every value)."""
    return wide is None or (narrow is not None and narrow <= wide)


def _value(values: frozenset[str] | None) -> Any:
    """A literal for one value, a predicate for several (OR field constraints multiply the net)."""
    if values is None:
        return None
    if len(values) == 1:
        return next(iter(values))
    from expert.rules.adapter import P

    return P(values.__contains__)


def _fields(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _values(ctx: ParseContext, node: Mapping[str, Any], key: str, path: str, vocabulary: str
            ) -> frozenset[str] | None:
    """A value or a non-empty list of values from a closed vocabulary."""
    if key not in node:
        return None
    raw = node[key]
    values = [raw] if isinstance(raw, str) else raw
    allowed = ctx.known[vocabulary]
    if not isinstance(values, list) or not values:
        ctx.problem(f"{path}.{key}", "must be a value or a non-empty list", allowed)
        return None
    for value in values:
        if value not in allowed:
            ctx.problem(f"{path}.{key}", f"unknown value {value!r}", allowed)
    return frozenset(str(v) for v in values)


def _one_or_list(values: Sequence[str]) -> dict[str, Any]:
    enum = {"enum": list(values)}
    return {"oneOf": [enum, {"type": "array", "items": enum, "minItems": 1,
                             "uniqueItems": True}]}


# -- the base class --------------------------------------------------------------------------
class Condition(Struct, frozen=True):
    """One condition of a pattern rule. ``target`` names the fact tested (an id, or ``any``)."""

    kind: ClassVar[str] = ""
    options: ClassVar[tuple[str, ...]] = ()  # the keys a condition of this kind may add
    input_kind: ClassVar[bool] = False  # tests what the case entered, not a conclusion
    record_kind: ClassVar[str] = ""  # the trace records it matches

    target: str | None = None

    # reading -----------------------------------------------------------------------------
    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition | None:
        raise NotImplementedError

    @classmethod
    def schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        """The JSON Schema of one condition of this kind."""
        properties = {cls.kind: cls.head_schema(known), **cls.option_schemas(known)}
        return {"type": "object", "required": [cls.kind], "additionalProperties": False,
                "properties": properties, "description": cls.__doc__ or ""}

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {}

    @classmethod
    def parse_target(cls, ctx: ParseContext, node: Mapping[str, Any], path: str,
                     vocabulary: str, allow_any: bool = False) -> str:
        target = node[cls.kind]
        if not (allow_any and target == ANY) and target not in ctx.known[vocabulary]:
            ctx.problem(f"{path}.{cls.kind}", f"unknown {vocabulary} {target!r}",
                        ctx.known[vocabulary])
        return str(target)

    # running -----------------------------------------------------------------------------
    def pattern(self) -> Any:
        """The experta pattern that matches this condition."""
        raise NotImplementedError

    def accepts(self, record: FactRecord) -> bool:
        """A trace record of ``record_kind`` satisfies this condition."""
        raise NotImplementedError

    def matches(self, records: Iterable[FactRecord]) -> list[FactRecord]:
        """The facts that satisfy this (positive) condition."""
        return [r for r in records if r.kind == self.record_kind and self.accepts(r)]

    def entered(self, records: Iterable[FactRecord]) -> bool:
        """Whether the case gave what this condition tests at all (WHY-NOT says "not entered"
        rather than "not met" when it did not). Conclusions and factors are always "entered"."""
        return True

    # reading aloud -----------------------------------------------------------------------
    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        raise NotImplementedError

    # verifying ---------------------------------------------------------------------------
    def needs(self) -> tuple[str, str]:
        """(kind, id) of the fact this condition tests; ``*`` for any of its kind."""
        return (self.kind, self.target if self.target not in (None, ANY) else "*")

    def signature(self) -> tuple[Any, ...]:
        """A hashable form used to compare rules for duplicates and subsumption."""
        return (self.kind, self.target)

    def implies(self, general: Condition) -> bool:
        """Whenever this condition holds, ``general`` holds too."""
        return self == general

    def disjoint(self, other: Condition) -> bool:
        """No single fact can satisfy both (both test one and the same named fact)."""
        return False

    def impossible(self, kb: KnowledgeBase) -> str | None:
        """Why no case can ever satisfy this condition alone, or None."""
        return None

    def same_fact(self, other: Condition) -> bool:
        return (type(other) is type(self) and self.target not in (None, ANY)
                and self.target == other.target)


# -- verdicts ---------------------------------------------------------------------------------
class _Rated(Condition, frozen=True):
    ratings: frozenset[str] | None = None

    def rating_text(self, kb: KnowledgeBase, lang: str) -> str:
        if not self.ratings:
            return ""
        return f" {_WORDS[lang]['is']} " + _labels(kb, "ratings", self.ratings, lang)

    def signature(self) -> tuple[Any, ...]:
        return (self.kind, self.target, _sorted(self.ratings))

    def implies(self, general: Condition) -> bool:
        return (type(general) is type(self) and general.target in (self.target, ANY)
                and _narrower(self.ratings, getattr(general, "ratings", None)))

    def disjoint(self, other: Condition) -> bool:
        theirs = getattr(other, "ratings", None)
        return (self.same_fact(other) and self.ratings is not None and theirs is not None
                and not self.ratings & theirs)

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"rating": _one_or_list(known["rating"])}


class IndicatorCondition(_Rated, frozen=True):
    """An assessed indicator's combined verdict (``any``: at least one indicator)."""

    kind: ClassVar[str] = "indicator"
    options: ClassVar[tuple[str, ...]] = ("rating", "agreement")
    record_kind: ClassVar[str] = "indicator"
    agreements: frozenset[str] | None = None

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        return cls(cls.parse_target(ctx, node, path, "indicator", allow_any=True),
                   _values(ctx, node, "rating", path, "rating"),
                   _values(ctx, node, "agreement", path, "agreement"))

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"enum": [ANY, *known["indicator"]]}

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"rating": _one_or_list(known["rating"]),
                "agreement": _one_or_list(known["agreement"])}

    def pattern(self) -> Any:
        from expert.rules.facts import IndicatorVerdict

        target = None if self.target == ANY else self.target
        return IndicatorVerdict(**_fields(indicator=target, rating=_value(self.ratings),
                                          agreement=_value(self.agreements)))

    def accepts(self, record: FactRecord) -> bool:
        data = record.data
        return ((self.target == ANY or data["id"] == self.target)
                and _in(data["rating"], self.ratings) and _in(data["agreement"], self.agreements))

    def entered(self, records: Iterable[FactRecord]) -> bool:
        if self.target == ANY:
            return any(r.kind == "indicator" for r in records)
        return any(r.kind == "finding" and r.data["indicator"] == self.target for r in records)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        w = _WORDS[lang]
        subject = (w["any_indicator"] if self.target == ANY else
                   f"{w['indicator']} «{kb.label('indicators', self.target or '', lang)}»")
        text = subject + self.rating_text(kb, lang)
        if self.agreements:
            text += f" ({w['agreement']}: {_labels(kb, 'agreements', self.agreements, lang)})"
        return text

    def signature(self) -> tuple[Any, ...]:
        return super().signature() + (_sorted(self.agreements),)

    def implies(self, general: Condition) -> bool:
        return super().implies(general) and _narrower(
            self.agreements, getattr(general, "agreements", None))

    def disjoint(self, other: Condition) -> bool:
        theirs = getattr(other, "agreements", None)
        return super().disjoint(other) or (
            self.same_fact(other) and self.agreements is not None and theirs is not None
            and not self.agreements & theirs)


class DimensionCondition(_Rated, frozen=True):
    """A dimension's verdict (``any``: at least one dimension)."""

    kind: ClassVar[str] = "dimension"
    options: ClassVar[tuple[str, ...]] = ("rating",)
    record_kind: ClassVar[str] = "dimension"

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        return cls(cls.parse_target(ctx, node, path, "dimension", allow_any=True),
                   _values(ctx, node, "rating", path, "rating"))

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"enum": [ANY, *known["dimension"]]}

    def pattern(self) -> Any:
        from expert.rules.facts import DimensionVerdict

        target = None if self.target == ANY else self.target
        return DimensionVerdict(**_fields(dimension=target, rating=_value(self.ratings)))

    def accepts(self, record: FactRecord) -> bool:
        return ((self.target == ANY or record.data["id"] == self.target)
                and _in(record.data["rating"], self.ratings))

    def entered(self, records: Iterable[FactRecord]) -> bool:
        return any(r.kind == "dimension" and (self.target == ANY or r.data["id"] == self.target)
                   for r in records)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        w = _WORDS[lang]
        subject = (w["any_dimension"] if self.target == ANY else
                   f"{w['dimension']} «{kb.label('dimensions', self.target or '', lang)}»")
        return subject + self.rating_text(kb, lang)


class OverallCondition(_Rated, frozen=True):
    """The overall verdict: ``overall: R`` or ``[R..]``."""

    kind: ClassVar[str] = "overall"
    record_kind: ClassVar[str] = "overall"

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        return cls(None, _values(ctx, node, "overall", path, "rating"))

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return _one_or_list(known["rating"])

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {}

    def pattern(self) -> Any:
        from expert.rules.facts import OverallVerdict

        return OverallVerdict(**_fields(rating=_value(self.ratings)))

    def accepts(self, record: FactRecord) -> bool:
        return _in(record.data["rating"], self.ratings)

    def entered(self, records: Iterable[FactRecord]) -> bool:
        return any(r.kind == "overall" for r in records)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        return _WORDS[lang]["overall"] + self.rating_text(kb, lang)

    def needs(self) -> tuple[str, str]:
        return ("overall", "*")

    def same_fact(self, other: Condition) -> bool:
        return type(other) is type(self)  # there is one overall verdict


class FindingCondition(_Rated, frozen=True):
    """One evidence-source finding as entered: ``finding: INDICATOR``, ``source`` optional."""

    kind: ClassVar[str] = "finding"
    options: ClassVar[tuple[str, ...]] = ("source", "rating")
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "finding"
    source: str | None = None

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        source = node.get("source")
        if source is not None and source not in ctx.known["source"]:
            ctx.problem(f"{path}.source", f"unknown source {source!r}", ctx.known["source"])
        return cls(cls.parse_target(ctx, node, path, "indicator"),
                   _values(ctx, node, "rating", path, "rating"), source)

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"enum": list(known["indicator"])}

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"source": {"enum": list(known["source"])},
                "rating": _one_or_list(known["rating"])}

    def pattern(self) -> Any:
        from expert.rules.facts import Finding

        return Finding(**_fields(indicator=self.target, source=self.source,
                                 rating=_value(self.ratings)))

    def accepts(self, record: FactRecord) -> bool:
        data = record.data
        return (data["indicator"] == self.target
                and (self.source is None or data["source"] == self.source)
                and _in(data["rating"], self.ratings))

    def entered(self, records: Iterable[FactRecord]) -> bool:
        return any(r.kind == "finding" and r.data["indicator"] == self.target
                   and (self.source is None or r.data["source"] == self.source)
                   for r in records)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        w = _WORDS[lang]
        text = f"{w['finding']} «{kb.label('indicators', self.target or '', lang)}»"
        if self.source:
            text += f" ({w['source']}: {kb.label('sources', self.source, lang)})"
        return text + self.rating_text(kb, lang)

    def signature(self) -> tuple[Any, ...]:
        return super().signature() + (self.source,)

    def implies(self, general: Condition) -> bool:
        source = getattr(general, "source", None)
        return super().implies(general) and (source is None or source == self.source)

    def disjoint(self, other: Condition) -> bool:
        return False  # two findings of one indicator may come from different sources


# -- named facts --------------------------------------------------------------------------------
class _Named(Condition, frozen=True):
    vocabulary: ClassVar[str] = ""

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        return cls(cls.parse_target(ctx, node, path, cls.vocabulary))

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"enum": list(known[cls.vocabulary])}

    def accepts(self, record: FactRecord) -> bool:
        return bool(record.data["id"] == self.target)


class FactorCondition(_Named, frozen=True):
    """A factor the case reports."""

    kind: ClassVar[str] = "factor"
    vocabulary: ClassVar[str] = "factor"
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "factor"

    def pattern(self) -> Any:
        from expert.rules.facts import ObservedFactor

        return ObservedFactor(id=self.target)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        return f"{_WORDS[lang]['factor']}: «{kb.label('factors', self.target or '', lang)}»"


class DiagnosisCondition(_Named, frozen=True):
    """A diagnosis concluded by another rule."""

    kind: ClassVar[str] = "diagnosis"
    vocabulary: ClassVar[str] = "diagnosis"
    record_kind: ClassVar[str] = "diagnosis"

    def pattern(self) -> Any:
        from expert.rules.facts import DiagnosisFact

        return DiagnosisFact(id=self.target)

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        return f"{_WORDS[lang]['diagnosis']}: «{kb.label('diagnoses', self.target or '', lang)}»"


# -- measures ----------------------------------------------------------------------------------
class Cut(Struct, frozen=True):
    """Where a measure condition's range starts or stops: ``upper`` bounds keep the values
    below the cut, ``lower`` bounds the values above it; ``open`` excludes the cut value."""

    side: str  # upper | lower
    value: float
    open: bool


class MeasureCondition(Condition, frozen=True):
    """A measure the case gives, within bounds: ``min``/``max`` include the bound,
    ``above``/``below`` exclude it (write ``below: 20`` rather than ``max: 19.99``)."""

    kind: ClassVar[str] = "measure"
    options: ClassVar[tuple[str, ...]] = ("min", "max", "above", "below")
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "measure"
    low: float = -math.inf
    low_open: bool = True
    high: float = math.inf
    high_open: bool = True

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition | None:
        target = cls.parse_target(ctx, node, path, "measure")
        bounds = {key: ctx.number(node, key, path) for key in cls.options}
        given = {key for key, value in bounds.items() if value is not None}
        if not given:
            ctx.problem(path, "a measure condition needs a lower bound (min or above) and/or an "
                        "upper bound (max or below)", cls.options)
            return None
        if {"min", "above"} <= given or {"max", "below"} <= given:
            ctx.problem(path, "give one lower bound (min or above) and one upper bound "
                        "(max or below) at most")
            return None
        condition = cls(target)
        if "min" in given or "above" in given:
            key = "min" if "min" in given else "above"
            condition = cls(target, float(bounds[key] or 0.0), key == "above")
        if "max" in given or "below" in given:
            key = "max" if "max" in given else "below"
            condition = cls(target, condition.low, condition.low_open,
                            float(bounds[key] or 0.0), key == "below")
        if condition.empty():
            first = "min" if "min" in given else "above"
            ctx.problem(f"{path}.{first if first in given else 'max'}",
                        "the lower bound is not below the upper bound: no value fits")
        return condition

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"enum": list(known["measure"])}

    @classmethod
    def option_schemas(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        words = {"min": "at least (inclusive)", "max": "at most (inclusive)",
                 "above": "more than (exclusive)", "below": "less than (exclusive)"}
        return {key: {"type": "number", "description": text} for key, text in words.items()}

    @classmethod
    def schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        schema = super().schema(known)
        schema["anyOf"] = [{"required": [key]} for key in cls.options]
        schema["not"] = {"anyOf": [{"required": ["min", "above"]},
                                   {"required": ["max", "below"]}]}
        return schema

    def contains(self, value: float) -> bool:
        above_low = value > self.low if self.low_open else value >= self.low
        below_high = value < self.high if self.high_open else value <= self.high
        return above_low and below_high

    def empty(self) -> bool:
        if self.low > self.high:
            return True
        return self.low == self.high and (self.low_open or self.high_open)

    def cuts(self) -> list[Cut]:
        found = []
        if self.low != -math.inf:
            found.append(Cut("lower", self.low, self.low_open))
        if self.high != math.inf:
            found.append(Cut("upper", self.high, self.high_open))
        return found

    def pattern(self) -> Any:
        from expert.rules.adapter import P
        from expert.rules.facts import MeasureValue

        return MeasureValue(id=self.target, value=P(self.contains))

    def accepts(self, record: FactRecord) -> bool:
        return bool(record.data["id"] == self.target and self.contains(record.data["value"]))

    def entered(self, records: Iterable[FactRecord]) -> bool:
        return any(r.kind == "measure" and r.data["id"] == self.target for r in records)

    def bound_text(self, lang: str) -> str:
        w = _WORDS[lang]
        low, high = (number_text(self.low, lang), number_text(self.high, lang))
        if self.low != -math.inf and self.high != math.inf:
            if self.low == self.high:
                return w["equals"].format(value=low)
            if not self.low_open and not self.high_open:
                return f"{low}–{high}"
            lower = f"{w['above'] if self.low_open else w['min']} {low}"
            upper = f"{w['below'] if self.high_open else w['max']} {high}"
            return f"{lower}, {upper}"
        if self.low != -math.inf:
            return f"{w['above'] if self.low_open else w['min']} {low}"
        return f"{w['below'] if self.high_open else w['max']} {high}"

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        label = kb.label("measures", self.target or "", lang)
        measure = kb.measures.get(self.target or "")
        unit = tr(measure.unit, lang) if measure else ""
        return f"{_WORDS[lang]['measure']} «{label}» {self.bound_text(lang)} {unit}".rstrip()

    def signature(self) -> tuple[Any, ...]:
        return (self.kind, self.target, self.low, self.low_open, self.high, self.high_open)

    def implies(self, general: Condition) -> bool:
        if not isinstance(general, MeasureCondition) or general.target != self.target:
            return False
        low_ok = general.low < self.low or (general.low == self.low
                                            and (not general.low_open or self.low_open))
        high_ok = general.high > self.high or (general.high == self.high
                                               and (not general.high_open or self.high_open))
        return low_ok and high_ok

    def disjoint(self, other: Condition) -> bool:
        if not isinstance(other, MeasureCondition) or not self.same_fact(other):
            return False
        return _intersect(self, other).empty()

    def impossible(self, kb: KnowledgeBase) -> str | None:
        measure = kb.measures.get(self.target or "")
        if measure is None:
            return None
        ceiling = measure.maximum if measure.maximum is not None else math.inf
        window = _intersect(self, MeasureCondition(self.target, 0.0, False, ceiling,
                                                   ceiling == math.inf))
        if window.empty() or (measure.integer and not _whole_number_in(window)):
            return f"measure {measure.id} can never lie in the range it asks for"
        return None


def _intersect(one: MeasureCondition, other: MeasureCondition) -> MeasureCondition:
    """The range both admit: the higher lower bound, the lower upper bound (at a tie, the
    open one, which admits less)."""
    low, low_open = max((one.low, one.low_open), (other.low, other.low_open))
    high, high_closed = min((one.high, not one.high_open), (other.high, not other.high_open))
    return MeasureCondition(one.target, low, low_open, high, not high_closed)


def _whole_number_in(condition: MeasureCondition) -> bool:
    start = math.floor(condition.low) + 1 if condition.low_open else math.ceil(condition.low)
    if start == -math.inf:
        return True
    return condition.contains(start) if math.isfinite(start) else False


# -- the subject, its SKP predicate, and the assessment as a whole -----------------------------
class _Choice(Condition, frozen=True):
    """A condition that names one or more values of a closed vocabulary."""

    vocabulary: ClassVar[str] = ""
    field: ClassVar[str] = ""
    values: frozenset[str] | None = None

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition:
        return cls(None, _values(ctx, node, cls.kind, path, cls.vocabulary))

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return _one_or_list(known[cls.vocabulary])

    def accepts(self, record: FactRecord) -> bool:
        return _in(record.data[self.field], self.values)

    def entered(self, records: Iterable[FactRecord]) -> bool:
        return any(r.kind == self.record_kind for r in records)

    def signature(self) -> tuple[Any, ...]:
        return (self.kind, _sorted(self.values))

    def needs(self) -> tuple[str, str]:
        return (self.kind, "*")

    def same_fact(self, other: Condition) -> bool:
        return type(other) is type(self)

    def implies(self, general: Condition) -> bool:
        return type(general) is type(self) and _narrower(self.values,
                                                         getattr(general, "values", None))

    def disjoint(self, other: Condition) -> bool:
        theirs = getattr(other, "values", None)
        return (self.same_fact(other) and self.values is not None and theirs is not None
                and not self.values & theirs)

    def pattern(self) -> Any:
        return self.fact_type()(**_fields(**{self.field: _value(self.values)}))

    def fact_type(self) -> Callable[..., Any]:
        raise NotImplementedError

    def value_labels(self, kb: KnowledgeBase, lang: str) -> str:
        return _labels(kb, self.table(), self.values, lang)

    def table(self) -> str:
        return self.vocabulary + "s"

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        w = _WORDS[lang]
        return f"{w[self.kind]} {w['is']} {self.value_labels(kb, lang)}"


class SubjectKindCondition(_Choice, frozen=True):
    """The kind of subject assessed: unit, group or employee."""

    kind: ClassVar[str] = "subject_kind"
    vocabulary: ClassVar[str] = "subject_kind"
    field: ClassVar[str] = "kind"
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "subject"

    def fact_type(self) -> Callable[..., Any]:
        from expert.rules.facts import Subject

        return Subject


class SkpCondition(_Choice, frozen=True):
    """The employee's SKP performance predicate (PermenPANRB 6/2022), when the case gives it."""

    kind: ClassVar[str] = "skp"
    vocabulary: ClassVar[str] = "skp_predicate"
    field: ClassVar[str] = "predicate"
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "skp"

    def fact_type(self) -> Callable[..., Any]:
        from expert.rules.facts import SkpPredicate

        return SkpPredicate


COVERAGE_VALUES = ("sufficient", "insufficient")
EVIDENCE_BASES = ("mostly_single",)


class CoverageCondition(_Choice, frozen=True):
    """Whether enough of the model was assessed for the overall verdict to stand (the minimum
    is the overall-aggregation rule's ``coverage`` policy)."""

    kind: ClassVar[str] = "coverage"
    vocabulary: ClassVar[str] = "coverage"
    field: ClassVar[str] = "coverage"
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "assessment"

    def fact_type(self) -> Callable[..., Any]:
        from expert.rules.facts import AssessmentScope

        return AssessmentScope

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        values = (_WORDS[lang][v] for v in COVERAGE_VALUES if self.values and v in self.values)
        return f"{_WORDS[lang]['coverage']} {_join(values, lang)}"


class EvidenceBaseCondition(_Choice, frozen=True):
    """How the assessed indicators' evidence is spread: ``mostly_single`` when more than half
    of them rest on one evidence source."""

    kind: ClassVar[str] = "evidence_base"
    vocabulary: ClassVar[str] = "evidence_base"
    field: ClassVar[str] = "evidence_base"
    input_kind: ClassVar[bool] = True
    record_kind: ClassVar[str] = "assessment"

    def fact_type(self) -> Callable[..., Any]:
        from expert.rules.facts import AssessmentScope

        return AssessmentScope

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        return _join((_WORDS[lang][v] for v in EVIDENCE_BASES if self.values and v in self.values),
                     lang)


# -- negation ----------------------------------------------------------------------------------
class NotCondition(Condition, frozen=True):
    """No fact matches the inner condition."""

    kind: ClassVar[str] = "not"
    inner: Condition | None = None

    @classmethod
    def parse(cls, ctx: ParseContext, node: Mapping[str, Any], path: str) -> Condition | None:
        raw = node["not"]
        if isinstance(raw, Mapping) and "not" in raw:
            ctx.problem(f"{path}.not", "a double negation: write the condition itself")
            return None
        inner = parse_condition(ctx, raw, f"{path}.not")
        return cls(None, inner) if inner is not None else None

    @classmethod
    def head_schema(cls, known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        return {"$ref": "#/$defs/positive_condition"}

    def pattern(self) -> Any:
        from expert.rules.adapter import NOT

        assert self.inner is not None
        return NOT(self.inner.pattern())

    def matches(self, records: Iterable[FactRecord]) -> list[FactRecord]:
        raise TypeError("a negation matches no fact; match its inner condition")

    def describe(self, kb: KnowledgeBase, lang: str) -> str:
        assert self.inner is not None
        w = _WORDS[lang]
        if isinstance(self.inner, DiagnosisCondition):
            label = kb.label("diagnoses", self.inner.target or "", lang)
            return f"{w['no_diagnosis']}: «{label}»"
        if isinstance(self.inner, FactorCondition):
            return f"{w['no_factor']}: «{kb.label('factors', self.inner.target or '', lang)}»"
        if isinstance(self.inner, SkpCondition | SubjectKindCondition):
            inner = self.inner
            return f"{w[inner.kind]} {w['is_not']} {inner.value_labels(kb, lang)}"
        return f"{w['not']}: {self.inner.describe(kb, lang)}"

    def needs(self) -> tuple[str, str]:
        assert self.inner is not None
        return self.inner.needs()

    def signature(self) -> tuple[Any, ...]:
        return ("not", self.inner.signature() if self.inner else None)


CONDITION_CLASSES: dict[str, type[Condition]] = {cls.kind: cls for cls in (
    IndicatorCondition, DimensionCondition, OverallCondition, FindingCondition, FactorCondition,
    MeasureCondition, DiagnosisCondition, SubjectKindCondition, SkpCondition, CoverageCondition,
    EvidenceBaseCondition, NotCondition)}
CONDITION_KINDS = tuple(CONDITION_CLASSES)
INPUT_KINDS = tuple(k for k, cls in CONDITION_CLASSES.items() if cls.input_kind)
# vocabularies a rule file may name that are not entries of the knowledge base
BUILT_IN_VOCABULARIES = {"coverage": COVERAGE_VALUES, "evidence_base": EVIDENCE_BASES}


def parse_condition(ctx: ParseContext, raw: Any, path: str) -> Condition | None:
    """One condition from a rule file; problems go to ``ctx`` and None is returned."""
    if not isinstance(raw, Mapping):
        ctx.problem(path, "must be a mapping")
        return None
    kinds = [k for k in CONDITION_KINDS if k in raw]
    if len(kinds) != 1:
        ctx.problem(path, "a condition names exactly one of", CONDITION_KINDS)
        return None
    cls = CONDITION_CLASSES[kinds[0]]
    ctx.check_keys(raw, path, (cls.kind,), cls.options)
    return cls.parse(ctx, raw, path)


def conditions_schema(known: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """``$defs`` for a condition (any kind) and a positive condition (any kind but ``not``)."""
    positive = [cls.schema(known) for kind, cls in CONDITION_CLASSES.items() if kind != "not"]
    return {"positive_condition": {"oneOf": positive},
            "condition": {"oneOf": [*positive, NotCondition.schema(known)]}}
