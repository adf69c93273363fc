"""The language switch: a small POST form in every page's header, remembered in a cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from expert.i18n import LANGUAGES
from webui.i18n import LANG_COOKIE, LANG_COOKIE_AGE

bp = Blueprint("lang", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if not target:
        return url_for("assessments.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("assessments.index")
    return target


@bp.post("/lang")
def switch() -> Response:
    chosen = request.form.get("lang", "")
    target = request.form.get("next")
    if chosen not in LANGUAGES or (target and not target.isprintable()):
        abort(400)  # a CR/LF or other control character in `next` could split the header
    response = redirect(safe_next(target), code=303)
    response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response
