"""The trainers' page: the competency-development needs analysis (AKPK) over the stored
assessments a trainer selects, the heat map of needs by unit and topic, the programme plan
(adjust and save, who and when kept), the trend per unit, exports (XLSX, CSV, audited) and a
printable report. Views read the request, call ``expert.planning`` and render."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
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

from expert.errors import CaseError
from expert.i18n import tr
from expert.kb.model import KnowledgeBase
from expert.planning import (
    AssessedSubject,
    NeedsAnalysis,
    PlanLine,
    Selection,
    adjust,
    analyse,
    plan_from_dict,
    propose_plan,
    report_csv,
    report_dict,
    report_xlsx,
    trend,
)
from expert.planning.needs import natural_key
from webui.auth import actor, can, require
from webui.db import db
from webui.db.audit import append
from webui.db.training import ProgrammePlan
from webui.db.transaction import writing
from webui.expert_ext import knowledge_base
from webui.heatmap import heat_map
from webui.i18n import get_lang, t
from webui.needs import stored_subjects

bp = Blueprint("training", __name__, url_prefix="/training")

PLAN_FIELDS = ("forms", "participants", "hours", "timeframe", "priority", "note", "included")
TABLES = ("needs", "plan", "employees", "units", "trend")
MAX_TITLE = 200


def selection_from(args: Any) -> Selection:
    return Selection(frozenset(v for v in args.getlist("office") if v),
                     frozenset(v for v in args.getlist("period") if v),
                     frozenset(v for v in args.getlist("kind") if v))


class Workspace:
    """Everything one request of the trainers' page needs, computed once."""

    def __init__(self, kb: KnowledgeBase, selection: Selection, plan_id: int | None = None):
        self.kb = kb
        self.selection = selection
        self.subjects: list[AssessedSubject] = stored_subjects()
        self.analysis: NeedsAnalysis = analyse(kb, self.subjects, selection)
        self.saved: ProgrammePlan | None = None
        if plan_id is not None:
            if not can("plan.read"):
                abort(404)
            self.saved = db.session.get(ProgrammePlan, plan_id)
            if self.saved is None:
                abort(404)
        self.plan: list[PlanLine] = (plan_from_dict(self.saved.lines) if self.saved
                                     else propose_plan(kb, self.analysis))
        self.trends = trend(kb, self.subjects, units=selection.offices, kinds=selection.kinds)

    def data(self, lang: str) -> dict[str, Any]:
        return report_dict(self.kb, self.analysis, self.plan, self.trends, lang)

    def choices(self) -> dict[str, list[str]]:
        return {"offices": sorted({s.unit for s in self.subjects}, key=natural_key),
                "periods": sorted({s.period for s in self.subjects if s.period},
                                  key=natural_key),
                "kinds": list(self.kb.subject_kinds)}

    def heat(self, lang: str) -> Any:
        counts = self.analysis.heat()
        topics = [(topic, self.kb.label("topics", topic, lang)) for topic in self.kb.topics
                  if any(key[0] == topic for key in counts)]
        return heat_map(counts, topics, self.analysis.unit_names)


def _plan_id() -> int | None:
    raw = request.args.get("plan", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        abort(404)
    return int(raw)


def _render(workspace: Workspace, errors: dict[str, str] | None = None,
            status: int = 200) -> tuple[str, int]:
    lang = get_lang()
    kb = workspace.kb
    plans = db.session.scalars(sa.select(ProgrammePlan).order_by(
        ProgrammePlan.created_at.desc(), ProgrammePlan.id.desc()).limit(20)).all() \
        if can("plan.read") else []
    return render_template(
        "training/index.html", ws=workspace, data=workspace.data(lang),
        heat=workspace.heat(lang), choices=workspace.choices(), plans=plans,
        errors=errors or {}, forms=kb.development.forms,
        topic_labels={k: kb.label("topics", k, lang) for k in kb.topics},
        form_label=lambda f: tr(kb.development.forms[f].label, lang),
        query=_query(workspace.selection)), status


def _query(selection: Selection) -> dict[str, Any]:
    return {"office": sorted(selection.offices), "period": sorted(selection.periods),
            "kind": sorted(selection.kinds)}


@bp.get("/")
@require("training.read")
def index() -> tuple[str, int]:
    return _render(Workspace(knowledge_base(), selection_from(request.args), _plan_id()))


@bp.post("/plans")
@require("training.plan")
def save_plan() -> Any:
    kb = knowledge_base()
    selection = selection_from(request.form)
    based_on = request.form.get("based_on", "")
    plan_id = int(based_on) if based_on.isdigit() and len(based_on) <= 12 else None
    workspace = Workspace(kb, selection, plan_id)
    changes: dict[str, dict[str, Any]] = {}
    for line in workspace.plan:
        change: dict[str, Any] = {"forms": request.form.getlist(f"{line.programme}.forms"),
                                  "included": request.form.get(f"{line.programme}.included")}
        for key in ("participants", "hours", "timeframe", "priority", "note"):
            if f"{line.programme}.{key}" in request.form:
                change[key] = request.form[f"{line.programme}.{key}"]
        changes[line.programme] = change
    title = " ".join(request.form.get("title", "").split())
    errors: dict[str, str] = {}
    if not title or len(title) > MAX_TITLE:
        errors["title"] = t("training.title_needed", limit=MAX_TITLE)
    try:
        lines = adjust(kb, workspace.plan, changes)
    except CaseError as error:
        lang = get_lang()
        errors.update({p.path.removeprefix("plan."): p.render(lang).split(": ", 1)[-1]
                       for p in error.problems})
        lines = workspace.plan
    if errors:
        return _render(workspace, errors, 400)
    with writing():
        saved = ProgrammePlan(title=title, selection=selection.to_dict(),
                              lines=[line.to_dict() for line in lines], kb_version=kb.version,
                              based_on=plan_id, created_by=actor().username)
        db.session.add(saved)
        db.session.flush()
        append(actor(), "plan_save", "programme_plan", saved.id,
               detail={"title": title, "selection": selection.to_dict(),
                       "based_on": plan_id})
    flash(t("training.plan_saved", title=title), "success")
    return redirect(url_for(".index", plan=saved.id, **_query(selection)), code=303)


@bp.get("/export.<fmt>")
@require("training.read")
def export(fmt: str) -> Response:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    table = request.args.get("table", "plan")
    if table not in TABLES:
        abort(404)
    workspace = Workspace(knowledge_base(), selection_from(request.args), _plan_id())
    data = workspace.data(get_lang())
    with writing():  # an export leaves the system: the audit log says who took what
        append(actor(), "export", "training_needs", None,
               detail={"format": fmt, "table": table if fmt == "csv" else "all",
                       "selection": workspace.selection.to_dict(),
                       "plan": workspace.saved.id if workspace.saved else None})
    if fmt == "xlsx":
        body: bytes | str = report_xlsx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = "kinerja-akpk.xlsx"
    else:
        body = report_csv(data, table)
        mimetype = "text/csv; charset=utf-8"
        name = f"kinerja-akpk-{table}.csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/print")
@require("training.read")
def print_report() -> str:
    lang = get_lang()
    workspace = Workspace(knowledge_base(), selection_from(request.args), _plan_id())
    kb = workspace.kb
    return render_template(
        "training/print.html", ws=workspace, data=workspace.data(lang),
        heat=workspace.heat(lang),
        topic_labels={k: kb.label("topics", k, lang) for k in kb.topics})


@bp.get("/print.pdf")
@require("training.read")
def print_pdf() -> Response:
    """The printable AKPK as PDF (WeasyPrint, from the same page), an audited export."""
    from webui.pdf import render_pdf

    html = print_report()
    workspace_selection = selection_from(request.args)
    with writing():
        append(actor(), "export", "training_needs", None,
               detail={"format": "pdf", "table": "all",
                       "selection": workspace_selection.to_dict(),
                       "plan": request.args.get("plan") or None})
    data = render_pdf(html, current_app.config.get("LETTERHEAD_LOGO") or None)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="kinerja-akpk.pdf"'
    return response


def training_needs_document(args: Any, lang: str) -> dict[str, Any]:
    """The API's answer: the same report as the page, as JSON."""
    workspace = Workspace(knowledge_base(), selection_from(args), None)
    return workspace.data(lang)
