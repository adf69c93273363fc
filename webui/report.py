"""The result page's view of a stored evaluation: the result JSON rearranged for reading
(verdict table, recommendations by audience, the chart), nothing re-derived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from expert import KnowledgeBase
from expert.i18n import tr
from webui.charts import Chart, dimension_chart
from webui.expert_ext import knowledge_base
from webui.i18n import get_lang


@dataclass(frozen=True)
class IndicatorRow:
    id: str
    label: str
    definition: str
    rating: str | None
    rating_label: str
    agreement: str | None
    agreement_label: str
    sources: tuple[tuple[str, str | None, str], ...]  # (source id, rating, rating label)
    combined: bool
    note: str


@dataclass(frozen=True)
class DimensionRow:
    id: str
    label: str
    rating: str | None
    rating_label: str
    score: float | None
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class AudienceGroup:
    id: str
    label: str
    recommendations: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Report:
    result: Mapping[str, Any]
    dimensions: tuple[DimensionRow, ...]
    groups: tuple[AudienceGroup, ...]
    chart: Chart
    counts: tuple[tuple[str, str, int], ...]  # (rating id, label, number of indicators)
    not_given: tuple[tuple[str, str], ...]  # recommendations not given: (id, title)
    citations: Mapping[str, str]
    numbers: Mapping[str, int]  # reference id → its number in the list of references cited
    first_group: Mapping[str, str]  # recommendation id → the audience it is explained under
    not_assessed_label: str


def build_report(kb: KnowledgeBase, result: Mapping[str, Any], notes: Mapping[str, str],
                 lang: str, not_assessed_label: str) -> Report:
    indicators = {i["id"]: i for i in result["indicators"]}
    dimensions = []
    for dimension in result["dimensions"]:
        rows = []
        for indicator_id in dimension["indicators"]:
            found = indicators.get(indicator_id)
            definition = kb.indicators[indicator_id].definition \
                if indicator_id in kb.indicators else {}
            label = found["label"] if found else kb.label("indicators", indicator_id, lang)
            sources: list[tuple[str, str | None, str]] = []
            combined = found is not None and found["combined"]
            for source in kb.sources:
                rating = found["sources"].get(source) if found else None
                sources.append((source, rating, kb.label("ratings", rating, lang) if rating
                                else not_assessed_label))
            rows.append(IndicatorRow(
                id=indicator_id, label=label, definition=tr(definition, lang),
                rating=found["rating"] if found else None,
                rating_label=found["rating_label"] if found else not_assessed_label,
                agreement=found["agreement"] if found else None,
                agreement_label=found["agreement_label"] if found else "",
                sources=tuple(sources), combined=combined, note=notes.get(indicator_id, "")))
        dimensions.append(DimensionRow(
            id=dimension["id"], label=dimension["label"], rating=dimension["rating"],
            rating_label=dimension["rating_label"], score=dimension.get("score"),
            indicators=tuple(rows)))
    groups = []
    first_group: dict[str, str] = {}
    for audience in kb.audiences:
        items = tuple(r for r in result["recommendations"] if audience in r["audience"])
        if items:
            groups.append(AudienceGroup(audience, kb.label("audiences", audience, lang), items))
            for item in items:
                first_group.setdefault(item["id"], audience)
    given = {r["id"] for r in result["recommendations"]}
    not_given = tuple(sorted(((r, kb.label("recommendations", r, lang))
                              for r in kb.recommendations if r not in given),
                             key=lambda item: item[1].casefold()))
    counts = tuple((rating, kb.label("ratings", rating, lang),
                    sum(1 for i in result["indicators"] if i["rating"] == rating))
                   for rating in kb.ratings)
    citations = {ref_id: ref.citation for ref_id, ref in kb.references.items()}
    citations.update({r["id"]: r["citation"] for r in result.get("references", ())})
    numbers = {r["id"]: n for n, r in enumerate(result.get("references", ()), start=1)}
    scale = [(float(term.score), kb.label("ratings", rating, lang))
             for rating, term in kb.ratings.items() if term.score is not None]
    aggregation = kb.rule_of_kind("dimension_aggregation")
    bands = aggregation.policy.get("bands", ()) if aggregation else ()
    thresholds = [(float(b["min_score"]), kb.label("ratings", b["rating"], lang))
                  for b in bands if b.get("min_score") is not None]
    chart = dimension_chart(result["dimensions"], scale, thresholds)
    return Report(result=result, dimensions=tuple(dimensions), groups=tuple(groups),
                  chart=chart, counts=counts, not_given=not_given, citations=citations,
                  numbers=numbers, first_group=first_group,
                  not_assessed_label=not_assessed_label)


def fact_label(kb: KnowledgeBase, key: str | None, lang: str) -> str:
    """A fact key or case path in words: 'indicator:ability' → the indicator's label."""
    if not key:
        return ""
    kind, _, item = key.partition(":")
    tables = {"indicator": "indicators", "dimension": "dimensions", "diagnosis": "diagnoses",
              "recommendation": "recommendations", "factor": "factors", "measure": "measures"}
    if item and kind in tables:
        return kb.label(tables[kind], item, lang)
    if key == "overall":
        return "Penilaian keseluruhan" if lang == "id" else "Overall verdict"
    if key.startswith("findings."):
        parts = key.split(".")
        text = kb.label("indicators", parts[1], lang)
        if len(parts) > 2:
            text += " — " + kb.label("sources", parts[2], lang)
        return text
    return key


def init_app(app: Flask) -> None:
    """Template helpers that name facts in the request's language."""

    def label_fact(key: str | None) -> str:
        return fact_label(knowledge_base(), key, get_lang())

    def label_indicator(indicator: str) -> str:
        return knowledge_base().label("indicators", indicator, get_lang())

    app.jinja_env.filters.update(fact_label=label_fact, indicator_label=label_indicator)
    app.jinja_env.globals.update(fact_label=label_fact)
