"""The needs analysis over stored assessments: each visible assessment's latest evaluation as
an :class:`~expert.planning.AssessedSubject`, read from the needs-summary cache (written the
first time an evaluation is analysed), so a page over a thousand assessments parses no result.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from expert.planning import AssessedSubject
from webui.auth import visible_assessments
from webui.db import Assessment, Evaluation, db
from webui.db.accounts import Office
from webui.db.training import NeedsSummary, summary_of
from webui.db.transaction import writing

__all__ = ["stored_subjects"]

def _subject(assessment_id: int, office: str | None, data: dict[str, Any]) -> AssessedSubject:
    fields = dict(data)
    fields["diagnoses"] = {k: tuple(v) for k, v in fields["diagnoses"].items()}
    if office:  # the registered office the assessment is filed under is authoritative
        fields["office"] = office
    return AssessedSubject(ref=f"#{assessment_id}", key=str(assessment_id), **fields)


CHUNK = 5000  # ids per IN (...): well under every database's parameter limit


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def stored_subjects() -> list[AssessedSubject]:
    """The latest evaluation of every assessment the current user may see (not archived).

    Three plain queries (latest evaluation ids, office names, summaries) rather than one join
    on a grouped subquery, which SQLite plans as a scan per row."""
    visible = visible_assessments().with_only_columns(Assessment.id).subquery()
    latest: dict[int, int] = dict(db.session.execute(  # type: ignore[arg-type]
        sa.select(Evaluation.assessment_id, sa.func.max(Evaluation.id))
        .where(Evaluation.assessment_id.in_(sa.select(visible.c.id)))
        .group_by(Evaluation.assessment_id)).all())
    offices: dict[int, str] = {}
    summaries: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(latest)):
        offices.update(db.session.execute(
            sa.select(Assessment.id, Office.name).join(Office, Office.id == Assessment.office_id)
            .where(Assessment.id.in_(chunk))).all())
    for chunk in _chunks(sorted(latest.values())):
        summaries.update(db.session.execute(
            sa.select(NeedsSummary.evaluation_id, NeedsSummary.data)
            .where(NeedsSummary.evaluation_id.in_(chunk))).all())
    missing = [e for e in latest.values() if e not in summaries]
    if missing:
        made = {}
        for chunk in _chunks(missing):
            for evaluation in db.session.scalars(sa.select(Evaluation)
                                                 .where(Evaluation.id.in_(chunk))):
                made[evaluation.id] = summary_of(evaluation)
        with writing():  # a cache: writing it changes nothing anyone sees
            for evaluation_id, data in made.items():
                if db.session.get(NeedsSummary, evaluation_id) is None:
                    db.session.add(NeedsSummary(evaluation_id=evaluation_id, data=data))
        summaries.update(made)
    return [_subject(assessment_id, offices.get(assessment_id), summaries[evaluation_id])
            for assessment_id, evaluation_id in sorted(latest.items())]
