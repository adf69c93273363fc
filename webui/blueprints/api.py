"""The JSON API: evaluate a case, explain a conclusion, read the knowledge base.

It takes JSON only (415 otherwise) and is exempt from CSRF: it stores nothing, and a
cross-site page can only send JSON after a CORS preflight this API never grants.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, request

from expert import CaseError, Problem, evaluate, parse_case
from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES
from expert.kb.readable import knowledge_document
from webui.expert_ext import knowledge_base

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _lang() -> str:
    lang = request.args.get("lang", DEFAULT_LANGUAGE)
    if lang not in LANGUAGES:
        raise CaseError([Problem("?lang", "unknown language", LANGUAGES)])
    return lang


def _case_body() -> Any:
    if not request.is_json:
        abort(415, description="Send the case as JSON (Content-Type: application/json).")
    try:
        data = json.loads(request.get_data(cache=False))
    except ValueError as exc:
        raise CaseError([Problem("", f"the request body is not valid JSON: {exc}")]) from None
    return parse_case(knowledge_base(), data)


@bp.post("/evaluate")
def evaluate_case() -> dict[str, Any]:
    lang = _lang()
    return evaluate(knowledge_base(), _case_body()).to_dict(lang)


@bp.post("/explain/<target>")
def explain(target: str) -> dict[str, Any]:
    lang = _lang()
    return evaluate(knowledge_base(), _case_body()).explain(target, lang)


@bp.get("/knowledge")
def knowledge() -> dict[str, Any]:
    return knowledge_document(knowledge_base())
