"""Errors mapped to HTTP in one place: a page in the user's language, or JSON under /api/."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from expert import CaseError, UnknownTargetError
from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES

KNOWN_PAGES = (400, 401, 403, 404, 405, 413, 415, 429, 500, 503)
RETRY_AFTER_SECONDS = 5
# a page or JSON, its status, and the headers the error carries (e.g. Retry-After)
ErrorReply = tuple[Response | str, int, list[tuple[str, str]]]


def wants_json() -> bool:
    return request.path.startswith("/api/")


def http_error(error: HTTPException) -> ErrorReply:
    code = error.code or 500
    # the exception's own headers (Retry-After, Allow, WWW-Authenticate), not its HTML type
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]
    if wants_json():
        return jsonify({"error": error.name, "message": error.description, "status": code}), \
            code, headers
    key = code if code in KNOWN_PAGES else 500
    return render_template("errors/error.html", code=code, key=key), code, headers


def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    return render_template("errors/error.html", code=400, key="csrf"), 400


def internal_error(error: InternalServerError) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": "Internal Server Error", "status": 500}), 500
    return render_template("errors/error.html", code=500, key=500), 500


def case_error(error: CaseError) -> tuple[Response | str, int]:
    """A malformed case: 400 with every problem (the API's JSON, or a page)."""
    if wants_json():  # in the language the API call asked for, as its result would be
        lang = request.args.get("lang", DEFAULT_LANGUAGE)
        return jsonify(error.to_dict(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)), 400
    return render_template("errors/error.html", code=400, key=400,
                           problems=error.problems, more=error.more), 400


def unknown_target(error: UnknownTargetError) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": "unknown target", "target": error.target,
                        "allowed": list(error.allowed)}), 400
    return render_template("errors/error.html", code=400, key=400), 400


def deleted_meanwhile(error: Exception) -> ErrorReply:
    """A row another request deleted while this one read or wrote it: the page is gone."""
    from webui.db import db

    db.session.rollback()
    return http_error(NotFound())


def database_unavailable(error: Exception) -> ErrorReply:
    """The database is locked by another writer past every retry, unreachable, or out of
    connections: nothing was written (the transaction is rolled back); try again shortly."""
    from webui.db import db

    current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:300])
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:  # the connection itself is gone: nothing to roll back
        pass
    return http_error(ServiceUnavailable(
        "The database is busy or unavailable; nothing was saved. Try again in "
        f"{RETRY_AFTER_SECONDS} seconds.", retry_after=RETRY_AFTER_SECONDS))


def init_app(app: Flask) -> None:
    app.register_error_handler(sa.exc.OperationalError, database_unavailable)
    app.register_error_handler(sa.exc.TimeoutError, database_unavailable)  # connection pool
    app.register_error_handler(ObjectDeletedError, deleted_meanwhile)
    app.register_error_handler(StaleDataError, deleted_meanwhile)
    from webui.db import AssessmentGone

    app.register_error_handler(AssessmentGone, deleted_meanwhile)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(InternalServerError, internal_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(CaseError, case_error)
    app.register_error_handler(UnknownTargetError, unknown_target)
