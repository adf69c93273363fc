"""For admins: users (add, role and offices, disable, password) and offices."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from webui.auth import actor, require
from webui.db.accounts import ROLES
from webui.db.users import (
    AccountError,
    add_office,
    add_user,
    all_offices,
    all_users,
    set_active,
    set_password,
    set_role,
)
from webui.i18n import t

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(error: AccountError | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/users.html", users=all_users(), offices=all_offices(),
                           roles=ROLES, error=error, form=request.form), status


@bp.get("/users")
@require("users.manage")
def users() -> Any:
    return _page()


@bp.post("/users")
@require("users.manage")
def create_user() -> Any:
    try:
        add_user(request.form.get("username", "").strip(), request.form.get("role", ""),
                 request.form.get("password", ""), request.form.getlist("office"), by=actor())
    except AccountError as error:
        return _page(error, 400)
    flash(t("admin.user_added", name=request.form.get("username", "").strip()), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/users/<username>")
@require("users.manage")
def update_user(username: str) -> Any:
    """Change the role and offices, enable or disable, or set a new password."""
    try:
        action = request.form.get("action", "")
        if action == "role":
            set_role(username, request.form.get("role", ""), request.form.getlist("office"),
                     by=actor())
        elif action in ("disable", "enable"):
            set_active(username, action == "enable", by=actor())
        elif action == "password":
            set_password(username, request.form.get("password", ""), by=actor())
        else:
            raise AccountError("action", "one of role, disable, enable, password", "action")
    except AccountError as error:
        return _page(error, 400)
    flash(t("admin.user_changed", name=username), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/offices")
@require("users.manage")
def create_office() -> Any:
    try:
        add_office(request.form.get("name", ""), by=actor())
    except AccountError as error:
        return _page(error, 400)
    flash(t("admin.office_added", name=request.form.get("name", "").strip()), "success")
    return redirect(url_for(".users"), code=303)
