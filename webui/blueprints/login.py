"""Signing in and out (``/login``, ``/logout``) and the health check (``/health``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from webui.auth import actor, limiter, login_limit
from webui.blueprints.lang import safe_next
from webui.db import db
from webui.db.accounts import dummy_password_check, find_account
from webui.db.audit import Actor, append
from webui.db.transaction import writing
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
