"""The trainers' tables: each evaluation's needs summary (a cache, so that the needs analysis
over a thousand assessments never parses their full results) and saved programme plans.

A summary is what :class:`expert.planning.AssessedSubject` needs, written when an evaluation
is first analysed; evaluations never change, so a summary never goes stale. A plan is saved
as a new row every time, with who saved it and when; an earlier version stays.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from expert.planning import subject_from_result
from webui.db.base import db, utcnow

__all__ = ["NeedsSummary", "ProgrammePlan", "summary_of"]

_KEPT = ("name", "kind", "period", "office", "nip", "position", "overall", "diagnoses",
         "recommendations", "measures")


def summary_of(evaluation: Any) -> dict[str, Any]:
    """What the needs analysis keeps of an evaluation (its case and Indonesian result)."""
    stored: dict[str, Any] = evaluation.result
    result = stored.get("id") or next(iter(stored.values()))
    data = asdict(subject_from_result("", evaluation.case, result))
    return {key: data[key] for key in _KEPT}


class NeedsSummary(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "needs_summary"

    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class ProgrammePlan(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "programme_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # the trainer's selection (offices, periods, kinds) and the plan's lines (PlanLine.to_dict)
    selection: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    kb_version: Mapped[str] = mapped_column(sa.String(80))
    based_on: Mapped[int | None] = mapped_column(sa.ForeignKey("programme_plan.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 index=True)
    created_by: Mapped[str | None] = mapped_column(sa.String(80))


def _summarise_on_insert(_mapper: Any, connection: Any, target: Any) -> None:
    """Every new evaluation gets its summary in the same transaction, so the trainers' page
    never has to parse a result; ones stored before this table existed get theirs on first
    use (``webui.needs``)."""
    connection.execute(sa.insert(NeedsSummary.__table__).values(
        evaluation_id=target.id, data=summary_of(target)))


def listen(evaluation_model: Any) -> None:
    sa.event.listen(evaluation_model, "after_insert", _summarise_on_insert)
