"""webui/__init__.py: the application factory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from expert import KnowledgeBase, KnowledgeBaseError, default_knowledge_dir
from webui import create_app
from webui.config import SECRET_KEY_FILE


def test_config_is_the_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_knowledge_base_is_loaded_once_into_extensions(app):
    kb = app.extensions["expert"]
    assert isinstance(kb, KnowledgeBase)
    assert kb.directory == default_knowledge_dir()


def test_secret_key_is_generated_and_kept_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=instance)
    key_file = instance / SECRET_KEY_FILE
    assert key_file.is_file()
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=instance)
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_a_configured_secret_key_is_used_and_nothing_is_written(app):
    assert not (Path(app.instance_path) / SECRET_KEY_FILE).exists()


def test_sqlite_database_lives_in_the_instance_folder_by_default(tmp_path):
    instance = tmp_path / "instance"
    create_app({"SECRET_KEY": "x"}, instance_path=instance)
    assert (instance / "kinerja.sqlite").is_file()


def test_instance_config_and_environment_are_read(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('SECRET_KEY = "from-file"\n'
                                        'SQLALCHEMY_DATABASE_URI = "sqlite://"\n')
    monkeypatch.setenv("KINERJA_MAX_CONTENT_LENGTH", "2048")
    app = create_app(instance_path=instance)
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["MAX_CONTENT_LENGTH"] == 2048


def test_settings_override_the_instance_config(tmp_path):
    knowledge = tmp_path / "kb"
    shutil.copytree(default_knowledge_dir(), knowledge)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=tmp_path / "i", settings={"KNOWLEDGE_DIR": str(knowledge)})
    assert app.extensions["expert"].directory == knowledge


def test_a_broken_knowledge_base_stops_the_factory(tmp_path):
    (tmp_path / "kb").mkdir()
    with pytest.raises(KnowledgeBaseError):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "KNOWLEDGE_DIR": str(tmp_path / "kb")}, instance_path=tmp_path / "i")


def test_blueprints_are_registered(app):
    assert {"assessments", "knowledge", "api", "lang"} <= set(app.blueprints)
