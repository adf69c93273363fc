"""A typed view of an evaluation's JSON document (the case-format output contract).

The web report, the action plan, the comparison and WHAT-IF read evaluations through these
classes instead of string keys, so a renamed output field fails in mypy and in one place
(:func:`read_result`) rather than in front of a department head. Documents written before the
version-2 additions (no ``coverage``, ``inputs``, ``overall.provisional``) read with those
parts empty, so evaluations stored by older releases still display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Coverage", "Diagnosis", "DimensionResult", "FactorInput", "FiredRule", "HowNode",
    "IndicatorNote", "IndicatorResult", "Inputs", "MeasureInput", "Monitor", "Overall",
    "Premise", "Recommendation", "Reference", "Result", "Subject", "read_result",
]


@dataclass(frozen=True)
class Subject:
    name: str
    kind: str
    kind_label: str
    period: str | None
    office: str | None = None
    nip: str | None = None
    position: str | None = None
    assessor: str | None = None


@dataclass(frozen=True)
class Overall:
    rating: str | None
    label: str
    score: float | None
    provisional: bool


@dataclass(frozen=True)
class Coverage:
    assessed: int
    total: int
    sufficient: bool


@dataclass(frozen=True)
class DimensionResult:
    id: str
    label: str
    rating: str | None
    rating_label: str
    score: float | None
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    dimension: str
    label: str
    rating: str
    rating_label: str
    agreement: str
    agreement_label: str
    sources: Mapping[str, str]  # evidence source id → rating (empty when combined)
    combined: bool


@dataclass(frozen=True)
class Premise:
    """A fact a rule matched: an input (with its case path) or a conclusion with its tree."""

    type: str
    text: str
    input: bool
    fact: str | None = None
    path: str | None = None
    id: str | None = None
    rating: str | None = None
    agreement: str | None = None
    indicator: str | None = None
    source: str | None = None
    kind: str | None = None
    value: float | None = None
    explanation: HowNode | None = None


@dataclass(frozen=True)
class HowNode:
    """One firing in a derivation tree (HOW)."""

    rule: str
    title: str
    seq: int
    because: str
    references: tuple[str, ...]
    premises: tuple[Premise, ...]


@dataclass(frozen=True)
class Diagnosis:
    id: str
    title: str
    description: str
    explanation: HowNode


@dataclass(frozen=True)
class Monitor:
    indicator: str | None
    measure: str | None
    target: str


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    description: str
    audience: tuple[str, ...]
    topics: tuple[str, ...]
    priority: str
    priority_label: str
    timeframe: str
    timeframe_label: str
    monitor: Monitor
    references: tuple[str, ...]
    explanation: HowNode
    support: tuple[HowNode, ...]
    caveat: str | None = None
    secondary_references: tuple[str, ...] = ()  # the secondary sources the caveat is about


@dataclass(frozen=True)
class FiredRule:
    seq: int
    rule: str
    title: str
    facts: tuple[str, ...]
    concludes: str
    concludes_text: str


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str
    kind: str
    evidence: str


@dataclass(frozen=True)
class FactorInput:
    id: str
    label: str
    kind: str  # inhibiting | supporting


@dataclass(frozen=True)
class MeasureInput:
    id: str
    label: str
    value: float
    unit: str


@dataclass(frozen=True)
class IndicatorNote:
    id: str
    label: str
    text: str


@dataclass(frozen=True)
class Inputs:
    """What was entered besides the findings, as the engine understood it."""

    factors: tuple[FactorInput, ...]
    measures: tuple[MeasureInput, ...]
    skp: str | None  # the SKP predicate's label
    general_note: str | None
    indicator_notes: tuple[IndicatorNote, ...]


@dataclass(frozen=True)
class Result:
    lang: str
    subject: Subject
    overall: Overall
    coverage: Coverage
    inputs: Inputs | None  # None in documents written before version 2
    dimensions: tuple[DimensionResult, ...]
    indicators: tuple[IndicatorResult, ...]
    not_assessed: tuple[str, ...]
    diagnoses: tuple[Diagnosis, ...]
    recommendations: tuple[Recommendation, ...]
    fired_rules: tuple[FiredRule, ...]
    references: tuple[Reference, ...]
    kb_version: str

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def dimension(self, dimension_id: str) -> DimensionResult | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def recommendation(self, recommendation_id: str) -> Recommendation | None:
        return next((r for r in self.recommendations if r.id == recommendation_id), None)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _premise(data: Mapping[str, Any]) -> Premise:
    explanation = data.get("explanation")
    value = data.get("value")
    return Premise(
        type=str(data["type"]), text=str(data.get("text", "")), input=bool(data.get("input")),
        fact=_opt_str(data.get("fact")), path=_opt_str(data.get("path")),
        id=_opt_str(data.get("id")), rating=_opt_str(data.get("rating")),
        agreement=_opt_str(data.get("agreement")), indicator=_opt_str(data.get("indicator")),
        source=_opt_str(data.get("source")), kind=_opt_str(data.get("kind")),
        value=_opt_float(value) if isinstance(value, int | float) else None,
        explanation=_how(explanation) if isinstance(explanation, Mapping) else None)


def _how(data: Mapping[str, Any]) -> HowNode:
    return HowNode(rule=str(data["rule"]), title=str(data["title"]), seq=int(data["seq"]),
                   because=str(data.get("because") or ""),
                   references=tuple(data.get("references") or ()),
                   premises=tuple(_premise(p) for p in data.get("premises") or ()))


def _inputs(data: Mapping[str, Any] | None) -> Inputs | None:
    if not isinstance(data, Mapping):
        return None
    notes = data.get("notes") or {}
    skp = data.get("skp")
    return Inputs(
        factors=tuple(FactorInput(str(f["id"]), str(f["label"]), str(f["kind"]))
                      for f in data.get("factors") or ()),
        measures=tuple(MeasureInput(str(m["id"]), str(m["label"]), float(m["value"]),
                                    str(m.get("unit") or ""))
                       for m in data.get("measures") or ()),
        skp=str(skp["label"]) if isinstance(skp, Mapping) else None,
        general_note=_opt_str(notes.get("general")),
        indicator_notes=tuple(IndicatorNote(str(n["id"]), str(n["label"]), str(n["text"]))
                              for n in notes.get("indicators") or ()))


def read_result(data: Mapping[str, Any]) -> Result:
    """The typed view of one evaluation document (``Evaluation.to_dict(lang)``)."""
    subject = data["subject"]
    overall = data["overall"]
    indicators = tuple(
        IndicatorResult(
            id=str(i["id"]), dimension=str(i["dimension"]), label=str(i["label"]),
            rating=str(i["rating"]), rating_label=str(i["rating_label"]),
            agreement=str(i["agreement"]), agreement_label=str(i["agreement_label"]),
            sources=dict(i.get("sources") or {}), combined=bool(i.get("combined")))
        for i in data["indicators"])
    coverage = data.get("coverage") or {}
    total = sum(len(d["indicators"]) for d in data["dimensions"])
    return Result(
        lang=str(data.get("lang", "id")),
        subject=Subject(
            name=str(subject["name"]), kind=str(subject["kind"]),
            kind_label=str(subject.get("kind_label") or subject["kind"]),
            period=_opt_str(subject.get("period")), office=_opt_str(subject.get("office")),
            nip=_opt_str(subject.get("nip")), position=_opt_str(subject.get("position")),
            assessor=_opt_str(subject.get("assessor"))),
        overall=Overall(rating=_opt_str(overall.get("rating")), label=str(overall["label"]),
                        score=_opt_float(overall.get("score")),
                        provisional=bool(overall.get("provisional", False))),
        coverage=Coverage(assessed=int(coverage.get("assessed", len(indicators))),
                          total=int(coverage.get("total", total)),
                          sufficient=bool(coverage.get("sufficient", True))),
        inputs=_inputs(data.get("inputs")),
        dimensions=tuple(
            DimensionResult(id=str(d["id"]), label=str(d["label"]),
                            rating=_opt_str(d.get("rating")), rating_label=str(d["rating_label"]),
                            score=_opt_float(d.get("score")),
                            indicators=tuple(d.get("indicators") or ()))
            for d in data["dimensions"]),
        indicators=indicators,
        not_assessed=tuple(data.get("not_assessed") or ()),
        diagnoses=tuple(Diagnosis(id=str(d["id"]), title=str(d["title"]),
                                  description=str(d.get("description") or ""),
                                  explanation=_how(d["explanation"]))
                        for d in data.get("diagnoses") or ()),
        recommendations=tuple(
            Recommendation(
                id=str(r["id"]), title=str(r["title"]), description=str(r.get("description") or ""),
                audience=tuple(r["audience"]), topics=tuple(r.get("topics") or ()),
                priority=str(r["priority"]), priority_label=str(r.get("priority_label") or
                                                                r["priority"]),
                timeframe=str(r.get("timeframe") or ""),
                timeframe_label=str(r.get("timeframe_label") or r.get("timeframe") or ""),
                monitor=Monitor(indicator=_opt_str((r.get("monitor") or {}).get("indicator")),
                                measure=_opt_str((r.get("monitor") or {}).get("measure")),
                                target=str((r.get("monitor") or {}).get("target") or "")),
                references=tuple(r.get("references") or ()),
                explanation=_how(r["explanation"]),
                support=tuple(_how(s) for s in r.get("support") or ()),
                caveat=_opt_str(r.get("caveat")),
                secondary_references=tuple(r.get("secondary_references") or ()))
            for r in data.get("recommendations") or ()),
        fired_rules=tuple(
            FiredRule(seq=int(f["seq"]), rule=str(f["rule"]), title=str(f.get("title") or ""),
                      facts=tuple(f.get("facts") or ()), concludes=str(f.get("concludes") or ""),
                      concludes_text=str(f.get("concludes_text") or ""))
            for f in data.get("fired_rules") or ()),
        references=tuple(Reference(id=str(r["id"]), citation=str(r["citation"]),
                                   kind=str(r.get("kind") or ""),
                                   evidence=str(r.get("evidence") or ""))
                         for r in data.get("references") or ()),
        kb_version=str((data.get("knowledge_base") or {}).get("version", "")))
