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

from expert import CaseError, evaluate, load_case_text, parse_case
from webui.db import Assessment, Evaluation, db, record_evaluation
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
from webui.tree_cache import tree_renderer

bp = Blueprint("assessments", __name__)

UPLOAD_FIELD = "case_file"


def _assessment(assessment_id: int) -> Assessment:
    return db.get_or_404(Assessment, assessment_id)


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
    assessments = db.session.scalars(
        db.select(Assessment).order_by(Assessment.updated_at.desc(), Assessment.id.desc())).all()
    return render_template("assessments/index.html", assessments=assessments,
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
        source = db.get_or_404(Evaluation, copy)
        form = AssessmentForm.from_case(kb, source.case, source.indicator_notes)
        form.values["subject_name"] = t("copy_of", name=form.value("subject_name"))
    else:
        form = AssessmentForm.blank(kb)
    return _render_form(form)


@bp.route("/assessments/<int:assessment_id>/edit", methods=("GET", "POST"))
def edit(assessment_id: int) -> Any:
    kb = knowledge_base()
    assessment = _assessment(assessment_id)
    if request.method == "POST":
        form = AssessmentForm.from_request(kb, request.form)
        case = form.validate(t, get_lang())
        if case is None:
            return _render_form(form, assessment=assessment, status=400)
        record_evaluation(kb, case, origin="form", assessment=assessment,
                          indicator_notes=form.indicator_notes())
        flash(t("flash.reevaluated"), "success")
        return redirect(url_for(".show", assessment_id=assessment.id), code=303)
    latest = assessment.latest
    return _render_form(AssessmentForm.from_case(kb, latest.case, latest.indicator_notes),
                        assessment=assessment)


@bp.get("/assessments/<int:assessment_id>")
def show(assessment_id: int) -> str:
    assessment = _assessment(assessment_id)
    return _render_result(assessment, assessment.latest)


@bp.get("/assessments/<int:assessment_id>/evaluations/<int:evaluation_id>")
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


@bp.route("/assessments/<int:assessment_id>/delete", methods=("GET", "POST"))
def delete(assessment_id: int) -> Any:
    assessment = _assessment(assessment_id)
    if request.method == "POST":
        db.session.delete(assessment)
        db.session.commit()
        flash(t("flash.deleted", name=assessment.subject_name), "success")
        return redirect(url_for(".index"), code=303)
    return render_template("assessments/delete.html", assessment=assessment)


@bp.get("/assessments/<int:assessment_id>/evaluations/<int:evaluation_id>/case.yaml")
def download_case(assessment_id: int, evaluation_id: int) -> Response:
    evaluation = _evaluation(_assessment(assessment_id), evaluation_id)
    document = case_document(evaluation.case, evaluation.indicator_notes,
                             t("download.indicator_notes"))
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return _download(text, "application/yaml",
                     f"kinerja-{assessment_id}-{evaluation_id}-case.yaml")


@bp.get("/assessments/<int:assessment_id>/evaluations/<int:evaluation_id>/result.json")
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
    try:
        case = load_case_text(kb, upload.read(), name=upload.filename)
    except CaseError as error:
        return render_template("assessments/upload.html", problems=error.problems,
                               error=t("upload.invalid", name=upload.filename)), 400
    assessment = record_evaluation(kb, case, origin="upload")
    flash(t("flash.uploaded", name=upload.filename), "success")
    return redirect(url_for(".show", assessment_id=assessment.id), code=303)
