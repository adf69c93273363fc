"""Follow-up of the action plan: the status a head gives each plan item, and its history.

A status belongs to an assessment and a recommendation, so it carries over when the assessment
is evaluated again and the recommendation is still given; each change is a new row (who, when,
under which evaluation, the status, its date and a note) and rows are never changed, so the
history is the table itself and the current status is the latest row. The ORM refuses an
update (below) and database triggers refuse UPDATE and DELETE (``schema.APPEND_ONLY``).

Each row is recorded by a ``plan_status`` audit event made in the same transaction;
:func:`check_statuses` (part of ``kinerja audit verify``) matches the rows with those events,
so a row changed, removed or added behind the application's back is named.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from expert.plan import STATUSES
from webui.db.audit import AuditEvent, Breach, Report
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


# What a row and its audit event both say: assessment, who, item, evaluation, status, date,
# note — as text, so that a row from the database and one read back from an audit pack's JSON
# compare alike.
Recorded = tuple[str, str, str, str, str, str, str]


def recorded(assessment: object, actor: object, recommendation: object, evaluation: object,
             status: object, on: object, note: object) -> Recorded:
    return (str(assessment), str(actor), str(recommendation), str(evaluation), str(status),
            str(on), str(note))


def recorded_by_entry(assessment: object, actor: object, detail: str | None) -> Recorded | None:
    """What a ``plan_status`` audit entry records, from its fields; None for an entry whose
    detail is not what the application writes (an edited entry: the chain check names it)."""
    try:
        fields = json.loads(detail or "{}")
        return recorded(assessment, actor, fields["recommendation"], fields["evaluation"],
                        fields["status"], fields["date"], fields["note"])
    except (ValueError, KeyError, TypeError):
        return None


def _event_record(event: AuditEvent) -> Recorded | None:
    return recorded_by_entry(event.assessment_id, event.actor, event.detail)


def _row_record(row: PlanStatus) -> Recorded:
    return recorded(row.assessment_id, row.actor, row.recommendation, row.evaluation_id,
                    row.status, row.status_date.isoformat(), row.note)


def check_statuses(report: Report) -> None:
    """Every plan-status row against the ``plan_status`` audit events: each row must be
    recorded by one event, and each event's row must exist as recorded. Rows and events are
    matched by content (concurrent changes may number rows and entries in different orders);
    what is left over is paired per plan item to tell a changed row from a missing one."""
    events = [(event.seq, _event_record(event)) for event in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "plan_status")
        .order_by(AuditEvent.seq))]
    rows = [(row.id, _row_record(row)) for row in db.session.scalars(
        sa.select(PlanStatus).order_by(PlanStatus.id))]
    report.plan_statuses += len(rows)
    unmatched = Counter(record for _, record in events if record is not None)
    unmatched.subtract(record for _, record in rows)
    spare_events: dict[tuple[str, str], list[tuple[int, Recorded]]] = defaultdict(list)
    for seq, record in events:
        if record is not None and unmatched[record] > 0:
            unmatched[record] -= 1
            spare_events[(record[0], record[2])].append((seq, record))
    unmatched = Counter(record for _, record in rows)
    unmatched.subtract(record for _, record in events if record is not None)
    for row_id, record in rows:
        if unmatched[record] <= 0:
            continue
        unmatched[record] -= 1
        spare = spare_events[(record[0], record[2])]
        if spare:
            seq, _ = spare.pop(0)
            report.breaches.append(Breach(
                seq, "content changed", f"plan status {row_id} (assessment {record[0]}, item "
                f"{record[2]}): its status, date, note, evaluation or author differ from what "
                f"entry #{seq} recorded"))
        else:
            report.breaches.append(Breach(
                None, "entry missing", f"plan status {row_id} (assessment {record[0]}, item "
                f"{record[2]}) has no audit entry"))
    for spare in spare_events.values():
        for seq, record in spare:
            report.breaches.append(Breach(
                seq, "entry missing", f"the plan status of assessment {record[0]}, item "
                f"{record[2]}, recorded in entry #{seq}, is missing from the database"))
