"""``kinerja serve``: the application on gunicorn's worker processes (see
:mod:`webui.workers`) where they can run, on waitress elsewhere; both are production servers.

On an instance's first start the database is created and the knowledge base's seed case is
added as a demo assessment, before any worker starts.
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


def _waitress(app: Flask, host: str, port: int, **_options: Any) -> None:
    import waitress

    waitress.serve(app, host=host, port=port, threads=8, ident="kinerja")


def _gunicorn(app: Flask, host: str, port: int, workers: int | str | None = None,
              **_options: Any) -> None:
    """gunicorn's workers, each with an application of its own built like ``app``."""
    from webui import workers as gunicorn_workers
    from webui.db import db

    number = gunicorn_workers.workers_from(workers)
    gunicorn_workers.check_listen(host, port)
    instance, settings = app.instance_path, {"KNOWLEDGE_DIR": app.config.get("KNOWLEDGE_DIR")}
    with app.app_context():
        db.engine.dispose()  # no connection crosses the fork

    def factory() -> Flask:
        return create_app(instance_path=instance, settings=settings)

    gunicorn_workers.announce(number)
    gunicorn_workers.run_gunicorn(factory, gunicorn_workers.gunicorn_options(host, port, number))


def default_runner() -> Runner:
    """gunicorn where it can run, waitress elsewhere."""
    from webui import workers as gunicorn_workers

    return _gunicorn if gunicorn_workers.available() else _waitress


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
          knowledge: str | Path | None = None, run: Runner | None = None,
          workers: int | str | None = None) -> int:
    """Run Kinerja's web application until interrupted; the exit status of ``kinerja serve``.

    ``workers``: gunicorn's worker processes (default: ``KINERJA_SERVER_WORKERS``, else one per
    core); waitress, where gunicorn cannot run, has one process."""
    from webui.workers import workers_from

    run = run or default_runner()
    try:
        if workers is not None:
            workers_from(workers)  # a wrong number is a fault at start, like the others
        app = prepare(instance, knowledge)
    except (KinerjaError, ValueError) as error:
        print(f"kinerja: cannot start: {error}", file=sys.stderr)
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"kinerja: serving on http://{shown}:{port}/ (instance: {app.instance_path}; "
          "Ctrl+C stops)", file=sys.stderr)
    try:
        run(app, host=host, port=port, workers=workers)
    except OSError as error:  # the port is taken, or the address is not this machine's
        print(f"kinerja: cannot listen on {host}:{port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    return 0
