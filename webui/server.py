"""``kinerja serve``: the application on waitress, a production WSGI server.

On an instance's first start the database is created and the knowledge base's seed case is
added as a demo assessment.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from expert import KinerjaError
from webui import create_app
from webui.db import seed_demo
from webui.expert_ext import knowledge_base

Runner = Callable[..., Any]


def _waitress(app: Flask, host: str, port: int) -> None:
    import waitress

    waitress.serve(app, host=host, port=port, threads=8, ident="kinerja")


def prepare(instance: str | Path | None = None, knowledge: str | Path | None = None) -> Flask:
    """The application for ``instance`` (default ``./instance``), demo added on first start."""
    settings = {"KNOWLEDGE_DIR": str(knowledge)} if knowledge else None
    app = create_app(instance_path=Path(instance) if instance else Path.cwd() / "instance",
                     settings=settings)
    with app.app_context():
        demo = seed_demo(knowledge_base())
        if demo is not None:
            print(f"kinerja: added the demo assessment '{demo.subject_name}'", file=sys.stderr)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, instance: str | Path | None = None,
          knowledge: str | Path | None = None, run: Runner = _waitress) -> int:
    """Run Kinerja's web application until interrupted; the exit status of ``kinerja serve``."""
    try:
        app = prepare(instance, knowledge)
    except KinerjaError as error:
        print(f"kinerja: cannot start: {error}", file=sys.stderr)
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"kinerja: serving on http://{shown}:{port}/ (instance: {app.instance_path}; "
          "Ctrl+C stops)", file=sys.stderr)
    try:
        run(app, host=host, port=port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        print(f"kinerja: cannot listen on {host}:{port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    return 0
