"""The report's view of a stored evaluation: the typed result (:mod:`expert.result`)
rearranged for reading — the verdict table, the action plan with its follow-up, what was
entered, the chart — nothing re-derived."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask

from expert import KnowledgeBase
from expert.i18n import tr
from expert.plan import OPEN_STATUSES, STATUSES, PlanItem, action_plan
from expert.result import FactorInput, IndicatorNote, MeasureInput, Result, read_result
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
    combined_rating: str | None  # the one rating entered without sources
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
class StatusEntry:
    status: str
    on: date
    note: str
    actor: str | None
    at: Any  # datetime (UTC), shown in the display time zone


@dataclass(frozen=True)
class PlanRow:
    item: PlanItem
    status: str  # the current status; "planned" until the head sets one
    history: tuple[StatusEntry, ...]  # newest first

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class MonthSummary:
    """The "this month" summary that opens the report."""

    start: date
    end: date
    due: tuple[PlanRow, ...]  # open items due this month
    overdue: tuple[PlanRow, ...]  # open items whose date has passed
    done: int
    open: int


@dataclass(frozen=True)
class EnteredInputs:
    """What was entered besides the findings (the findings are in the verdict table)."""

    inhibiting: tuple[FactorInput, ...]
    supporting: tuple[FactorInput, ...]
    measures: tuple[MeasureInput, ...]
    skp: str | None
    general_note: str | None
    indicator_notes: tuple[IndicatorNote, ...]


@dataclass(frozen=True)
class Report:
    result: Result
    dimensions: tuple[DimensionRow, ...]
    plan: tuple[PlanRow, ...]
    month: MonthSummary
    inputs: EnteredInputs
    chart: Chart
    counts: tuple[tuple[str, str, int], ...]  # (rating id, label, number of indicators)
    not_given: tuple[tuple[str, str], ...]  # recommendations not given: (id, title)
    citations: Mapping[str, str]
    numbers: Mapping[str, int]  # reference id → its number in the list of references cited
    not_assessed_label: str
    statuses: tuple[str, ...] = STATUSES


def _inputs(kb: KnowledgeBase, result: Result, case: Mapping[str, Any],
            stored_notes: Mapping[str, str], lang: str) -> EnteredInputs:
    """From the result's ``inputs`` (version 2), else from the stored case document."""
    if result.inputs is not None:
        entered = result.inputs
        factors, measures, skp = entered.factors, entered.measures, entered.skp
        general, notes = entered.general_note, entered.indicator_notes
    else:
        factors = tuple(FactorInput(f, kb.label("factors", f, lang), kb.factors[f].kind)
                        for f in case.get("factors") or () if f in kb.factors)
        measures = tuple(MeasureInput(m, kb.label("measures", m, lang), float(v),
                                      tr(kb.measures[m].unit, lang))
                         for m, v in (case.get("measures") or {}).items() if m in kb.measures)
        skp = None
        raw_notes = case.get("notes")
        general = raw_notes if isinstance(raw_notes, str) and raw_notes else None
        notes = ()
    known = {n.id for n in notes}
    notes = tuple(notes) + tuple(  # the form's notes per indicator, stored beside the case
        IndicatorNote(i, kb.label("indicators", i, lang), text)
        for i, text in stored_notes.items() if i not in known and text)
    return EnteredInputs(
        inhibiting=tuple(f for f in factors if f.kind == "inhibiting"),
        supporting=tuple(f for f in factors if f.kind != "inhibiting"),
        measures=measures, skp=skp, general_note=general, indicator_notes=notes)


def _plan(items: Sequence[PlanItem],
          histories: Mapping[str, Sequence[Any]]) -> tuple[PlanRow, ...]:
    rows = []
    for item in items:
        history = tuple(StatusEntry(h.status, h.status_date, h.note, h.actor, h.at)
                        for h in histories.get(item.id, ()))
        rows.append(PlanRow(item, history[0].status if history else STATUSES[0], history))
    return tuple(rows)


def month_summary(plan: Sequence[PlanRow], today: date) -> MonthSummary:
    start = today.replace(day=1)
    next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    end = date.fromordinal(next_month.toordinal() - 1)
    return MonthSummary(
        start=start, end=end,
        due=tuple(r for r in plan if r.open and today <= r.item.due <= end),
        overdue=tuple(r for r in plan if r.open and r.item.due < today),
        done=sum(1 for r in plan if r.status == "done"),
        open=sum(1 for r in plan if r.open))


@dataclass(frozen=True)
class StoredReport:
    """The part of a report that depends on the stored evaluation only (its result, case and
    notes, the language and the knowledge base): computed once per evaluation and language
    and kept (``webui.report_cache``); :func:`with_followup` adds the follow-up."""

    result: Result
    dimensions: tuple[DimensionRow, ...]
    plan_items: tuple[PlanItem, ...]
    inputs: EnteredInputs
    chart: Chart
    counts: tuple[tuple[str, str, int], ...]
    not_given: tuple[tuple[str, str], ...]
    citations: Mapping[str, str]
    numbers: Mapping[str, int]
    not_assessed_label: str


def stored_report(kb: KnowledgeBase, result: Result, notes: Mapping[str, str], lang: str,
                  not_assessed_label: str, *, case: Mapping[str, Any] | None = None,
                  evaluated_on: date | None = None) -> StoredReport:
    case = case or {}
    evaluated_on = evaluated_on or date.today()
    entered = _inputs(kb, result, case, notes, lang)
    indicator_notes = {n.id: n.text for n in entered.indicator_notes}
    combined_ratings = {i: f for i, f in (case.get("findings") or {}).items()
                        if isinstance(f, str)}
    dimensions = []
    for dimension in result.dimensions:
        rows = []
        for indicator_id in dimension.indicators:
            found = result.indicator(indicator_id)
            definition = kb.indicators[indicator_id].definition \
                if indicator_id in kb.indicators else {}
            label = found.label if found else kb.label("indicators", indicator_id, lang)
            sources: list[tuple[str, str | None, str]] = []
            for source in kb.sources:
                rating = found.sources.get(source) if found else None
                sources.append((source, rating, kb.label("ratings", rating, lang) if rating
                                else not_assessed_label))
            rows.append(IndicatorRow(
                id=indicator_id, label=label, definition=tr(definition, lang),
                rating=found.rating if found else None,
                rating_label=found.rating_label if found else not_assessed_label,
                agreement=found.agreement if found else None,
                agreement_label=found.agreement_label if found else "",
                sources=tuple(sources), combined=found is not None and found.combined,
                combined_rating=combined_ratings.get(indicator_id),
                note=indicator_notes.get(indicator_id, "")))
        dimensions.append(DimensionRow(
            id=dimension.id, label=dimension.label, rating=dimension.rating,
            rating_label=dimension.rating_label, score=dimension.score, indicators=tuple(rows)))
    given = {r.id for r in result.recommendations}
    not_given = tuple(sorted(((r, kb.label("recommendations", r, lang))
                              for r in kb.recommendations if r not in given),
                             key=lambda item: item[1].casefold()))
    counts = tuple((rating, kb.label("ratings", rating, lang),
                    sum(1 for i in result.indicators if i.rating == rating))
                   for rating in kb.ratings)
    citations = {ref_id: ref.citation for ref_id, ref in kb.references.items()}
    citations.update({r.id: r.citation for r in result.references})
    numbers = {r.id: n for n, r in enumerate(result.references, start=1)}
    scale = [(float(term.score), kb.label("ratings", rating, lang))
             for rating, term in kb.ratings.items() if term.score is not None]
    aggregation = kb.rule_of_kind("dimension_aggregation")
    bands = aggregation.policy.get("bands", ()) if aggregation else ()
    thresholds = [(float(b["min_score"]), kb.label("ratings", b["rating"], lang))
                  for b in bands if b.get("min_score") is not None]
    chart = dimension_chart([{"id": d.id, "label": d.label, "rating": d.rating,
                              "rating_label": d.rating_label, "score": d.score}
                             for d in result.dimensions], scale, thresholds)
    return StoredReport(
        result=result, dimensions=tuple(dimensions),
        plan_items=tuple(action_plan(kb, result, evaluated_on)), inputs=entered, chart=chart,
        counts=counts, not_given=not_given, citations=citations, numbers=numbers,
        not_assessed_label=not_assessed_label)


def with_followup(stored: StoredReport, histories: Mapping[str, Sequence[Any]],
                  today: date) -> Report:
    """The full report: the stored part with each plan item's status history and the month's
    summary as of ``today``."""
    plan = _plan(stored.plan_items, histories)
    return Report(result=stored.result, dimensions=stored.dimensions, plan=plan,
                  month=month_summary(plan, today), inputs=stored.inputs, chart=stored.chart,
                  counts=stored.counts, not_given=stored.not_given,
                  citations=stored.citations, numbers=stored.numbers,
                  not_assessed_label=stored.not_assessed_label)


def build_report(kb: KnowledgeBase, result: Result, notes: Mapping[str, str], lang: str,
                 not_assessed_label: str, *, case: Mapping[str, Any] | None = None,
                 evaluated_on: date | None = None, today: date | None = None,
                 histories: Mapping[str, Sequence[Any]] | None = None) -> Report:
    return with_followup(
        stored_report(kb, result, notes, lang, not_assessed_label, case=case,
                      evaluated_on=evaluated_on),
        histories or {}, today or date.today())


def fact_label(kb: KnowledgeBase, key: str | None, lang: str,
               case: Mapping[str, Any] | None = None) -> str:
    """A fact key or case path in words: 'indicator:ability' → the indicator's label;
    'factors[1]' → the label of the case's second factor."""
    if not key:
        return ""
    if key.startswith("factors[") and key.endswith("]") and case is not None:
        index = key[len("factors["):-1]
        factors = case.get("factors") or ()
        if index.isdigit() and int(index) < len(factors):
            return kb.label("factors", str(factors[int(index)]), lang)
    if key.startswith("measures."):
        return kb.label("measures", key.split(".", 1)[1], lang)
    if key in ("subject.kind", "subject"):
        return "Jenis subjek" if lang == "id" else "Kind of subject"
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

    def label_fact(key: str | None, case: Mapping[str, Any] | None = None) -> str:
        return fact_label(knowledge_base(), key, get_lang(), case)

    def label_indicator(indicator: str) -> str:
        return knowledge_base().label("indicators", indicator, get_lang())

    def fragment(_name: str, caller: Callable[[], str]) -> str:
        """``{% call fragment(name) %}``: rendered as is; the report page passes its own,
        which keeps the HTML (``webui.report_cache``)."""
        return caller()

    app.jinja_env.filters.update(fact_label=label_fact, indicator_label=label_indicator)
    app.jinja_env.globals.update(fact_label=label_fact, fragment=fragment)


def evaluation_result(evaluation: Any, lang: str) -> Result:
    """The typed result of a stored evaluation in ``lang``."""
    return read_result(evaluation.result_in(lang))


@dataclass(frozen=True)
class CitationIndex:
    """What the explanation macros need outside a full report: every citation by id."""

    citations: Mapping[str, str]
    numbers: Mapping[str, int]


def citation_index(kb: KnowledgeBase) -> CitationIndex:
    return CitationIndex({ref_id: ref.citation for ref_id, ref in kb.references.items()}, {})
