"""The result of one consultation and its JSON form (the case-format output contract)."""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from expert.case import COMBINED_SOURCE, Case
from expert.errors import UnknownTargetError
from expert.explain import Explainer, describe_fact
from expert.i18n import DEFAULT_LANGUAGE, tr
from expert.kb.model import KnowledgeBase
from expert.trace import FactRecord, Trace


class Evaluation(Struct):
    kb: KnowledgeBase
    case: Case
    trace: Trace
    _explainers: dict[str, Explainer] = field(default_factory=dict)

    # -- plain results -----------------------------------------------------------------------
    def record(self, key: str) -> FactRecord | None:
        return self.trace.records.get(key)

    @property
    def overall(self) -> str | None:
        record = self.record("overall")
        return record.data["rating"] if record else None

    def indicator_rating(self, indicator: str) -> str | None:
        record = self.record(f"indicator:{indicator}")
        return record.data["rating"] if record else None

    def dimension_rating(self, dimension: str) -> str | None:
        record = self.record(f"dimension:{dimension}")
        return record.data["rating"] if record else None

    @property
    def not_assessed(self) -> list[str]:
        return [i for i in self.kb.indicators if self.record(f"indicator:{i}") is None]

    @property
    def diagnosis_ids(self) -> list[str]:
        return [r.data["id"] for r in self.trace.of_kind("diagnosis")]

    def recommendation_priority(self, record: FactRecord) -> str:
        """The most urgent priority any firing rule gave the recommendation."""
        priorities = [f.priority for f in record.derivations if f.priority]
        return min(priorities, key=self.kb.priority_rank)

    @property
    def recommendation_ids(self) -> list[str]:
        """Recommendations in order: priority, then checking the evidence before acting on it
        (topic ``evidence``), then the order they were concluded."""
        records = self.trace.of_kind("recommendation")

        def checks_evidence(record: FactRecord) -> int:
            return 0 if "evidence" in self.kb.recommendations[record.data["id"]].topics else 1

        records.sort(key=lambda r: (self.kb.priority_rank(self.recommendation_priority(r)),
                                    checks_evidence(r), r.derivations[0].seq))
        return [r.data["id"] for r in records]

    @property
    def fired_rule_ids(self) -> list[str]:
        return [f.rule for f in self.trace.firings]

    def explainer(self, lang: str) -> Explainer:
        if lang not in self._explainers:
            self._explainers[lang] = Explainer(self.kb, self.trace, lang)
        return self._explainers[lang]

    # -- explanations ------------------------------------------------------------------------
    def explain(self, target: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """HOW for a reached conclusion; WHY-NOT for a diagnosis or recommendation not reached.

        ``target`` is a recommendation, diagnosis, indicator or dimension id, or ``overall``.
        """
        kb = self.kb
        explainer = self.explainer(lang)
        for kind, table in (("recommendation", kb.recommendations), ("diagnosis", kb.diagnoses),
                            ("indicator", kb.indicators), ("dimension", kb.dimensions)):
            if target in table:
                key = f"{kind}:{target}"
                break
        else:
            if target != "overall":
                allowed = ["overall", *kb.recommendations, *kb.diagnoses, *kb.indicators,
                           *kb.dimensions]
                raise UnknownTargetError(target, allowed)
            kind, key = "overall", "overall"
        record = self.record(key)
        if record is not None:
            return {"target": target, "kind": kind, "reached": True,
                    "text": describe_fact(kb, record, lang),
                    "explanation": explainer.how(key),
                    "support": explainer.all_derivations(key)[1:]}
        if kind in ("diagnosis", "recommendation"):
            return explainer.why_not(kind, target)
        return {"target": target, "kind": kind, "reached": False, "rules": [],
                "not_assessed": True}

    # -- the output contract -----------------------------------------------------------------
    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        kb = self.kb
        explainer = self.explainer(lang)
        overall = self.record("overall")
        indicators = []
        for indicator_id in kb.indicators:
            record = self.record(f"indicator:{indicator_id}")
            if record is None:
                continue
            d = record.data
            indicators.append({
                "id": indicator_id, "dimension": d["dimension"], "rating": d["rating"],
                "agreement": d["agreement"],
                # sources as the case-format names them; a shorthand rating is `combined`
                "sources": {s: r for s, r in d["sources"].items() if s != COMBINED_SOURCE},
                "combined": COMBINED_SOURCE in d["sources"],
                "label": kb.label("indicators", indicator_id, lang),
                "rating_label": kb.label("ratings", d["rating"], lang),
                "agreement_label": kb.label("agreements", d["agreement"], lang),
            })
        dimensions = []
        for dimension_id in kb.dimensions:
            record = self.record(f"dimension:{dimension_id}")
            dimensions.append({
                "id": dimension_id, "label": kb.label("dimensions", dimension_id, lang),
                "rating": record.data["rating"] if record else None,
                "rating_label": kb.label("ratings", record.data["rating"], lang) if record
                else _not_assessed_label(lang),
                "score": record.data["score"] if record else None,
                "indicators": [i.id for i in kb.indicators_of(dimension_id)],
            })
        diagnoses = []
        for record in self.trace.of_kind("diagnosis"):
            diagnosis = kb.diagnoses[record.data["id"]]
            diagnoses.append({
                "id": diagnosis.id, "title": tr(diagnosis.title, lang),
                "description": tr(diagnosis.description, lang),
                "explanation": explainer.how(record.key),
            })
        recommendations = []
        recommendation_ids = self.recommendation_ids
        for rec_id in recommendation_ids:
            record = self.trace.records[f"recommendation:{rec_id}"]
            rec = kb.recommendations[rec_id]
            priority = self.recommendation_priority(record)
            derivations = explainer.all_derivations(record.key)
            recommendations.append({
                "id": rec.id, "title": tr(rec.title, lang),
                "description": tr(rec.description, lang), "audience": list(rec.audience),
                "topics": list(rec.topics), "priority": priority,
                "priority_label": kb.label("priorities", priority, lang),
                "timeframe": rec.timeframe,
                "timeframe_label": kb.label("timeframes", rec.timeframe, lang),
                "monitor": {"indicator": rec.monitor.indicator, "measure": rec.monitor.measure,
                            "dimension": rec.monitor.dimension, "scope": rec.monitor.scope,
                            "target": tr(rec.monitor.target, lang)},
                "references": list(rec.references),
                **self._evidence(rec.references, record, lang),
                "explanation": derivations[0], "support": derivations[1:],
            })
        cited = sorted({ref for f in self.trace.firings for ref in kb.rules[f.rule].references}
                       | {ref for rec_id in recommendation_ids
                          for ref in kb.recommendations[rec_id].references})
        subject: dict[str, Any] = {
            "name": self.case.subject_name, "kind": self.case.subject_kind,
            "period": self.case.period,
            "kind_label": kb.label("subject_kinds", self.case.subject_kind, lang)}
        for key in ("office", "nip", "position", "assessor"):
            if getattr(self.case, key) is not None:
                subject[key] = getattr(self.case, key)
        coverage = self.coverage
        return {
            "subject": subject,
            "lang": lang,
            "overall": {
                "rating": overall.data["rating"] if overall else None,
                "label": kb.label("ratings", overall.data["rating"], lang) if overall
                else _not_assessed_label(lang),
                "score": overall.data["score"] if overall else None,
                "provisional": overall is not None and not coverage["sufficient"],
            },
            "coverage": coverage,
            "inputs": self.inputs(lang),
            "dimensions": dimensions,
            "indicators": indicators,
            "not_assessed": self.not_assessed,
            "diagnoses": diagnoses,
            "recommendations": recommendations,
            "fired_rules": [
                {"seq": f.seq, "rule": f.rule, "title": tr(kb.rules[f.rule].title, lang),
                 "facts": [self._premise_name(k) for k in f.premises],
                 "concludes": f.conclusion,
                 "concludes_text": describe_fact(kb, self.trace.records[f.conclusion], lang)}
                for f in self.trace.firings
            ],
            "references": [
                {"id": ref, "citation": kb.references[ref].citation,
                 "kind": kb.references[ref].kind, "evidence": kb.references[ref].evidence}
                for ref in cited
            ],
            "knowledge_base": {"version": kb.version, "rules": len(kb.rules)},
        }

    @property
    def coverage(self) -> dict[str, Any]:
        """How much of the model was assessed, against the knowledge base's minimum."""
        record = self.record("assessment")
        data = record.data if record else {}
        return {"assessed": data.get("assessed", len(self.case.assessed_indicators())),
                "total": data.get("total", len(self.kb.indicators)),
                "sufficient": bool(data.get("sufficient", False)),
                "min_share": data.get("min_share"),
                "every_dimension": data.get("every_dimension"),
                "single_source": data.get("single_source")}

    def inputs(self, lang: str) -> dict[str, Any]:
        """The factors, measures, SKP predicate and notes as understood, with their labels."""
        kb, case = self.kb, self.case
        factors = [{"id": f, "label": kb.label("factors", f, lang),
                    "kind": kb.factors[f].kind} for f in case.factors]
        measures = []
        for measure_id, value in case.measures.items():
            measure = kb.measures[measure_id]
            measures.append({"id": measure_id, "value": _plain(value),
                             "label": kb.label("measures", measure_id, lang),
                             "unit": tr(measure.unit, lang)})
        skp = ({"id": case.skp, "label": kb.label("skp_predicates", case.skp, lang)}
               if case.skp is not None else None)
        notes = {"general": case.notes,
                 "indicators": [{"id": i, "label": kb.label("indicators", i, lang), "text": t}
                                for i, t in case.indicator_notes.items()]}
        return {"factors": factors, "measures": measures, "skp": skp, "notes": notes}

    def _evidence(self, own: tuple[str, ...], record: FactRecord, lang: str) -> dict[str, Any]:
        """The evidence level of what a recommendation rests on (its references and those of
        the rules that concluded it), and the caveat when any of it is secondary."""
        cited = dict.fromkeys([*own, *(ref for firing in record.derivations
                                       for ref in self.kb.rules[firing.rule].references)])
        secondary = [ref for ref in cited if self.kb.references[ref].evidence == "secondary"]
        caveat = None
        if secondary:
            caveat = (SECONDARY_CAVEAT[lang if lang in SECONDARY_CAVEAT else "en"]
                      .format(refs=", ".join(secondary)))
        return {"evidence": "secondary" if secondary else "primary",
                "secondary_references": secondary, "caveat": caveat}

    def _premise_name(self, key: str) -> str:
        """Inputs by their case path, conclusions by their key."""
        record = self.trace.records[key]
        return record.path if record.path is not None else key


SECONDARY_CAVEAT = {
    "id": "Sebagian dasar saran ini berasal dari sumber sekunder ({refs}); cocokkan dengan naskah "
          "aslinya sebelum bertindak.",
    "en": "Part of this advice rests on secondary sources ({refs}); check them against the "
          "original text before acting.",
}


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _not_assessed_label(lang: str) -> str:
    return "Belum dinilai" if lang == "id" else "Not assessed"
