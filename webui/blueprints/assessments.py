"""Assessments: the list, the form (new, edit, duplicate), the result report, uploads,
downloads and archiving. Views read the request, call the engine, and render.

Who may do what is ``webui.auth``: every view checks a permission and, for one assessment,
that the user may see it (a head: their offices only; archived: auditors and admins only).
An assessment the user may not see answers 404, as if it did not exist."""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import selectinload

from expert import Case, CaseError, evaluate, parse_case, read_case_stream
from expert.case_messages import shorten
from expert.i18n import LANGUAGES
from webui import listing
from webui.auth import actor, may_change, may_see, require, scoped, visible_assessments
from webui.db import (
    PAGE_SIZE,
    Assessment,
    AssessmentGone,
    Evaluation,
    archive_assessment,
    assign_office,
    db,
    record_evaluation,
)
from webui.db.accounts import Office, find_office
from webui.db.audit import append, seal
from webui.db.plan_status import histories
from webui.db.transaction import writing
from webui.errors import csrf_error
from webui.expert_ext import knowledge_base
from webui.forms import (
    FORM_LEVEL,
    AssessmentForm,
    all_sources_name,
    case_document,
    field_label,
    measure_name,
    note_name,
    rating_name,
)
from webui.i18n import LANG_COOKIE, LANG_COOKIE_AGE, get_lang, t, today_local
from webui.report import with_followup
from webui.report_cache import stored_page
from webui.routing import MAX_ID

bp = Blueprint("assessments", __name__)

UPLOAD_FIELD = "case_file"
SWITCH_FIELD = "switch_lang"
OFFICE_FIELD = "office_id"
REASON_LIMIT = 2000


def _assessment(assessment_id: int, permission: str | None = None) -> Assessment:
    """The assessment if the user may see it (404 otherwise); 403 if they may see it but
    lack ``permission`` (or it is archived, which nobody changes)."""
    found = db.session.get(Assessment, assessment_id,
                           options=[selectinload(Assessment.evaluations)])
    if found is None or not may_see(found):
        abort(404)
    if permission is not None and not may_change(found, permission):
        abort(403)
    return found


def _latest(assessment: Assessment) -> Evaluation:
    latest = assessment.latest
    if latest is None:  # no evaluation (a half-written record): nothing to show
        abort(404)
    return latest


def _file_name(upload_name: str) -> str:
    """An upload's file name as shown back: short, no control characters (it goes into a
    page and a flash cookie)."""
    return shorten("".join(c if c.isprintable() else "?" for c in upload_name), 80)


def offices_for_user() -> list[Office]:
    """The offices the user may file an assessment under."""
    offices = scoped()
    query = db.select(Office).order_by(Office.name)
    if offices is not None:
        query = query.where(Office.id.in_(offices or {-1}))
    return list(db.session.scalars(query))


class OfficeError(ValueError):
    """The office cannot be used; the message is for the user, beside the office field."""


def choose_office(case: Case | None, chosen: str | None) -> Office | None:
    """The new assessment's office: the one chosen in the form, else the case's
    ``subject.office`` (case format v2), else the user's only office. OfficeError if the
    user may not file under it, or must choose."""
    allowed = offices_for_user()
    office: Office | None = None
    if chosen:
        office = next((o for o in allowed if str(o.id) == chosen), None)
        if office is None:
            raise OfficeError(t("office.not_allowed"))
        return office
    named = _case_office(case)
    if named:
        office = find_office(named)
        if office is None or office not in allowed:
            raise OfficeError(t("office.unknown", name=named))
        return office
    if scoped() is not None:  # a head files under one of their offices
        if len(allowed) != 1:
            raise OfficeError(t("office.choose"))
        return allowed[0]
    return None


def _case_office(case: Case | None) -> str | None:
    if case is None:
        return None
    subject = case.to_dict().get("subject") or {}
    office = subject.get("office") if isinstance(subject, dict) else None
    return office.strip() if isinstance(office, str) and office.strip() else None


def _evaluation(assessment: Assessment, evaluation_id: int) -> Evaluation:
    found = db.session.get(Evaluation, evaluation_id)
    if found is None or found.assessment_id != assessment.id:
        abort(404)
    return found


def _render_form(form: AssessmentForm, *, assessment: Assessment | None = None,
                 status: int = 200) -> tuple[str, int]:
    offices = offices_for_user() if assessment is None else []
    return render_template(
        "assessments/form.html", form=form, kb=form.kb, assessment=assessment,
        rating_name=rating_name, note_name=note_name, measure_name=measure_name,
        offices=offices, chosen_office=request.form.get(OFFICE_FIELD, ""),
        all_sources_name=all_sources_name, field_label=field_label), status


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> Any:
    """An expired or missing token on the assessment form: show the form again with the
    input kept and a fresh token, rather than lose a long entry (other forms: errors.py)."""
    if request.endpoint not in ("assessments.new", "assessments.edit"):
        return csrf_error(error)
    assessment = None
    if request.endpoint == "assessments.edit":
        assessment = db.session.get(Assessment, (request.view_args or {}).get("assessment_id"))
        if assessment is None or not may_change(assessment):
            return csrf_error(error)
    form = AssessmentForm.from_request(knowledge_base(), request.form)
    form.add_error(FORM_LEVEL, t("error.csrf_form"))
    return _render_form(form, assessment=assessment, status=400)


@bp.get("/")
@require("assessment.read")
def index() -> str:
    kb = knowledge_base()
    filters = listing.read_filters(request.args, kb)
    query = listing.apply(visible_assessments(), filters, kb)
    page = db.paginate(query, per_page=PAGE_SIZE, max_per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("assessments/index.html", assessments=page.items, page=page,
                           kb=kb, archived=False, filters=filters,
                           totals=listing.verdict_totals(query), choices=listing.choices())


@bp.get("/assessments/archived")
@require("archive.read")
def archived() -> str:
    page = db.paginate(visible_assessments(archived=True).order_by(
        Assessment.archived_at.desc(), Assessment.id.desc()),
        per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False)
    return render_template("assessments/index.html", assessments=page.items, page=page,
                           kb=knowledge_base(), archived=True)


def _language_switch(form: AssessmentForm, assessment: Assessment | None) -> Any | None:
    """The form's own language buttons (shown without JavaScript; with it the header's switch
    keeps the draft in the browser) post the draft: it comes back in the chosen language with
    every entry kept, nothing validated or saved."""
    chosen = request.form.get(SWITCH_FIELD)
    if chosen is None:
        return None
    if chosen not in LANGUAGES:
        abort(400)
    g.lang = chosen
    form.values.pop(SWITCH_FIELD, None)
    body, status = _render_form(form, assessment=assessment)
    response = make_response(body, status)
    response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


@bp.route("/assessments/new", methods=("GET", "POST"))
@require("assessment.write")
def new() -> Any:
    kb = knowledge_base()
    if request.method == "POST":
        form = AssessmentForm.from_request(kb, request.form)
        switched = _language_switch(form, None)
        if switched is not None:
            return switched
        case = form.validate(t, get_lang())
        if case is None:
            return _render_form(form, status=400)
        try:
            office = choose_office(case, request.form.get(OFFICE_FIELD))
        except OfficeError as error:
            form.add_error(OFFICE_FIELD, str(error))
            return _render_form(form, status=400)
        assessment = record_evaluation(kb, case, origin="form", actor=actor(), office=office,
                                       indicator_notes=form.indicator_notes())
        flash(t("flash.saved"), "success")
        return redirect(url_for(".show", assessment_id=assessment.id), code=303)
    copy = request.args.get("copy", type=int)
    if copy is not None:  # duplicate: a new assessment's form filled from an evaluation
        if not 0 < copy <= MAX_ID:
            abort(404)
        source = db.get_or_404(Evaluation, copy)
        if not may_see(source.assessment):
            abort(404)
        form = AssessmentForm.from_case(kb, source.case, source.indicator_notes)
        form.values["subject_name"] = t("copy_of", name=form.value("subject_name"))
    else:
        form = AssessmentForm.blank(kb)
    return _render_form(form)


@bp.route("/assessments/<id:assessment_id>/edit", methods=("GET", "POST"))
@require("assessment.write")
def edit(assessment_id: int) -> Any:
    kb = knowledge_base()
    assessment = _assessment(assessment_id, "assessment.write")
    if request.method == "POST":
        form = AssessmentForm.from_request(kb, request.form)
        switched = _language_switch(form, assessment)
        if switched is not None:
            return switched
        case = form.validate(t, get_lang())
        if case is None:
            return _render_form(form, assessment=assessment, status=400)
        try:
            record_evaluation(kb, case, origin="form", assessment=assessment, actor=actor(),
                              indicator_notes=form.indicator_notes())
        except AssessmentGone:
            abort(404)
        flash(t("flash.reevaluated"), "success")
        return redirect(url_for(".show", assessment_id=assessment_id), code=303)
    latest = _latest(assessment)
    return _render_form(AssessmentForm.from_case(kb, latest.case, latest.indicator_notes),
                        assessment=assessment)


@bp.get("/assessments/<id:assessment_id>")
@require("assessment.read")
def show(assessment_id: int) -> str:
    assessment = _assessment(assessment_id)
    return _render_result(assessment, _latest(assessment))


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>")
@require("assessment.read")
def show_evaluation(assessment_id: int, evaluation_id: int) -> str:
    assessment = _assessment(assessment_id)
    return _render_result(assessment, _evaluation(assessment, evaluation_id))


def _render_result(assessment: Assessment, evaluation: Evaluation) -> str:
    kb = knowledge_base()
    lang = get_lang()
    # what depends only on the stored evaluation comes from the report cache (whose key
    # includes a fingerprint of the stored row); the follow-up, the user's rights, the seal's
    # audit entry, the history and today's date are read for each view
    page = stored_page(evaluation, lang, t("not_assessed"))
    report = with_followup(page.report, histories(assessment.id), today_local())
    why_not_target = request.args.get("why_not", "")
    why_not = None
    current = evaluation.kb_version == kb.version
    if why_not_target and current and why_not_target in dict(report.not_given):
        # WHY-NOT needs the consultation itself: run the stored case again on the same base.
        live = evaluate(kb, parse_case(kb, page.case))
        why_not = live.explain(why_not_target, lang)
    may_edit = may_change(assessment)
    return render_template(
        "assessments/result.html", kb=kb, assessment=assessment, evaluation=evaluation,
        report=report, why_not=why_not, why_not_target=why_not_target,
        kb_current=current, case=page.case, today=today_local(),
        may_follow_up=may_edit,
        whatif_factors=list(page.case.get("factors") or ()),
        whatif_measures={m: str(v) for m, v in (page.case.get("measures") or {}).items()},
        fragment=page.fragment,
        seal=seal(evaluation, content_hash=page.content_hash), may_edit=may_edit,
        offices=offices_for_user() if may_change(assessment, "assessment.assign") else [],
        may_archive=may_change(assessment, "assessment.archive"))


@bp.post("/assessments/<id:assessment_id>/office")
@require("assessment.assign")
def move(assessment_id: int) -> Any:
    """An admin files the assessment under an office (or none)."""
    assessment = _assessment(assessment_id, "assessment.assign")
    chosen = request.form.get(OFFICE_FIELD, "")
    office = db.session.get(Office, int(chosen)) if chosen.isdigit() else None
    if chosen and office is None:
        abort(400, description=t("office.not_allowed"))
    try:
        assign_office(assessment, office, actor())
    except AssessmentGone:
        abort(404)
    flash(t("flash.office_assigned"), "success")
    return redirect(url_for(".show", assessment_id=assessment_id), code=303)


@bp.route("/assessments/<id:assessment_id>/archive", methods=("GET", "POST"))
@require("assessment.archive")
def archive(assessment_id: int) -> Any:
    """Archive instead of delete: a reason is required; the record stays."""
    assessment = _assessment(assessment_id, "assessment.archive")
    if request.method == "POST":
        reason = request.form.get("reason", "").strip()
        error = t("archive.reason_required") if not reason else (
            t("error.too_long", limit=REASON_LIMIT) if len(reason) > REASON_LIMIT else None)
        if error:
            return render_template("assessments/archive.html", assessment=assessment,
                                   error=error, reason=reason), 400
        try:
            archive_assessment(assessment, reason, actor())
        except AssessmentGone:  # archived by another request meanwhile
            abort(404)
        flash(t("flash.archived", name=shorten(assessment.subject_name)), "success")
        return redirect(url_for(".index"), code=303)
    return render_template("assessments/archive.html", assessment=assessment, error=None,
                           reason="")


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/case.yaml")
@require("assessment.read")
def download_case(assessment_id: int, evaluation_id: int) -> Response:
    evaluation = _evaluation(_assessment(assessment_id), evaluation_id)
    _log_download("download_case", evaluation)
    document = case_document(evaluation.case, evaluation.indicator_notes,
                             t("download.indicator_notes"))
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return _download(text, "application/yaml",
                     f"kinerja-{assessment_id}-{evaluation_id}-case.yaml")


@bp.get("/assessments/<id:assessment_id>/evaluations/<id:evaluation_id>/result.json")
@require("assessment.read")
def download_result(assessment_id: int, evaluation_id: int) -> Response:
    evaluation = _evaluation(_assessment(assessment_id), evaluation_id)
    _log_download("download_result", evaluation)
    text = json.dumps(evaluation.result_in(get_lang()), ensure_ascii=False, indent=2) + "\n"
    return _download(text, "application/json",
                     f"kinerja-{assessment_id}-{evaluation_id}-result-{get_lang()}.json")


def _log_download(action: str, evaluation: Evaluation) -> None:
    with writing():
        append(actor(), action, "evaluation", evaluation.id,
               assessment_id=evaluation.assessment_id)


def _download(text: str, mimetype: str, filename: str) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/assessments/upload", methods=("GET", "POST"))
@require("assessment.write")
def upload() -> Any:
    if request.method == "GET":
        return render_template("assessments/upload.html", problems=(), error=None,
                               offices=offices_for_user())
    upload = request.files.get(UPLOAD_FIELD)
    if upload is None or not upload.filename:
        return render_template("assessments/upload.html", problems=(), offices=offices_for_user(),
                               error=t("upload.choose")), 400
    kb = knowledge_base()
    name = _file_name(upload.filename)
    try:
        case = read_case_stream(kb, upload.stream, name=name)
    except CaseError as error:
        return render_template("assessments/upload.html", problems=error.problems,
                               more=error.more, offices=offices_for_user(),
                               error=t("upload.invalid", name=name)), 400
    finally:
        upload.close()
    try:
        office = choose_office(case, request.form.get(OFFICE_FIELD))
    except OfficeError as error:
        return render_template("assessments/upload.html", problems=(), offices=offices_for_user(),
                               error=str(error)), 400
    assessment = record_evaluation(kb, case, origin="upload", actor=actor(), office=office)
    flash(t("flash.uploaded", name=name), "success")
    return redirect(url_for(".show", assessment_id=assessment.id), code=303)
