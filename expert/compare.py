"""Two evaluations side by side: what was entered differently and what came out differently.

:func:`compare` takes each evaluation as its canonical case document (``Case.to_dict()``) and
its typed result, and lists the inputs that changed (findings per source, factors, measures,
the SKP predicate, the subject, notes), the verdicts that changed (overall, dimensions,
indicators, with the direction of the change), and the recommendations added, removed or
given another priority. Labels are in the language of the second result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from expert.case import COMBINED_SOURCE
from expert.i18n import tr
from expert.kb.model import KnowledgeBase
from expert.result import Recommendation, Result

__all__ = ["Comparison", "InputChange", "PriorityChange", "VerdictChange", "compare",
           "comparison_document", "flatten_case"]

SUBJECT_FIELDS = ("name", "kind", "period", "office", "nip", "position", "assessor")


@dataclass(frozen=True)
class InputChange:
    """One entered value that differs; ``None`` on a side means "not entered" there."""

    path: str  # the case path: findings.ability.interview, factors.minimal_training, …
    group: str  # subject | findings | factors | measures | skp | notes
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class VerdictChange:
    kind: str  # overall | dimension | indicator
    id: str
    label: str
    before: str | None  # rating id; None = not assessed
    before_label: str
    after: str | None
    after_label: str
    direction: int  # +1 better, -1 worse, 0 only assessed on one side


@dataclass(frozen=True)
class PriorityChange:
    recommendation: Recommendation  # as in the second evaluation
    before: str
    before_label: str
    after: str
    after_label: str


@dataclass(frozen=True)
class Comparison:
    inputs: tuple[InputChange, ...]
    verdicts: tuple[VerdictChange, ...]
    added: tuple[Recommendation, ...]
    removed: tuple[Recommendation, ...]
    reprioritised: tuple[PriorityChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.inputs or self.verdicts or self.added or self.removed
                    or self.reprioritised)


def flatten_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical case document as case path → entered value."""
    flat: dict[str, Any] = {}
    for key, value in (case.get("subject") or {}).items():
        if value is not None:
            flat[f"subject.{key}"] = value
    for indicator, finding in (case.get("findings") or {}).items():
        if isinstance(finding, Mapping):
            for source, rating in finding.items():
                flat[f"findings.{indicator}.{source}"] = rating
        elif finding is not None:
            flat[f"findings.{indicator}.{COMBINED_SOURCE}"] = finding
    for factor in case.get("factors") or ():
        flat[f"factors.{factor}"] = True
    for measure, value in (case.get("measures") or {}).items():
        flat[f"measures.{measure}"] = value
    if case.get("skp") is not None:
        flat["skp"] = case["skp"]
    notes = case.get("notes")
    if isinstance(notes, Mapping):
        for key, text in notes.items():
            flat[f"notes.{key}"] = text
    elif notes:
        flat["notes.general"] = notes
    return flat


def _order(kb: KnowledgeBase) -> dict[str, int]:
    """A stable reading order of case paths: the form's order."""
    paths = [f"subject.{f}" for f in SUBJECT_FIELDS]
    for indicator in kb.indicators:
        paths += [f"findings.{indicator}.{s}" for s in (*kb.sources, COMBINED_SOURCE)]
    paths += [f"factors.{f}" for f in kb.factors]
    paths += [f"measures.{m}" for m in kb.measures]
    paths += ["skp", "notes.general", *(f"notes.{i}" for i in kb.indicators)]
    return {path: n for n, path in enumerate(paths)}


def describe_path(kb: KnowledgeBase, path: str, lang: str) -> tuple[str, str]:
    """(group, label) of a case path, in words."""
    parts = path.split(".")
    group = parts[0]
    if group == "findings" and len(parts) == 3:
        source = (("Gabungan" if lang == "id" else "Combined") if parts[2] == COMBINED_SOURCE
                  else kb.label("sources", parts[2], lang))
        return group, f"{kb.label('indicators', parts[1], lang)} — {source}"
    if group == "factors":
        return group, kb.label("factors", parts[1], lang)
    if group == "measures":
        return group, kb.label("measures", parts[1], lang)
    if group == "notes":
        if parts[1] == "general":
            return group, "Catatan umum" if lang == "id" else "General notes"
        return group, kb.label("indicators", parts[1], lang)
    if group == "skp":
        return group, "Predikat SKP" if lang == "id" else "SKP predicate"
    subject_words = {
        "id": {"name": "Nama", "kind": "Jenis", "period": "Periode", "office": "Instansi",
               "nip": "NIP", "position": "Jabatan", "assessor": "Penilai"},
        "en": {"name": "Name", "kind": "Kind", "period": "Period", "office": "Office",
               "nip": "NIP", "position": "Position", "assessor": "Assessor"}}
    field = parts[1] if len(parts) > 1 else ""
    return "subject", subject_words.get(lang, subject_words["en"]).get(field, field)


def _value_text(kb: KnowledgeBase, path: str, value: Any, lang: str) -> str | None:
    if value is None:
        return None
    group = path.split(".")[0]
    if group == "findings":
        return kb.label("ratings", str(value), lang)
    if group == "factors":
        return "Dilaporkan" if lang == "id" else "Reported"
    if group == "measures":
        measure = kb.measures.get(path.split(".")[1])
        number = int(value) if float(value).is_integer() else value
        unit = tr(measure.unit, lang) if measure else ""
        text = f"{number} {unit}".strip()
        return text.replace(".", ",") if lang == "id" else text
    if path == "subject.kind":
        return kb.label("subject_kinds", str(value), lang)
    if group == "skp" and hasattr(kb, "skp_predicates"):
        return kb.label("skp_predicates", str(value), lang)
    return str(value)


def _input_changes(kb: KnowledgeBase, before: Mapping[str, Any], after: Mapping[str, Any],
                   lang: str) -> tuple[InputChange, ...]:
    old, new = flatten_case(before), flatten_case(after)
    order = _order(kb)
    paths = sorted(set(old) | set(new), key=lambda p: (order.get(p, len(order)), p))
    changes = []
    for path in paths:
        if old.get(path) == new.get(path):
            continue
        group, label = describe_path(kb, path, lang)
        changes.append(InputChange(path, group, label, _value_text(kb, path, old.get(path), lang),
                                   _value_text(kb, path, new.get(path), lang)))
    return tuple(changes)


def _verdict(kb: KnowledgeBase, kind: str, item_id: str, label: str,
             before: str | None, after: str | None, lang: str,
             not_assessed: str) -> VerdictChange | None:
    if before == after:
        return None
    direction = 0
    if before is not None and after is not None:
        direction = 1 if kb.rating_score(after) > kb.rating_score(before) else -1
    return VerdictChange(
        kind, item_id, label, before,
        kb.label("ratings", before, lang) if before else not_assessed, after,
        kb.label("ratings", after, lang) if after else not_assessed, direction)


def compare(kb: KnowledgeBase, before_case: Mapping[str, Any], before: Result,
            after_case: Mapping[str, Any], after: Result) -> Comparison:
    """What differs from the first evaluation to the second (see the module's docstring)."""
    lang = after.lang
    not_assessed = "Belum dinilai" if lang == "id" else "Not assessed"
    verdicts: list[VerdictChange | None] = [_verdict(
        kb, "overall", "overall", "Penilaian keseluruhan" if lang == "id" else "Overall verdict",
        before.overall.rating, after.overall.rating, lang, not_assessed)]
    for dimension_id in kb.dimensions:
        old_d, new_d = before.dimension(dimension_id), after.dimension(dimension_id)
        verdicts.append(_verdict(kb, "dimension", dimension_id,
                                 kb.label("dimensions", dimension_id, lang),
                                 old_d.rating if old_d else None, new_d.rating if new_d else None,
                                 lang, not_assessed))
    for indicator_id in kb.indicators:
        old_i, new_i = before.indicator(indicator_id), after.indicator(indicator_id)
        verdicts.append(_verdict(kb, "indicator", indicator_id,
                                 kb.label("indicators", indicator_id, lang),
                                 old_i.rating if old_i else None, new_i.rating if new_i else None,
                                 lang, not_assessed))
    old_recs = {r.id: r for r in before.recommendations}
    new_recs = {r.id: r for r in after.recommendations}
    reprioritised = tuple(
        PriorityChange(rec, old_recs[rec.id].priority,
                       kb.label("priorities", old_recs[rec.id].priority, lang),
                       rec.priority, rec.priority_label)
        for rec in after.recommendations
        if rec.id in old_recs and old_recs[rec.id].priority != rec.priority)
    return Comparison(
        inputs=_input_changes(kb, before_case, after_case, lang),
        verdicts=tuple(v for v in verdicts if v is not None),
        added=tuple(r for r in after.recommendations if r.id not in old_recs),
        # a removed recommendation is described in the second result's language
        removed=tuple(_relabel(kb, r, lang) for r in before.recommendations
                      if r.id not in new_recs),
        reprioritised=reprioritised)


def _relabel(kb: KnowledgeBase, rec: Recommendation, lang: str) -> Recommendation:
    if rec.id not in kb.recommendations:
        return rec
    return replace(rec, title=kb.label("recommendations", rec.id, lang),
                   priority_label=kb.label("priorities", rec.priority, lang))


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON data (the CLI's ``--format json`` and the API)."""
    def rec(r: Any) -> dict[str, Any]:
        return {"id": r.id, "title": r.title, "audience": list(r.audience),
                "priority": r.priority, "priority_label": r.priority_label,
                "timeframe": r.timeframe, "timeframe_label": r.timeframe_label}

    return {
        "inputs": [asdict(c) for c in comparison.inputs],
        "verdicts": [asdict(v) for v in comparison.verdicts],
        "added": [{**rec(r), "explanation": asdict(r.explanation)} for r in comparison.added],
        "removed": [rec(r) for r in comparison.removed],
        "reprioritised": [{"id": p.recommendation.id, "title": p.recommendation.title,
                           "before": p.before, "before_label": p.before_label,
                           "after": p.after, "after_label": p.after_label}
                          for p in comparison.reprioritised],
        "unchanged": comparison.unchanged,
    }
