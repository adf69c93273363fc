"""Bulk import: the template to download, an upload (XLSX, CSV, multi-document YAML, ZIP of
case files), a preview listing every row or every problem (row, column, allowed values), and
a confirmation that evaluates and saves every row in one transaction — all or nothing.

Between preview and confirmation the uploaded file waits in the instance folder under a
random token, readable only by the user who uploaded it; it is read and checked again on
confirmation (offices may have changed meanwhile), then removed.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
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

from expert.io import ImportedCase, ImportFileError, import_cases, template_csv, template_xlsx
from expert.io.problems import CellProblem, cell_problem
from expert.io.tables import MAX_FILE_BYTES
from webui.auth import actor, require
from webui.db import record_evaluation
from webui.db.accounts import Office, find_office
from webui.db.transaction import writing
from webui.expert_ext import knowledge_base
from webui.i18n import t

bp = Blueprint("imports", __name__, url_prefix="/assessments/import")

FIELD = "import_file"
PENDING_HOURS = 24
TOKEN_LENGTH = 22


def _page(**context: Any) -> str:
    return render_template("imports/start.html", kb=knowledge_base(), **context)


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Forget previews nobody confirmed within a day."""
    limit = time.time() - PENDING_HOURS * 3600
    for path in folder.glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _office_of(imported: ImportedCase) -> str | None:
    case = imported.case
    return getattr(case, "office", None) or (case.subject_name if case.subject_kind == "unit"
                                             else None)


def check_offices(items: list[ImportedCase], name: str
                  ) -> tuple[list[Office | None], list[CellProblem]]:
    """Each row's registered office: the one it names (``subject.office``), else a unit's
    own name when that is a registered office, else none. A named office that is not
    registered is a problem: an administrator adds offices."""
    offices: list[Office | None] = []
    problems: list[CellProblem] = []
    for item in items:
        office = None
        named = getattr(item.case, "office", None)
        if named:
            office = find_office(named)
            if office is None:
                row = int(item.label.split()[-1]) if item.label.split()[-1].isdigit() else None
                problems.append(cell_problem(
                    f"the office '{named}' is not registered; an administrator adds it first",
                    f"instansi '{named}' belum terdaftar; administrator menambahkannya dulu",
                    row=row, header="instansi", path="subject.office", file=name,
                    item=None if row else item.label))
        elif item.case.subject_kind == "unit":
            office = find_office(item.case.subject_name)
        offices.append(office)
    return offices, problems


@bp.get("/")
@require("assessment.import")
def start() -> str:
    return _page(problems=(), items=(), error=None)


@bp.get("/template.<kind>")
@require("assessment.import")
def template(kind: str) -> Response:
    kb = knowledge_base()
    if kind == "xlsx":
        response = Response(template_xlsx(kb), mimetype="application/vnd.openxmlformats-"
                            "officedocument.spreadsheetml.sheet")
    elif kind == "csv":
        response = Response(template_csv(kb), mimetype="text/csv; charset=utf-8")
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="kinerja-templat.{kind}"'
    return response


def _read(data: bytes, name: str) -> tuple[list[ImportedCase], list[Office | None]]:
    kb = knowledge_base()
    items = import_cases(kb, data, name)
    if not items:
        raise ImportFileError([cell_problem("the file holds no row to import",
                                            "berkas tidak berisi baris untuk diimpor",
                                            file=name)])
    offices, problems = check_offices(items, name)
    if problems:
        raise ImportFileError(problems)
    return items, offices


@bp.post("/")
@require("assessment.import")
def preview() -> Any:
    request.max_content_length = MAX_FILE_BYTES + 64 * 1024  # a workbook, not a single case
    upload = request.files.get(FIELD)
    if upload is None or not upload.filename:
        return _page(problems=(), items=(),
                               error=t("import.choose")), 400
    name = Path(upload.filename).name[:200]
    data = upload.read(MAX_FILE_BYTES + 1)
    try:
        items, offices = _read(data, name)
    except ImportFileError as error:
        return _refused(name, error)
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(
        {"name": name, "user": actor().username}), encoding="utf-8")
    return _page(problems=(), error=None, token=token,
                           name=name, items=list(zip(items, offices, strict=True)))


def _refused(name: str, error: ImportFileError) -> tuple[str, int]:
    """The import page with every problem of a file that cannot be imported."""
    return _page(problems=error.problems, items=(),
                 error=t("import.refused", name=name, count=len(error.problems))), 400


@bp.post("/<token>")
@require("assessment.import")
def confirm(token: str) -> Any:
    if len(token) != TOKEN_LENGTH or not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.bin"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
    except (OSError, ValueError):
        abort(404)
    if meta.get("user") != actor().username:
        abort(404)
    name = str(meta.get("name", "import"))
    try:
        items, offices = _read(data, name)
    except ImportFileError as error:
        return _refused(name, error)
    kb = knowledge_base()
    who = actor()
    with writing():  # one transaction: every row is saved, or none
        for item, office in zip(items, offices, strict=True):
            record_evaluation(kb, item.case, origin="import", actor=who, office=office)
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    flash(t("import.saved", count=len(items), name=name), "success")
    return redirect(url_for("training.index"), code=303)
