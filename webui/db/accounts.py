"""Users, their roles and offices, and API tokens.

Passwords are hashed with argon2 (argon2-cffi's defaults, rehashed when those change); API
tokens are random 256-bit secrets stored as their SHA-256 (a token is not guessable, so a
slow hash adds nothing) and shown once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from webui.db.base import db, utcnow
from webui.db.canonical import sha256_hex

ROLES = ("admin", "head", "trainer", "auditor")
FIRST_ADMIN = "admin"  # the username of the account made on an instance's first start
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
TOKEN_PREFIX = "kinerja_"

_hasher = PasswordHasher()

account_office = sa.Table(
    "account_office", db.metadata,
    sa.Column("account_id", sa.ForeignKey("account.id"), primary_key=True),
    sa.Column("office_id", sa.ForeignKey("office.id"), primary_key=True),
)


class Office(db.Model):  # type: ignore[name-defined,misc]
    """A government office (unit kerja). Keyed by its name, which is what a case's
    ``subject.office`` names."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Account(db.Model):  # type: ignore[name-defined,misc]
    """A user. Never deleted: disabled, so that the audit log's names keep meaning."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The password was made by Kinerja (the first admin's one-time password): every page
    # but the change-password page is closed until the user chooses their own.
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                                       server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    offices: Mapped[list[Office]] = relationship(secondary=account_office,
                                                 order_by="Office.name")

    # Flask-Login's user protocol
    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """Only reads: a rehash (:meth:`needs_rehash`) is a write, made by the caller inside
        its write transaction."""
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return True

    def needs_rehash(self) -> bool:
        """The hash was made with other argon2 parameters than today's."""
        return bool(_hasher.check_needs_rehash(self.password_hash))

    def office_ids(self) -> set[int]:
        return {office.id for office in self.offices}


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown username is not told apart by timing."""
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        pass


_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    account: Mapped[Account] = relationship()


def new_token(account: Account) -> str:
    """A new API token for ``account``: the secret is returned once, only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(account=account, token_hash=sha256_hex(secret)))
    return secret


def account_for_token(secret: str) -> Account | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = sha256_hex(secret)
    # one query per API call: the token with its account
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest)
                              .options(joinedload(ApiToken.account)))
    if token is None or token.revoked_at is not None or not hmac.compare_digest(
            token.token_hash, digest):
        return None
    return token.account if token.account.is_active else None


def find_account(username: str) -> Account | None:
    return db.session.scalar(sa.select(Account).where(Account.username == username))


def find_office(name: str) -> Office | None:
    """The office of that name, ignoring case and surrounding spaces."""
    wanted = " ".join(name.split()).casefold()
    for office in db.session.scalars(sa.select(Office)):
        if " ".join(office.name.split()).casefold() == wanted:
            return office
    return None


def account_count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count(Account.id))) or 0)
