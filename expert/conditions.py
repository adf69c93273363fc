"""Check a rule condition against the facts a consultation ended with (for WHY-NOT),
and describe conditions in plain language (for explanations and the knowledge-base pages)."""

from __future__ import annotations

from collections.abc import Iterable

from expert.i18n import tr
from expert.kb.model import Condition, KnowledgeBase
from expert.trace import FactRecord

_WORDS = {
    "id": {"any_indicator": "salah satu indikator", "any_dimension": "salah satu dimensi",
           "indicator": "indikator", "dimension": "dimensi", "overall": "penilaian keseluruhan",
           "is": "bernilai", "or": "atau", "agreement": "kesepakatan sumber",
           "finding": "temuan", "source": "sumber", "factor": "faktor dilaporkan",
           "measure": "ukuran", "diagnosis": "diagnosis tercapai", "subject_kind": "jenis subjek",
           "not": "tidak ada", "at_least": "paling sedikit", "at_most": "paling banyak"},
    "en": {"any_indicator": "any indicator", "any_dimension": "any dimension",
           "indicator": "indicator", "dimension": "dimension", "overall": "overall verdict",
           "is": "is", "or": "or", "agreement": "source agreement", "finding": "finding",
           "source": "source", "factor": "factor reported", "measure": "measure",
           "diagnosis": "diagnosis reached", "subject_kind": "subject kind", "not": "no",
           "at_least": "at least", "at_most": "at most"},
}


def _join(values: Iterable[str], lang: str) -> str:
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_WORDS[lang]['or']} " + items[-1]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def describe(kb: KnowledgeBase, condition: Condition, lang: str) -> str:
    """The condition in plain language, e.g. 'indikator Kemampuan … bernilai Cukup baik'."""
    w = _WORDS[lang]
    rating_text = ""
    if condition.ratings:
        ordered = [r for r in kb.ratings if r in condition.ratings]
        rating_text = f" {w['is']} " + _join((kb.label("ratings", r, lang) for r in ordered), lang)
    kind = condition.kind
    if kind == "not":
        assert condition.inner is not None
        return f"{w['not']}: {describe(kb, condition.inner, lang)}"
    if kind == "indicator":
        subject = (w["any_indicator"] if condition.target == "any" else
                   f"{w['indicator']} «{kb.label('indicators', condition.target or '', lang)}»")
        text = subject + rating_text
        if condition.agreements:
            ordered = [a for a in kb.agreements if a in condition.agreements]
            text += f" ({w['agreement']}: " + _join(
                (kb.label("agreements", a, lang) for a in ordered), lang) + ")"
        return text
    if kind == "dimension":
        subject = (w["any_dimension"] if condition.target == "any" else
                   f"{w['dimension']} «{kb.label('dimensions', condition.target or '', lang)}»")
        return subject + rating_text
    if kind == "overall":
        return w["overall"] + rating_text
    if kind == "finding":
        text = f"{w['finding']} «{kb.label('indicators', condition.target or '', lang)}»"
        if condition.source:
            text += f" ({w['source']}: {kb.label('sources', condition.source, lang)})"
        return text + rating_text
    if kind == "factor":
        return f"{w['factor']}: «{kb.label('factors', condition.target or '', lang)}»"
    if kind == "measure":
        label = kb.label("measures", condition.target or "", lang)
        measure = kb.measures.get(condition.target or "")
        unit = tr(measure.unit, lang) if measure else ""
        if condition.minimum is not None and condition.maximum is not None:
            if condition.minimum == condition.maximum:
                bound = f"= {_number(condition.minimum)}"
            else:
                bound = f"{_number(condition.minimum)}–{_number(condition.maximum)}"
        elif condition.minimum is not None:
            bound = f"{w['at_least']} {_number(condition.minimum)}"
        else:
            bound = f"{w['at_most']} {_number(condition.maximum or 0)}"
        return f"{w['measure']} «{label}» {bound} {unit}".rstrip()
    if kind == "diagnosis":
        return f"{w['diagnosis']}: «{kb.label('diagnoses', condition.target or '', lang)}»"
    if kind == "subject_kind":
        kinds = [k for k in kb.subject_kinds if condition.kinds and k in condition.kinds]
        return f"{w['subject_kind']} {w['is']} " + _join(
            (kb.label("subject_kinds", k, lang) for k in kinds), lang)
    return kind


def matches(condition: Condition, records: Iterable[FactRecord]) -> list[FactRecord]:
    """The facts that satisfy a positive condition (a `not` is handled by the caller)."""
    kind = condition.kind
    any_target = condition.target in (None, "any")
    found: list[FactRecord] = []
    for record in records:
        data = record.data
        if kind == "indicator" and record.kind == "indicator":
            ok = (any_target or data["id"] == condition.target) and _in(data["rating"],
                  condition.ratings) and _in(data["agreement"], condition.agreements)
        elif kind == "dimension" and record.kind == "dimension":
            ok = (any_target or data["id"] == condition.target) and _in(data["rating"],
                                                                        condition.ratings)
        elif kind == "overall" and record.kind == "overall":
            ok = _in(data["rating"], condition.ratings)
        elif kind == "finding" and record.kind == "finding":
            ok = (data["indicator"] == condition.target
                  and (condition.source is None or data["source"] == condition.source)
                  and _in(data["rating"], condition.ratings))
        elif kind in ("factor", "diagnosis") and record.kind == kind:
            ok = data["id"] == condition.target
        elif kind == "measure" and record.kind == "measure":
            low, high = condition.bounds
            ok = data["id"] == condition.target and low <= data["value"] <= high
        elif kind == "subject_kind" and record.kind == "subject":
            ok = _in(data["kind"], condition.kinds)
        else:
            ok = False
        if ok:
            found.append(record)
    return found


def _in(value: str, allowed: frozenset[str] | None) -> bool:
    return allowed is None or value in allowed
