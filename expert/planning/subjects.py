"""What the needs analysis knows of one assessment: who, where, when, which gaps were
diagnosed and by which rules, and the lesson hours.

Built from a live :class:`~expert.evaluation.Evaluation` (the CLI) or from a stored result in
the JSON output contract (the web, which never re-runs the engine to plan), so both give the
same analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from expert.evaluation import Evaluation

__all__ = ["AssessedSubject", "subject_from_evaluation", "subject_from_result"]

TRAINING_HOURS = "training_hours_last_year"
STAFF_BELOW = "staff_below_minimum_training"


@dataclass(frozen=True)
class AssessedSubject:
    ref: str  # how a reader finds the assessment again: "penilaian 12", "kasus.xlsx baris 5"
    name: str
    kind: str  # unit | group | employee
    period: str | None = None
    office: str | None = None
    nip: str | None = None
    position: str | None = None
    overall: str | None = None
    # diagnosis id -> the rules that concluded it in this assessment
    diagnoses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # recommendation id -> the priority the rules gave it
    recommendations: Mapping[str, str] = field(default_factory=dict)
    measures: Mapping[str, float] = field(default_factory=dict)
    key: str | None = None  # an id the caller can link to (the web's assessment id)

    @property
    def unit(self) -> str:
        """The unit the heat map and the JP table group by: the office when named, else the
        subject itself (a unit is its own office)."""
        return self.office or self.name

    @property
    def training_hours(self) -> float | None:
        return self.measures.get(TRAINING_HOURS)

    @property
    def staff_below_minimum(self) -> float | None:
        return self.measures.get(STAFF_BELOW)


def subject_from_evaluation(ref: str, evaluation: Evaluation,
                            key: str | None = None) -> AssessedSubject:
    case = evaluation.case
    diagnoses: dict[str, tuple[str, ...]] = {}
    for record in evaluation.trace.of_kind("diagnosis"):
        diagnoses[record.data["id"]] = tuple(dict.fromkeys(f.rule for f in record.derivations))
    recommendations = {}
    for record in evaluation.trace.of_kind("recommendation"):
        recommendations[record.data["id"]] = evaluation.recommendation_priority(record)
    return AssessedSubject(
        ref=ref, name=case.subject_name, kind=case.subject_kind, period=case.period,
        office=getattr(case, "office", None), nip=getattr(case, "nip", None),
        position=getattr(case, "position", None), overall=evaluation.overall,
        diagnoses=diagnoses, recommendations=recommendations, measures=dict(case.measures),
        key=key)


def subject_from_result(ref: str, case: Mapping[str, Any], result: Mapping[str, Any],
                        key: str | None = None) -> AssessedSubject:
    """From a stored case document (``Case.to_dict()``) and its result (the output contract)."""
    subject = case.get("subject", {}) or {}
    rules: dict[str, list[str]] = {}
    for firing in result.get("fired_rules", []):
        concludes = str(firing.get("concludes") or "")
        if concludes.startswith("diagnosis:"):
            rules.setdefault(concludes.split(":", 1)[1], []).append(str(firing.get("rule")))
    diagnoses = {}
    for item in result.get("diagnoses", []):
        found = rules.get(item["id"]) or [item.get("explanation", {}).get("rule", "")]
        diagnoses[item["id"]] = tuple(dict.fromkeys(r for r in found if r))
    recommendations = {item["id"]: item.get("priority", "") for item in
                       result.get("recommendations", [])}
    measures = {k: float(v) for k, v in (case.get("measures") or {}).items()
                if isinstance(v, int | float) and not isinstance(v, bool)}
    overall = (result.get("overall") or {}).get("rating")
    return AssessedSubject(
        ref=ref, name=str(subject.get("name", "")), kind=str(subject.get("kind", "unit")),
        period=_text(subject.get("period")), office=_text(subject.get("office")),
        nip=_text(subject.get("nip")), position=_text(subject.get("position")),
        overall=overall, diagnoses=diagnoses, recommendations=recommendations,
        measures=measures, key=key)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
