"""For auditors (and admins): the audit log with filters, and an assessment's audit pack."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request

from webui.auditpack import build_pack
from webui.auth import actor, require
from webui.db import Assessment, Evaluation, db
from webui.db.audit import ACTIONS, AuditEvent, append, head
from webui.db.plan_status import PlanStatus
from webui.db.transaction import writing
from webui.expert_ext import knowledge_base
from webui.i18n import t

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 100


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=t("audit.bad_date", field=name))


@bp.get("/")
@require("audit.read")
def log() -> str:
    """The log, newest first, filtered by user, object, action and dates (UTC days)."""
    filters = {name: request.args.get(name, "").strip()[:200]
               for name in ("user", "object", "action")}
    since, until = _day("from"), _day("to")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    query = sa.select(AuditEvent)
    if filters["user"]:
        query = query.where(AuditEvent.actor == filters["user"])
    if filters["action"]:
        if filters["action"] not in ACTIONS:
            abort(400, description=t("audit.bad_action"))
        query = query.where(AuditEvent.action == filters["action"])
    if filters["object"]:
        kind, _, ident = filters["object"].partition("/")
        if kind == "assessment" and ident.isdigit():
            query = query.where(AuditEvent.assessment_id == int(ident))
        else:
            query = query.where(AuditEvent.object_type == kind)
            if ident:
                query = query.where(AuditEvent.object_id == ident)
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time(), UTC))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time(),
                                                             UTC))
    entries = db.session.scalars(query.order_by(AuditEvent.seq.desc())
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    users = db.session.scalars(sa.select(AuditEvent.actor).where(AuditEvent.actor.is_not(None))
                               .distinct().order_by(AuditEvent.actor)).all()
    query_args = {k: v for k, v in filters.items() if v}
    query_args.update({k: v.isoformat() for k, v in (("from", since), ("to", until)) if v})
    return render_template("audit/log.html", entries=entries[:PAGE_SIZE], filters=filters,
                           query=query_args,
                           since=since, until=until, page=page,
                           more=len(entries) > PAGE_SIZE, actions=ACTIONS, users=users,
                           head=head())


@bp.get("/assessments/<int:assessment_id>/pack.zip")
@require("audit.read")
def pack(assessment_id: int) -> Response:
    assessment = db.get_or_404(Assessment, assessment_id)
    evaluation_ids = [str(e.id) for e in assessment.evaluations]
    entries = db.session.scalars(sa.select(AuditEvent).where(sa.or_(
        AuditEvent.assessment_id == assessment.id,
        sa.and_(AuditEvent.object_type == "evaluation",
                AuditEvent.object_id.in_(evaluation_ids or ["-"]))))
        .order_by(AuditEvent.seq)).all()
    statuses = db.session.scalars(sa.select(PlanStatus).where(
        PlanStatus.assessment_id == assessment.id).order_by(PlanStatus.id)).all()
    data = build_pack(assessment, entries, head(), knowledge_base(), statuses)
    with writing():
        append(actor(), "export_pack", "assessment", assessment.id, assessment_id=assessment.id)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="kinerja-audit-{assessment.id}.zip"'
    return response


def evaluation_count() -> Any:
    return db.session.scalar(sa.select(sa.func.count(Evaluation.id)))
