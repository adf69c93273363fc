"""The department head's follow-up of a report: plan statuses, the official PDF, comparing two
evaluations, the trend of an assessment, and WHAT-IF (nothing saved).

Access is ``webui.auth``'s, as for the report itself: reading needs ``assessment.read`` and
that the user may see the assessment (404 otherwise: a head sees their offices' only); setting
a plan item's status needs ``assessment.write`` on a live assessment, and every change is an
audit event (``plan_status``) in the same transaction as its row."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from expert import CaseError, Problem, parse_case
from expert.compare import compare
from expert.whatif import what_if
from webui.auth import actor, may_change, may_see, require
from webui.charts import trend_chart
from webui.db import Assessment, AssessmentGone, Evaluation, db, utcnow, write
from webui.db.audit import append
from webui.db.plan_status import histories, record_change, validate_change
from webui.expert_ext import knowledge_base
from webui.forms import parse_number
from webui.i18n import format_datetime, get_lang, t, today_local
from webui.report import citation_index, evaluation_result, with_followup
from webui.report_cache import stored_page
from webui.routing import MAX_ID

bp = Blueprint("followup", __name__)


def _assessment(assessment_id: int, permission: str | None = None) -> Assessment:
    """The assessment if the user may see it (404 otherwise); 403 without ``permission``."""
    found = db.get_or_404(Assessment, assessment_id)
    if not may_see(found):
        abort(404)
    if permission is not None and not may_change(found, permission):
        abort(403)
    return found


def _evaluation(assessment: Assessment, evaluation_id: int) -> Evaluation:
    found = db.session.get(Evaluation, evaluation_id)
    if found is None or found.assessment_id != assessment.id:
        abort(404)
    return found


@bp.post("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/plan/<recommendation>")
@require("assessment.write")
def set_status(assessment_id: int, evaluation_id: int, recommendation: str) -> Any:
    assessment = _assessment(assessment_id, "assessment.write")
    evaluation = _evaluation(assessment, evaluation_id)
    if evaluation_result(evaluation, get_lang()).recommendation(recommendation) is None:
        abort(404)
    change, errors = validate_change(request.form.get("status", ""),
                                     request.form.get("date", ""),
                                     request.form.get("note", ""), today_local())
    anchor = f"plan-{recommendation}"
    target = url_for("assessments.show_evaluation", assessment_id=assessment.id,
                     evaluation_id=evaluation.id, _anchor=anchor)
    if change is None:
        for field, key in errors.items():
            flash(t(key, field=t(f"plan.{field}")), "error")
        return redirect(target, code=303)
    who = actor()

    def unit_of_work() -> None:
        record_change(assessment.id, evaluation.id, recommendation, change, who.username)
        append(who, "plan_status", "plan_item", f"{assessment.id}/{recommendation}",
               assessment_id=assessment.id,
               detail={"recommendation": recommendation, "evaluation": evaluation.id,
                       "status": change.status, "date": change.on.isoformat(),
                       "note": change.note})

    try:
        write(unit_of_work)
    except AssessmentGone:
        abort(404)
    title = knowledge_base().label("recommendations", recommendation, get_lang())
    flash(t("plan.saved", title=title, status=t(f"status.{change.status}")), "success")
    return redirect(target, code=303)


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/report.pdf")
@require("assessment.read")
def report_pdf(assessment_id: int, evaluation_id: int) -> Response:
    from webui.pdf import cached_pdf, render_pdf

    assessment = _assessment(assessment_id)
    evaluation = _evaluation(assessment, evaluation_id)
    lang = get_lang()
    page = stored_page(evaluation, lang, t("not_assessed"))
    report = with_followup(page.report, histories(assessment.id), today_local())
    config = current_app.config
    printed = [config.get(k) for k in ("LETTERHEAD_GOVERNMENT", "LETTERHEAD_OFFICE",
                                       "LETTERHEAD_ADDRESS", "LETTERHEAD_LOGO", "SIGNATORY_NAME",
                                       "SIGNATORY_NIP", "SIGNATORY_TITLE", "DISPLAY_TIMEZONE")]
    history = tuple((r.item.id, r.status, len(r.history)) for r in report.plan)
    # the content hash of the row as stored now: an altered row is never served from the cache
    key = (config.get("SQLALCHEMY_DATABASE_URI"), current_app.instance_path, evaluation.id,
           page.content_hash, lang, knowledge_base().version, tuple(printed), history,
           today_local())
    logo = config.get("LETTERHEAD_LOGO") or None
    data = cached_pdf(key, lambda: render_pdf(_pdf_html(assessment, evaluation, report), logo))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="kinerja-{assessment_id}-{evaluation_id}-{lang}.pdf"')
    return response


def _pdf_html(assessment: Assessment, evaluation: Evaluation, report: Any) -> str:
    html = render_template("report/pdf.html", kb=knowledge_base(), assessment=assessment,
                           evaluation=evaluation, report=report, case=evaluation.case or {},
                           pdf=True, config=current_app.config, now=utcnow(), seen_rules=[],
                           may_follow_up=False)
    return html


@bp.get("/assessments/<id:assessment_id>/compare", endpoint="compare")
@require("assessment.read")
def compare_page(assessment_id: int) -> Any:
    assessment = _assessment(assessment_id)
    evaluations = assessment.evaluations
    first = request.args.get("a", type=int)
    second = request.args.get("b", type=int)
    if any(n is not None and not 0 < n <= MAX_ID for n in (first, second)):
        abort(404)
    if first is None or second is None:
        if len(evaluations) < 2:
            abort(404)
        first, second = evaluations[-2].id, evaluations[-1].id
    before, after = _evaluation(assessment, first), _evaluation(assessment, second)
    kb, lang = knowledge_base(), get_lang()
    comparison = compare(kb, before.case or {}, evaluation_result(before, lang),
                         after.case or {}, evaluation_result(after, lang))
    return render_template("report/compare.html", kb=kb, assessment=assessment,
                           before=before, after=after, comparison=comparison,
                           before_result=evaluation_result(before, lang),
                           after_result=evaluation_result(after, lang),
                           report=citation_index(kb))



@bp.get("/assessments/<id:assessment_id>/trend")
@require("assessment.read")
def trend(assessment_id: int) -> str:
    assessment = _assessment(assessment_id)
    kb, lang = knowledge_base(), get_lang()
    points = []
    for evaluation in assessment.evaluations:
        result = evaluation_result(evaluation, lang)
        scores: dict[str, float | None] = {"overall": result.overall.score}
        scores.update({d.id: d.score for d in result.dimensions})
        points.append((format_datetime(evaluation.created_at), scores))
    labels = {"overall": t("trend.overall")}
    labels.update({d: kb.label("dimensions", d, lang) for d in kb.dimensions})
    scale = [(float(term.score), kb.label("ratings", rating, lang))
             for rating, term in kb.ratings.items() if term.score is not None]
    return render_template("report/trend.html", kb=kb, assessment=assessment,
                           chart=trend_chart(points, labels, scale), points=points,
                           labels=labels)


def _what_if_changes(kb: Any, case: dict[str, Any], form: Any) -> dict[str, Any]:
    """The WHAT-IF form's fields → changes relative to the stored case."""
    changes: dict[str, Any] = {}
    for indicator in kb.indicators:
        value = form.get(f"finding-{indicator}", "")
        if value:
            changes[f"findings.{indicator}"] = value
    current = set(case.get("factors") or ())
    chosen = set(form.getlist("factor"))
    for factor in kb.factors:
        if factor in chosen and factor not in current:
            changes[f"factors.{factor}"] = "add"
        elif factor in current and factor not in chosen:
            changes[f"factors.{factor}"] = "remove"
    measures = case.get("measures") or {}
    for measure in kb.measures:
        text = form.get(f"measure-{measure}", "").strip()
        old = measures.get(measure)
        if not text and old is not None:
            changes[f"measures.{measure}"] = ""
        elif text and (old is None or parse_number(text) != float(old)):
            changes[f"measures.{measure}"] = text
    return changes


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/what-if",
        endpoint="what_if")
@require("assessment.read")
def what_if_page(assessment_id: int, evaluation_id: int) -> Any:
    assessment = _assessment(assessment_id)
    evaluation = _evaluation(assessment, evaluation_id)
    kb, lang = knowledge_base(), get_lang()
    case_document = evaluation.case or {}
    changes = _what_if_changes(kb, case_document, request.args)
    outcome, problems = None, tuple[Problem, ...]()
    if changes:
        try:
            outcome = what_if(kb, parse_case(kb, case_document), changes, lang)
        except CaseError as error:
            problems = tuple(error.problems)
    measures = {m: str(v) for m, v in (case_document.get("measures") or {}).items()}
    if request.args:
        measures = {m: request.args.get(f"measure-{m}", "") for m in kb.measures}
    factors = (request.args.getlist("factor") if request.args
               else list(case_document.get("factors") or ()))
    return render_template(
        "report/whatif.html", kb=kb, assessment=assessment, evaluation=evaluation,
        outcome=outcome, problems=problems, asked=bool(request.args), changes=changes,
        whatif_values=request.args, whatif_factors=factors, whatif_measures=measures,
        result=evaluation_result(evaluation, lang), report=citation_index(kb),
        kb_current=evaluation.kb_version == kb.version), (400 if problems else 200)
