"""Who may do what: logins (Flask-Login), API tokens, roles and offices, the login gate.

Every request needs a user except static files, the health check, the login page and the
language switch. A user whose password was made by Kinerja (the first admin's one-time
password) is sent to the change-password page from every other page until they choose their
own; the API, authorised by tokens, is unaffected. Pages use the session cookie; the API
(``/api/``) uses only ``Authorization: Bearer TOKEN`` and answers 401 JSON without a valid
one (a cookie never authorises an API call: the API is exempt from CSRF). A role without a
permission gets 403.

The permission table is :data:`PERMISSIONS`; a head is further limited to the assessments of
the offices assigned to them (:func:`may_see`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from webui.db import Assessment, db
from webui.db.accounts import ROLES, Account, account_for_token
from webui.db.audit import Actor, AuditEvent
from webui.db.base import utcnow

ALL = frozenset(ROLES)
PERMISSIONS: dict[str, frozenset[str]] = {
    "assessment.read": ALL,  # a head: their offices' only
    "assessment.write": frozenset({"admin", "head"}),  # new, edit, re-evaluate, upload
    "assessment.archive": frozenset({"admin", "head"}),
    "archive.read": frozenset({"admin", "auditor"}),  # archived records
    "audit.read": frozenset({"admin", "auditor"}),  # the audit log, audit packs
    "users.manage": frozenset({"admin"}),  # users and offices
    "assessment.assign": frozenset({"admin"}),  # move an assessment to an office
    "knowledge.read": ALL,
    # the trainers' side (issue 10): the needs analysis reads what the user may see; a
    # bulk import adds assessments (never changes one); plans are the trainer's own record
    "training.read": ALL,
    "training.plan": frozenset({"admin", "trainer"}),
    # saved plans name employees of every office: not for a head limited to their own
    "plan.read": frozenset({"admin", "trainer", "auditor"}),
    "assessment.import": frozenset({"admin", "trainer"}),
    "api.use": ALL,
}
assert all(roles <= ALL for roles in PERMISSIONS.values())

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.health", "lang.switch"}
# What a user who must replace a one-time password may still open (besides the public ones)
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout"}

login_manager = LoginManager()
# Counts login attempts per remote address (behind a proxy: set TRUSTED_PROXY so that this is
# the client's address, not the proxy's).
limiter = Limiter(get_remote_address, default_limits=[])
F = TypeVar("F", bound=Callable[..., Any])


def can(permission: str, user: Any = None) -> bool:
    user = current_user if user is None else user
    return bool(user and user.is_authenticated and user.role in PERMISSIONS[permission])


def require(permission: str) -> Callable[[F], F]:
    """A view decorator: 403 unless the user's role has ``permission``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def scoped(user: Any = None) -> set[int] | None:
    """The office ids a user is limited to; None when they see every office."""
    user = current_user if user is None else user
    return user.office_ids() if user.role == "head" else None


def may_see(assessment: Assessment, user: Any = None) -> bool:
    user = current_user if user is None else user
    if assessment.archived and not can("archive.read", user):
        return False
    offices = scoped(user)
    return offices is None or assessment.office_id in offices


def may_change(assessment: Assessment, permission: str = "assessment.write") -> bool:
    return can(permission) and may_see(assessment) and not assessment.archived


def visible_assessments(*, archived: bool = False) -> sa.Select[tuple[Assessment]]:
    """The assessments the current user may list: live ones, or archived ones."""
    query = sa.select(Assessment).where(
        Assessment.archived_at.is_not(None) if archived else Assessment.archived_at.is_(None))
    offices = scoped()
    if offices is not None:
        query = query.where(Assessment.office_id.in_(offices or {-1}))
    return query


def actor(user: Any = None) -> Actor:
    """The current user as the audit log names them."""
    user = current_user if user is None else user
    username = user.username if user and user.is_authenticated else None
    role = user.role if user and user.is_authenticated else None
    return Actor(username=username, role=role, remote_addr=request.remote_addr)


@login_manager.user_loader
def _load_user(user_id: str) -> Account | None:
    if request.path.startswith("/api/"):  # the API authorises by token only
        return None
    try:
        account = db.session.get(Account, int(user_id))
    except ValueError:
        return None
    return account if account is not None and account.is_active else None


@login_manager.request_loader
def _load_token_user(req: Any) -> Account | None:
    if not req.path.startswith("/api/"):
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return account_for_token(secret.strip())


def _gate() -> Any:
    """Before every request: a login (or, for the API, a token) unless the page is public."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        if not current_user.is_authenticated:
            response = jsonify({"error": "Unauthorized", "status": 401, "message":
                                "Send Authorization: Bearer TOKEN (kinerja users token NAME)."})
            response.headers["WWW-Authenticate"] = 'Bearer realm="kinerja"'
            return response, 401
        if not can("api.use"):
            abort(403)
        return None
    if not current_user.is_authenticated:
        if request.endpoint is None:  # an unknown address: 404 for everyone, no login needed
            return None
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        if request.endpoint is None:
            return None
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.password",
                                next=target if request.method == "GET" else None), code=303)
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.before_request(_gate)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE"))
    from webui.startup import trust_proxy_hops

    proxies = trust_proxy_hops(app.config)
    if proxies:  # trust exactly that many proxies' X-Forwarded-For/Proto/Host/Prefix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore
                                x_host=proxies, x_prefix=proxies)
    limiter.init_app(app)
    app.jinja_env.globals.update(can=can)


def login_limit() -> str:
    return str(current_app.config.get("LOGIN_RATE_LIMIT") or "10 per minute")


def failed_login_wait(remote_addr: str | None) -> int | None:
    """Seconds an address must wait before its next sign-in attempt, or None.

    Flask-Limiter counts attempts in each worker process's memory, so with several workers
    (or servers) an address got the limit once per process. Failed sign-ins are in the audit
    log, which every worker and server shares: an address with ``LOGIN_RATE_LIMIT`` failures
    within a window (e.g. 10 in a minute) is refused for that window, whichever process it
    reaches. Successful sign-ins do not count."""
    now = utcnow()
    for item in parse_many(login_limit()):
        window = item.get_expiry()
        failures = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login_failed", AuditEvent.remote_addr == remote_addr,
            AuditEvent.at >= now - timedelta(seconds=window)))
        if (failures or 0) >= item.amount:
            return window
    return None
