"""Fixtures for the web interface: ``app``, ``client``, ``runner`` (as in Flask's tutorial),
plus the seed case and helpers that turn a case into the assessment form's fields."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.datastructures import MultiDict

from expert import KnowledgeBase, default_knowledge_dir, load_knowledge_base
from webui import create_app

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "WTF_CSRF_ENABLED": False,
}


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
    yield create_app(TEST_CONFIG, instance_path=tmp_path / "instance")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(tmp_path: Path) -> Flask:
    """An application with CSRF protection on, as in production."""
    return create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True},
                      instance_path=tmp_path / "csrf-instance")


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
