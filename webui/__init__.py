"""Kinerja's web interface: a Flask application factory over the expert core.

``create_app()`` loads the configuration (defaults, then the instance folder's ``config.py``
and ``KINERJA_*`` environment variables, then the caller's settings), the knowledge base (once,
into ``app.extensions["expert"]``) and the database, and registers the blueprints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress

from webui import auth, errors, expert_ext, i18n, report, routing, security
from webui import db as database
from webui.config import Defaults, secret_key
from webui.db import plan_status as _plan_status  # noqa: F401  (its table, before create_all)
from webui.startup import StartupError, check_config

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None, *,
               instance_path: str | Path | None = None,
               settings: Mapping[str, Any] | None = None) -> Flask:
    """Create the application.

    ``test_config`` replaces the instance configuration (as in Flask's tutorial);
    ``settings`` are applied on top of it (``kinerja serve --knowledge`` uses them);
    ``instance_path`` is the folder that holds the database and the secret key.
    """
    app = Flask(__name__, instance_relative_config=True,
                instance_path=str(Path(instance_path).resolve()) if instance_path else None)
    app.config.from_object(Defaults)
    if test_config is None:
        _instance_config(app)
        app.config.from_prefixed_env("KINERJA")
    else:
        app.config.from_mapping(test_config)
    if settings:
        app.config.from_mapping(settings)
    check_config(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    expert_ext.init_app(app)
    database.init_app(app)
    i18n.init_app(app)
    report.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    # Pages, JSON and static files compressed for clients that accept it: the report page,
    # with every explanation inline for print, shrinks from about 220 KB to about 20 KB.
    Compress(app)
    routing.init_app(app)

    from webui.blueprints import (
        admin,
        api,
        assessments,
        audit,
        followup,
        imports,
        knowledge,
        lang,
        login,
        training,
    )

    app.register_blueprint(login.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(assessments.bp)
    app.register_blueprint(followup.bp)
    app.register_blueprint(knowledge.bp)
    app.register_blueprint(lang.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(training.bp)
    app.register_blueprint(imports.bp)
    security.csrf.exempt(api.bp)  # the API takes JSON only; no form can post to it
    return app


def _instance_config(app: Flask) -> None:
    """The instance folder's config.py; any error in it stops the start with its place."""
    path = Path(app.instance_path) / "config.py"
    try:
        app.config.from_pyfile("config.py", silent=True)
    except SyntaxError:
        raise
    except Exception as error:  # noqa: BLE001 - the operator's file: name it, no traceback
        raise StartupError(f"{path}: {type(error).__name__}: {str(error)[:200]}",
                           "correct or remove the file") from None
