"""Follow-up of the action plan: the status a head gives each plan item, and its history.

A status belongs to an assessment and a recommendation, so it carries over when the assessment
is evaluated again and the recommendation is still given; each change is a new row (who, when,
under which evaluation, the status, its date and a note) and rows are never changed, so the
history is the table itself and the current status is the latest row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from expert.plan import STATUSES
from webui.db.base import db, utcnow

MAX_FOLLOWUP_NOTE = 1000


class PlanStatus(db.Model):  # type: ignore[name-defined,misc]
    """One status change of one plan item; append-only."""

    __tablename__ = "plan_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id",
                                                             ondelete="CASCADE"))
    recommendation: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(20))
    status_date: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    actor: Mapped[str | None] = mapped_column(sa.String(80))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


@sa.event.listens_for(PlanStatus, "before_update")
def _refuse_update(_mapper: object, _connection: object, target: PlanStatus) -> None:
    raise RuntimeError(f"plan status {target.id} is history and never overwritten")


@dataclass(frozen=True)
class StatusChange:
    """What a head submits for one item; :func:`validate_change` checks it."""

    status: str
    on: date
    note: str


def validate_change(status: str, on: str, note: str, today: date
                    ) -> tuple[StatusChange | None, dict[str, str]]:
    """The change, or the problems by field (``status``, ``date``, ``note``) as message keys
    of the interface (translated by the caller)."""
    errors: dict[str, str] = {}
    if status not in STATUSES:
        errors["status"] = "plan.error.status"
    when = today
    if on.strip():
        try:
            when = date.fromisoformat(on.strip())
        except ValueError:
            errors["date"] = "plan.error.date"
    if len(note) > MAX_FOLLOWUP_NOTE:
        errors["note"] = "plan.error.note"
    if errors:
        return None, errors
    return StatusChange(status, when, note.strip()), {}


def record_change(assessment_id: int, evaluation_id: int, recommendation: str,
                  change: StatusChange, actor: str | None) -> PlanStatus:
    """Add the change to the history (the caller commits)."""
    row = PlanStatus(assessment_id=assessment_id, evaluation_id=evaluation_id,
                     recommendation=recommendation, status=change.status,
                     status_date=change.on, note=change.note, actor=actor, at=utcnow())
    db.session.add(row)
    return row


def histories(assessment_id: int) -> dict[str, list[PlanStatus]]:
    """Every item's status changes, newest first."""
    rows: Sequence[PlanStatus] = db.session.scalars(
        sa.select(PlanStatus).where(PlanStatus.assessment_id == assessment_id)
        .order_by(PlanStatus.id.desc())).all()
    found: dict[str, list[PlanStatus]] = {}
    for row in rows:
        found.setdefault(row.recommendation, []).append(row)
    return found
