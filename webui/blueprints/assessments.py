"""Assessments: the list, the form (new, edit, duplicate), the result report, uploads,
downloads and deletion. Views read the request, call the engine, and render."""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import selectinload

from expert import CaseError, evaluate, parse_case, read_case_stream
from expert.case_messages import shorten
from webui.db import (
    PAGE_SIZE,
    Assessment,
    AssessmentGone,
    Evaluation,
    db,
    delete_assessment,
    record_evaluation,
)
from webui.errors import csrf_error
from webui.expert_ext import knowledge_base
from webui.forms import (
    FORM_LEVEL,
    AssessmentForm,
    case_document,
    measure_name,
    note_name,
    rating_name,
)
from webui.i18n import get_lang, t
from webui.report import build_report
from webui.routing import MAX_ID
from webui.tree_cache import tree_renderer

bp = Blueprint("assessments", __name__)

UPLOAD_FIELD = "case_file"


def _assessment(assessment_id: int) -> Assessment:
    """The assessment with its evaluations loaded at once: a delete committed meanwhile shows
    as no assessment or no evaluation (404), never as a half-loaded object."""
    found = db.session.get(Assessment, assessment_id,
                           options=[selectinload(Assessment.evaluations)])
    if found is None:
        abort(404)
    return found


def _latest(assessment: Assessment) -> Evaluation:
    latest = assessment.latest
    if latest is None:  # deleted by another request between two queries
        abort(404)
    return latest


def _file_name(upload_name: str) -> str:
    """An upload's file name as shown back: short, no control characters (it goes into a
    page and a flash cookie)."""
    return shorten("".join(c if c.isprintable() else "?" for c in upload_name), 80)


def _evaluation(assessment: Assessment, evaluation_id: int) -> Evaluation:
    found = db.session.get(Evaluation, evaluation_id)
    if found is None or found.assessment_id != assessment.id:
        abort(404)
    return found


def _render_form(form: AssessmentForm, *, assessment: Assessment | None = None,
                 status: int = 200) -> tuple[str, int]:
    return render_template(
        "assessments/form.html", form=form, kb=form.kb, assessment=assessment,
        rating_name=rating_name, note_name=note_name, measure_name=measure_name), status


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> Any:
    """An expired or missing token on the assessment form: show the form again with the
    input kept and a fresh token, rather than lose a long entry (other forms: errors.py)."""
    if request.endpoint not in ("assessments.new", "assessments.edit"):
        return csrf_error(error)
    assessment = None
    if request.endpoint == "assessments.edit":
        assessment = db.session.get(Assessment, (request.view_args or {}).get("assessment_id"))
        if assessment is None:
            return csrf_error(error)
    form = AssessmentForm.from_request(knowledge_base(), request.form)
    form.add_error(FORM_LEVEL, t("error.csrf_form"))
    return _render_form(form, assessment=assessment, status=400)


@bp.get("/")
def index() -> str:
    page = db.paginate(
        db.select(Assessment).order_by(Assessment.updated_at.desc(), Assessment.id.desc()),
        per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False)
    return render_template("assessments/index.html", assessments=page.items, page=page,
                           kb=knowledge_base())


@bp.route("/assessments/new", methods=("GET", "POST"))
def new() -> Any:
    kb = knowledge_base()
    if request.method == "POST":
        form = AssessmentForm.from_request(kb, request.form)
        case = form.validate(t, get_lang())
        if case is None:
            return _render_form(form, status=400)
        assessment = record_evaluation(kb, case, origin="form",
                                       indicator_notes=form.indicator_notes())
        flash(t("flash.saved"), "success")
        return redirect(url_for(".show", assessment_id=assessment.id), code=303)
    copy = request.args.get("copy", type=int)
    if copy is not None:  # duplicate: a new assessment's form filled from an evaluation
        if not 0 < copy <= MAX_ID:
            abort(404)
        source = db.get_or_404(Evaluation, copy)
        form = AssessmentForm.from_case(kb, source.case, source.indicator_notes)
        form.values["subject_name"] = t("copy_of", name=form.value("subject_name"))
    else:
        form = AssessmentForm.blank(kb)
    return _render_form(form)


@bp.route("/assessments/<id:assessment_id>/edit", methods=("GET", "POST"))
def edit(assessment_id: int) -> Any:
    kb = knowledge_base()
    assessment = _assessment(assessment_id)
    if request.method == "POST":
        form = AssessmentForm.from_request(kb, request.form)
        case = form.validate(t, get_lang())
        if case is None:
            return _render_form(form, assessment=assessment, status=400)
        try:
            record_evaluation(kb, case, origin="form", assessment=assessment,
                              indicator_notes=form.indicator_notes())
        except AssessmentGone:
            abort(404)
        flash(t("flash.reevaluated"), "success")
        return redirect(url_for(".show", assessment_id=assessment_id), code=303)
    latest = _latest(assessment)
    return _render_form(AssessmentForm.from_case(kb, latest.case, latest.indicator_notes),
                        assessment=assessment)


@bp.get("/assessments/<id:assessment_id>")
def show(assessment_id: int) -> str:
    assessment = _assessment(assessment_id)
    return _render_result(assessment, _latest(assessment))


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>")
def show_evaluation(assessment_id: int, evaluation_id: int) -> str:
    assessment = _assessment(assessment_id)
    return _render_result(assessment, _evaluation(assessment, evaluation_id))


def _render_result(assessment: Assessment, evaluation: Evaluation) -> str:
    kb = knowledge_base()
    lang = get_lang()
    result = evaluation.result_in(lang)
    report = build_report(kb, result, evaluation.indicator_notes, lang, t("not_assessed"))
    why_not_target = request.args.get("why_not", "")
    why_not = None
    current = evaluation.kb_version == kb.version
    if why_not_target and current and why_not_target in dict(report.not_given):
        # WHY-NOT needs the consultation itself: run the stored case again on the same base.
        live = evaluate(kb, parse_case(kb, evaluation.case))
        why_not = live.explain(why_not_target, lang)
    return render_template(
        "assessments/result.html", kb=kb, assessment=assessment, evaluation=evaluation,
        report=report, result=result, why_not=why_not, why_not_target=why_not_target,
        kb_current=current, notes=(evaluation.case or {}).get("notes"),
        how_tree=tree_renderer(evaluation, report, kb, lang))


@bp.route("/assessments/<id:assessment_id>/delete", methods=("GET", "POST"))
def delete(assessment_id: int) -> Any:
    assessment = _assessment(assessment_id)
    if request.method == "POST":
        name = assessment.subject_name
        if not delete_assessment(assessment_id):  # another request deleted it first
            abort(404)
        flash(t("flash.deleted", name=shorten(name)), "success")
        return redirect(url_for(".index"), code=303)
    return render_template("assessments/delete.html", assessment=assessment)


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/case.yaml")
def download_case(assessment_id: int, evaluation_id: int) -> Response:
    evaluation = _evaluation(_assessment(assessment_id), evaluation_id)
    document = case_document(evaluation.case, evaluation.indicator_notes,
                             t("download.indicator_notes"))
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return _download(text, "application/yaml",
                     f"kinerja-{assessment_id}-{evaluation_id}-case.yaml")


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/result.json")
def download_result(assessment_id: int, evaluation_id: int) -> Response:
    evaluation = _evaluation(_assessment(assessment_id), evaluation_id)
    text = json.dumps(evaluation.result_in(get_lang()), ensure_ascii=False, indent=2) + "\n"
    return _download(text, "application/json",
                     f"kinerja-{assessment_id}-{evaluation_id}-result-{get_lang()}.json")


def _download(text: str, mimetype: str, filename: str) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/assessments/upload", methods=("GET", "POST"))
def upload() -> Any:
    if request.method == "GET":
        return render_template("assessments/upload.html", problems=(), error=None)
    upload = request.files.get(UPLOAD_FIELD)
    if upload is None or not upload.filename:
        return render_template("assessments/upload.html", problems=(),
                               error=t("upload.choose")), 400
    kb = knowledge_base()
    name = _file_name(upload.filename)
    try:
        case = read_case_stream(kb, upload.stream, name=name)
    except CaseError as error:
        return render_template("assessments/upload.html", problems=error.problems,
                               more=error.more, error=t("upload.invalid", name=name)), 400
    finally:
        upload.close()
    assessment = record_evaluation(kb, case, origin="upload")
    flash(t("flash.uploaded", name=name), "success")
    return redirect(url_for(".show", assessment_id=assessment.id), code=303)
