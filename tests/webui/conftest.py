"""Fixtures for the web interface: ``app``, ``client``, ``runner`` (as in Flask's tutorial),
plus the seed case and helpers that turn a case into the assessment form's fields.

Every page needs a login: ``client`` is signed in as a head of office (``kepala``, office
"Dinas Uji") and carries an API token; ``client_as(username)`` signs in anyone of
:data:`USERS`; ``anonymous`` is signed in as nobody; a bare ``app.test_client()`` is signed in
as ``admin`` (who may do everything), so that tests about other things need no login."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.datastructures import MultiDict

import webui.db.accounts
from expert import KnowledgeBase, default_knowledge_dir, load_knowledge_base
from webui import create_app
from webui.db.accounts import find_account, new_token
from webui.db.audit import SYSTEM
from webui.db.transaction import writing
from webui.db.users import add_user

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "WTF_CSRF_ENABLED": False,
    "LOGIN_RATE_LIMIT": "1000 per minute",
}
PASSWORD = "password-for-tests"
OFFICE, OTHER_OFFICE = "Dinas Uji", "Dinas Lain"
# username -> (role, offices)
USERS = {
    "admin": ("admin", ()),
    "kepala": ("head", (OFFICE,)),
    "kepala2": ("head", (OTHER_OFFICE,)),
    "pelatih": ("trainer", ()),
    "auditor": ("auditor", ()),
}


POSTGRES_ENV = "KINERJA_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL, or a skip (a failure in CI, where it must be set)."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is unset in CI: .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"{POSTGRES_ENV} is unset (bash .ci/postgres start prints one)")
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    url = sa.engine.make_url(postgres_url())
    name = f"kinerja_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each database test runs on SQLite (a file) and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    with fresh_postgres_database() as url:
        yield url


def dispose(app: Flask) -> None:
    from webui.db import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_app(database_uri: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on each database backend, with the test users."""
    application = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                             instance_path=tmp_path / "instance")
    make_users(application)
    yield application
    dispose(application)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2's cheapest parameters: the tests check logins, not the hash's cost."""
    original = webui.db.accounts._hasher
    webui.db.accounts._hasher = PasswordHasher.from_parameters(CHEAPEST)
    yield
    webui.db.accounts._hasher = original


def make_users(app: Flask) -> None:
    with app.app_context():
        for username, (role, offices) in USERS.items():
            if find_account(username) is None:
                add_user(username, role, PASSWORD, offices, by=SYSTEM)


def login(client: FlaskClient, username: str, app: Flask | None = None) -> FlaskClient:
    """Sign ``client`` in as ``username`` through /login, and give it an API token."""
    data = {"username": username, "password": PASSWORD}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    with client.session_transaction() as session:  # the welcome message is not the test's
        session.pop("_flashes", None)
    application = app or client.application
    with application.app_context(), writing():
        token = new_token(find_account(username))
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def stop_server(process: subprocess.Popen) -> None:
    """Interrupt a server (as Ctrl+C does); kill it if it has not stopped in 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def seed_case_path() -> Path:
    return next(p for p in sorted((default_knowledge_dir() / "cases").iterdir())
                if "seed" in p.name)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base(None)


@pytest.fixture(scope="session")
def seed_case() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(seed_case_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app(TEST_CONFIG, instance_path=tmp_path / "instance")
    make_users(application)
    application.test_client_class = AdminClient
    yield application


def anonymous_client(app: Flask) -> FlaskClient:
    """A client signed in as nobody, whatever the app's test client class."""
    return FlaskClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Signed in as a head of office, with an API token."""
    return login(anonymous_client(app), "kepala")


@pytest.fixture
def sign_in() -> Any:
    """``sign_in(app, username="kepala")``: a client of any app, signed in."""

    def signed(application: Flask, username: str = "kepala") -> FlaskClient:
        make_users(application)
        return login(application.test_client(), username)

    return signed


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    return anonymous_client(app)


@pytest.fixture
def client_as(app: Flask) -> Any:
    """``client_as("auditor")``: a new client signed in as that user."""
    return lambda username: login(anonymous_client(app), username)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(tmp_path: Path) -> Flask:
    """An application with CSRF protection on, as in production."""
    application = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True},
                             instance_path=tmp_path / "csrf-instance")
    make_users(application)
    application.test_client_class = SignedInClient
    return application


class SignedInClient(FlaskClient):
    """A test client that signs in as the head ``kepala`` when it is made."""

    username = "kepala"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login(self, self.username)


class AdminClient(SignedInClient):
    username = "admin"


def _form_fields(case: Mapping[str, Any], notes: Mapping[str, str] | None = None
                 ) -> MultiDict[str, str]:
    """The assessment form's fields for a case document in canonical English."""
    subject = case["subject"]
    fields: list[tuple[str, str]] = [
        ("subject_name", subject["name"]), ("subject_kind", subject.get("kind", "unit")),
        ("period", str(subject.get("period", ""))), ("notes", case.get("notes", "") or ""),
    ]
    for indicator, finding in case.get("findings", {}).items():
        if isinstance(finding, Mapping):
            fields += [(f"rating-{indicator}-{source}", rating)
                       for source, rating in finding.items()]
        else:
            fields.append((f"rating-{indicator}-combined", finding))
    fields += [("factor", factor) for factor in case.get("factors", [])]
    fields += [(f"measure-{m}", str(v)) for m, v in case.get("measures", {}).items()]
    fields += [(f"note-{i}", text) for i, text in (notes or {}).items()]
    return MultiDict(fields)


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _save(client: FlaskClient, case: Mapping[str, Any], **notes: str) -> int:
    """Post the form for ``case``; the new assessment's id."""
    response = client.post("/assessments/new", data=_form_fields(case, notes))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(r"/assessments/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


# Helpers as fixtures, so that test modules need not import this conftest.
@pytest.fixture
def form_fields() -> Any:
    return _form_fields


@pytest.fixture
def csrf_token() -> Any:
    return _csrf_token


@pytest.fixture
def save(client: FlaskClient) -> Any:
    """``save(case, **notes)`` posts the form and answers the new assessment's id."""
    return lambda case, **notes: _save(client, case, **notes)
