"""The JSON API: evaluate a case, explain a conclusion, read the knowledge base.

It takes JSON only (415 otherwise) and is exempt from CSRF: it stores nothing, and a
cross-site page can only send JSON after a CORS preflight this API never grants.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from expert import CaseError, Problem, evaluate, parse_case
from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES
from expert.kb.readable import knowledge_document
from expert.reader import read_bytes
from webui.expert_ext import knowledge_base
from webui.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _lang() -> str:
    lang = request.args.get("lang", DEFAULT_LANGUAGE)
    if lang not in LANGUAGES:
        raise CaseError([Problem("?lang", "unknown language", LANGUAGES)])
    return lang


def _case_body() -> Any:
    if not request.is_json:
        abort(415, description="Send the case as JSON (Content-Type: application/json).")
    # the same bounded reader as the CLI and the upload form: the same bytes, the same answer
    return parse_case(knowledge_base(), read_bytes(request.get_data(cache=False),
                                                   name="request body"))


@bp.post("/evaluate")
def evaluate_case() -> dict[str, Any]:
    lang = _lang()
    return evaluate(knowledge_base(), _case_body()).to_dict(lang)


@bp.post("/explain/<target>")
def explain(target: str) -> dict[str, Any]:
    lang = _lang()
    return evaluate(knowledge_base(), _case_body()).explain(target, lang)


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return document(knowledge_base())


@bp.get("/training-needs")
def training_needs() -> Any:
    """The needs analysis and proposed plan over the assessments the caller may see:
    ``?office=…&period=…&kind=…`` (each repeatable), ``&lang=en``."""
    from webui.auth import can
    from webui.blueprints.training import training_needs_document

    lang = _lang()
    if not can("training.read"):
        abort(403)
    return training_needs_document(request.args, lang)


@bp.get("/knowledge")
def knowledge() -> dict[str, Any]:
    return knowledge_document(knowledge_base())


@bp.post("/what-if")
def what_if() -> dict[str, Any]:
    """``{"case": {...}, "changes": {"findings.ability": "good", ...}}`` → what would change
    (nothing is stored); 400 with every problem of the case or of the changes."""
    from expert.compare import comparison_document
    from expert.whatif import what_if as run_what_if

    lang = _lang()
    if not request.is_json:
        abort(415, description="Send {\"case\": …, \"changes\": …} as JSON.")
    body = read_bytes(request.get_data(cache=False), name="request body")
    if not isinstance(body, dict) or set(body) - {"case", "changes"} or "case" not in body:
        raise CaseError([Problem("", "send an object with 'case' and 'changes'",
                                 ("case", "changes"))])
    kb = knowledge_base()
    outcome = run_what_if(kb, parse_case(kb, body["case"]), body.get("changes") or {}, lang)
    return {"changes": dict(outcome.changes),
            "before": {"overall": {"rating": outcome.before.overall.rating,
                                   "label": outcome.before.overall.label}},
            "after": {"overall": {"rating": outcome.after.overall.rating,
                                  "label": outcome.after.overall.label}},
            **comparison_document(outcome.comparison)}
