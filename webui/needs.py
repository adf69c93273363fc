"""The needs analysis over stored assessments: each visible assessment's latest evaluation as
an :class:`~expert.planning.AssessedSubject`, read from the needs-summary cache (written the
first time an evaluation is analysed), so a page over a thousand assessments parses no result.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from expert.planning import AssessedSubject, subject_from_result
from webui.auth import visible_assessments
from webui.db import Assessment, Evaluation, db
from webui.db.accounts import Office
from webui.db.training import NeedsSummary
from webui.db.transaction import writing

__all__ = ["stored_subjects", "summary_of"]

_KEPT = ("name", "kind", "period", "office", "nip", "position", "overall", "diagnoses",
         "recommendations", "measures")


def summary_of(evaluation: Evaluation) -> dict[str, Any]:
    subject = subject_from_result("", evaluation.case, evaluation.result_in("id"))
    data = asdict(subject)
    return {key: data[key] for key in _KEPT}


def _subject(assessment_id: int, office: str | None, data: dict[str, Any]) -> AssessedSubject:
    fields = dict(data)
    fields["diagnoses"] = {k: tuple(v) for k, v in fields["diagnoses"].items()}
    if office:  # the registered office the assessment is filed under is authoritative
        fields["office"] = office
    return AssessedSubject(ref=f"#{assessment_id}", key=str(assessment_id), **fields)


def stored_subjects() -> list[AssessedSubject]:
    """The latest evaluation of every assessment the current user may see (not archived)."""
    visible = visible_assessments().with_only_columns(Assessment.id).subquery()
    latest = (sa.select(Evaluation.assessment_id, sa.func.max(Evaluation.id).label("id"))
              .where(Evaluation.assessment_id.in_(sa.select(visible.c.id)))
              .group_by(Evaluation.assessment_id).subquery())
    rows = db.session.execute(
        sa.select(latest.c.assessment_id, latest.c.id, Office.name, NeedsSummary.data)
        .join(Assessment, Assessment.id == latest.c.assessment_id)
        .outerjoin(Office, Office.id == Assessment.office_id)
        .outerjoin(NeedsSummary, NeedsSummary.evaluation_id == latest.c.id)
        .order_by(latest.c.assessment_id)).all()
    missing = [row.id for row in rows if row.data is None]
    made: dict[int, dict[str, Any]] = {}
    if missing:
        for evaluation in db.session.scalars(sa.select(Evaluation)
                                             .where(Evaluation.id.in_(missing))):
            made[evaluation.id] = summary_of(evaluation)
        with writing():  # a cache: writing it changes nothing anyone sees
            for evaluation_id, data in made.items():
                if db.session.get(NeedsSummary, evaluation_id) is None:
                    db.session.add(NeedsSummary(evaluation_id=evaluation_id, data=data))
    return [_subject(row.assessment_id, row.name, row.data or made[row.id]) for row in rows]
