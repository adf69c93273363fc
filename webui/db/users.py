"""Managing users and offices — the one place the command line and the admin pages call —
each change entered in the audit log."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from webui.db.accounts import (
    FIRST_ADMIN,
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLES,
    USERNAME_PATTERN,
    Account,
    ApiToken,
    Office,
    find_account,
    find_office,
    new_token,
)
from webui.db.audit import SYSTEM, Actor, append
from webui.db.base import db, utcnow
from webui.db.transaction import writing

PASSWORD_ALPHABET = string.ascii_letters + string.digits


class AccountError(ValueError):
    """A user-management request that cannot be done; ``place`` names the field, ``code``
    the kind of fault and ``values`` its details, for pages that say it in the user's
    language (``account.error.CODE`` in webui/translations/messages.yaml); ``message`` is the
    English text the command line prints."""

    def __init__(self, place: str, message: str, code: str = "", **values: Any) -> None:
        super().__init__(f"{place}: {message}")
        self.place = place
        self.message = message
        self.code = code
        self.values = values


def check_password(password: str, place: str = "password") -> None:
    """The password rules, the same everywhere a password is chosen."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(place, f"at least {MIN_PASSWORD} characters", "too_short",
                           minimum=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(place, f"at most {MAX_PASSWORD} characters", "too_long",
                           maximum=MAX_PASSWORD)


def _check_role(role: str) -> None:
    if role not in ROLES:
        allowed = ", ".join(ROLES)
        raise AccountError("role", f"one of {allowed}", "role", roles=allowed)


def _offices(names: Iterable[str], *, create: bool) -> list[Office]:
    found: list[Office] = []
    for name in names:
        clean = " ".join(name.split())
        if not clean:
            continue
        office = find_office(clean)
        if office is None:
            if not create:
                raise AccountError("office", f"unknown office '{clean}'", "unknown_office",
                                   name=clean)
            office = Office(name=clean[:200])
            db.session.add(office)
        if office not in found:
            found.append(office)
    return found


def add_user(username: str, role: str, password: str, offices: Iterable[str] = (), *,
             by: Actor) -> Account:
    """A new user; unknown offices are created (the caller is an admin)."""
    if not re.match(USERNAME_PATTERN, username):
        raise AccountError("username", "1-80 letters, digits or . _ @ - (starting with a "
                           "letter or digit)", "username_form")
    _check_role(role)
    check_password(password)
    with writing():
        if find_account(username) is not None:
            raise AccountError("username", f"'{username}' exists already", "exists",
                               name=username)
        account = Account(username=username, role=role, active=True)
        account.set_password(password)
        account.offices = _offices(offices, create=True)
        if role == "head" and not account.offices:
            raise AccountError("office", "a head needs at least one office (--office NAME)",
                               "head_office")
        db.session.add(account)
        db.session.flush()
        append(by, "user_add", "user", username,
               detail={"role": role, "offices": [o.name for o in account.offices]})
    return account


def _existing(username: str) -> Account:
    account = find_account(username)
    if account is None:
        raise AccountError("username", f"no user '{username}'", "no_user", name=username)
    return account


def set_active(username: str, active: bool, *, by: Actor) -> Account:
    with writing():
        account = _existing(username)
        account.active = active
        append(by, "user_enable" if active else "user_disable", "user", username)
    return account


def set_password(username: str, password: str, *, by: Actor) -> Account:
    """A password chosen by an operator (``kinerja users passwd``, the admin's page); it
    replaces a one-time password too."""
    check_password(password)
    with writing():
        account = _existing(username)
        account.set_password(password)
        account.must_change_password = False
        append(by, "user_passwd", "user", username)
    return account


def change_own_password(account_id: int, current: str, new: str, confirm: str, *,
                        by: Actor) -> Account:
    """A signed-in user replaces their own password: the current one must match, the new one
    follows the rules of :func:`check_password`, is typed twice and differs from the
    current one."""
    check_password(new, "new_password")
    if new != confirm:
        raise AccountError("confirm_password", "the two new passwords differ", "differ")
    with writing():
        account = db.session.get(Account, account_id)
        if account is None or not account.check_password(current):
            raise AccountError("current_password", "the current password is wrong", "wrong")
        if new == current:
            raise AccountError("new_password", "choose a password other than the current one",
                               "same")
        account.set_password(new)
        account.must_change_password = False
        append(by, "user_passwd", "user", account.username, detail={"own": True})
    return account


def create_first_admin() -> str | None:
    """On an instance without any user (disabled ones count), the admin ``admin`` with a
    one-time password, returned once to be shown and never stored in clear; None when a
    user exists. The count and the insert share one serialised transaction, so several
    processes starting together make one admin."""
    with writing():
        if db.session.scalar(sa.select(sa.func.count(Account.id))):
            return None
        # 20 letters and digits (119 random bits): one word to copy from a terminal
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))
        account = Account(username=FIRST_ADMIN, role="admin", active=True,
                          must_change_password=True)
        account.set_password(password)
        db.session.add(account)
        db.session.flush()
        append(SYSTEM, "user_add", "user", FIRST_ADMIN,
               detail={"role": "admin", "offices": [], "first_admin": True})
    return password


def set_role(username: str, role: str, offices: Iterable[str], *, by: Actor) -> Account:
    _check_role(role)
    with writing():
        account = _existing(username)
        chosen = _offices(offices, create=False)
        if role == "head" and not chosen:
            raise AccountError("office", "a head needs at least one office", "head_office")
        if account.role != role:
            append(by, "user_role", "user", username, detail={"from": account.role, "to": role})
            account.role = role
        names = [o.name for o in chosen]
        if [o.name for o in account.offices] != sorted(names):
            account.offices = chosen
            append(by, "user_offices", "user", username, detail={"offices": sorted(names)})
    return account


def issue_token(username: str, *, by: Actor) -> str:
    with writing():
        account = _existing(username)
        if not account.is_active:
            raise AccountError("username", f"'{username}' is disabled", "disabled",
                               name=username)
        secret = new_token(account)
        append(by, "token_issue", "user", username)
    return secret


def tokens_of(username: str) -> list[ApiToken]:
    """A user's API tokens, oldest first (only their hashes are kept)."""
    account = _existing(username)
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.account_id == account.id)
                                   .order_by(ApiToken.id)))


def revoke_tokens(username: str, token_id: int | None, *, by: Actor) -> list[int]:
    """Revoke one of the user's API tokens (``token_id``) or, with None, every one still in
    use; the ids revoked. A revoked token is refused from the next request on."""
    with writing():
        account = _existing(username)
        query = sa.select(ApiToken).where(ApiToken.account_id == account.id,
                                          ApiToken.revoked_at.is_(None))
        if token_id is not None:
            query = query.where(ApiToken.id == token_id)
        tokens = list(db.session.scalars(query))
        if token_id is not None and not tokens:
            raise AccountError("token", f"'{username}' has no token {token_id} in use "
                               f"(see: kinerja users tokens {username})",
                               "no_token", name=username, token=token_id)
        now = utcnow()
        for token in tokens:
            token.revoked_at = now
            append(by, "token_revoke", "user", username, detail={"token": token.id})
    return [token.id for token in tokens]


def add_office(name: str, *, by: Actor) -> Office:
    clean = " ".join(name.split())
    if not clean or len(clean) > 200:
        raise AccountError("name", "1-200 characters", "office_name")
    with writing():
        if find_office(clean) is not None:
            raise AccountError("name", f"the office '{clean}' exists already", "office_exists",
                               name=clean)
        office = Office(name=clean)
        db.session.add(office)
        append(by, "office_add", "office", clean)
    return office


def all_users() -> list[Account]:
    return list(db.session.scalars(sa.select(Account).order_by(Account.username)))


def all_offices() -> list[Office]:
    return list(db.session.scalars(sa.select(Office).order_by(Office.name)))
