"""Signing in and out (``/login``, ``/logout``), changing one's own password
(``/account/password``) and the health check (``/health``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from webui.auth import actor, failed_login_wait, limiter, login_limit
from webui.blueprints.lang import safe_next
from webui.db import db
from webui.db.accounts import MIN_PASSWORD, dummy_password_check, find_account
from webui.db.audit import Actor, append
from webui.db.transaction import writing
from webui.db.users import AccountError, change_own_password
from webui.i18n import t

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(login_limit, methods=["POST"])
def login() -> Any:
    target = request.values.get("next")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(target))
        return render_template("auth/login.html", error=None, username="", next=target)
    wait = failed_login_wait(request.remote_addr)
    if wait is not None:  # too many failures from this address, counted by every worker
        raise TooManyRequests(retry_after=wait)
    username = request.form.get("username", "").strip()[:80]
    password = request.form.get("password", "")[:1024]
    account = find_account(username) if username else None
    if account is None:
        dummy_password_check(password)
    ok = account is not None and account.is_active and account.check_password(password)
    with writing():
        if not ok or account is None:
            append(Actor(None, None, request.remote_addr), "login_failed",
                   detail={"username": username})
        else:
            if account.needs_rehash():
                account.set_password(password)
            login_user(account)
            append(actor(account), "login")
    if not ok:
        return render_template("auth/login.html", error=t("login.failed"), username=username,
                               next=target), 401
    flash(t("login.welcome", name=username), "success")
    if account is not None and account.must_change_password:  # a one-time password
        return redirect(url_for(".password", next=target), code=303)
    return redirect(safe_next(target), code=303)


PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")


@bp.route("/account/password", methods=("GET", "POST"))
@limiter.limit(login_limit, methods=["POST"])  # the current password can be guessed here too
def password() -> Any:
    """Any signed-in user replaces their own password (the same rules as ``kinerja users
    passwd``); required before anything else after signing in with a one-time password."""
    target = request.values.get("next")
    forced = bool(current_user.must_change_password)
    if request.method == "GET":
        return render_template("auth/password.html", error=None, next=target, forced=forced,
                               minimum=MIN_PASSWORD)
    current, new, confirm = (request.form.get(name, "")[:2048] for name in PASSWORD_FIELDS)
    try:
        change_own_password(current_user.id, current, new, confirm, by=actor())
    except AccountError as error:
        message = t(f"password.error.{error.code or 'wrong'}", minimum=MIN_PASSWORD)
        return render_template("auth/password.html", error=message, field=error.place,
                               next=target, forced=forced, minimum=MIN_PASSWORD), 400
    flash(t("password.changed"), "success")
    return redirect(safe_next(target), code=303)


@bp.post("/logout")
def logout() -> Any:
    with writing():
        append(actor(), "logout")
    logout_user()
    flash(t("login.signed_out"), "success")
    return redirect(url_for(".login"), code=303)


@bp.get("/health")
def health() -> Any:
    """For load balancers and monitoring: no login, no detail beyond up or down."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
