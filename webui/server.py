"""``kinerja serve``: the application on gunicorn's worker processes (see
:mod:`webui.workers`) where they can run, on waitress elsewhere; both are production servers.

Everything is checked before the first request (see :mod:`webui.startup`): a fault is one line
and exit status 2. On an instance's first start the database is created and the knowledge
base's seed case is added as a demo assessment, before any worker starts; on every start
the database is brought to the current schema (``AUTO_UPGRADE``), and while there is no user
at all the admin ``admin`` is created with a one-time password printed once, in one line, to
the console (``FIRST_ADMIN``; switched off, the line says how to create the first admin).
This happens here, in the one process that starts the workers, before any of them exists.

Slow clients: both servers read requests asynchronously (gevent greenlets; waitress's own
loop), so an idle or half-sent connection costs a socket, not a worker. The connection limit
(``SERVER_CONNECTION_LIMIT``, default 1000, per gunicorn worker) is far above what an office
needs, and both close a connection that keeps them waiting: waitress after
``SERVER_CHANNEL_TIMEOUT`` seconds (default 30) without a byte; a gunicorn worker when a
request's line and headers take longer than that (408), when a read or write waits that long,
or when a keep-alive connection sends no next request within ``keepalive`` (5 s). So a few
hundred slow sockets cannot lock others out.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from webui import create_app
from webui.db import seed_demo
from webui.db.accounts import FIRST_ADMIN, account_count
from webui.db.users import create_first_admin
from webui.expert_ext import knowledge_base
from webui.startup import (
    StartupError,
    check_config,
    check_database,
    check_host,
    check_port,
    flag,
)
from webui.startup import describe as describe_fault

Runner = Callable[..., Any]


def _raise_file_limit(wanted: int) -> None:
    """Each connection is a file descriptor: allow as many as the connection limit needs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def make_server(app: Flask, host: str, port: int) -> Any:
    """A waitress server for ``app`` with Kinerja's limits (see the module's docstring)."""
    import waitress.server

    settings = check_config(app.config)
    _raise_file_limit(settings["SERVER_CONNECTION_LIMIT"] + 64)
    proxy = app.config.get("TRUSTED_PROXY")
    extra: dict[str, Any] = {}
    if proxy:  # X-Forwarded-* headers are believed from this proxy only
        extra = {"trusted_proxy": proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": app.config.get("TRUSTED_PROXY_HEADERS"),
                 "clear_untrusted_proxy_headers": True}
    return waitress.server.create_server(
        app, host=host, port=port, ident="kinerja", threads=settings["SERVER_THREADS"],
        connection_limit=settings["SERVER_CONNECTION_LIMIT"],
        channel_timeout=settings["SERVER_CHANNEL_TIMEOUT"],
        asyncore_use_poll=True,  # select() fails past 1024 descriptors
        **extra)


def _waitress(app: Flask, host: str, port: int, **_options: Any) -> None:
    make_server(app, host, port).run()


def _gunicorn(app: Flask, host: str, port: int, workers: int | str | None = None,
              **_options: Any) -> None:
    """gunicorn's workers, each with an application of its own built like ``app``."""
    from webui import workers as gunicorn_workers
    from webui.db import db

    number = gunicorn_workers.workers_from(workers)
    gunicorn_workers.check_listen(host, port)
    server_settings = check_config(app.config)
    connections = server_settings["SERVER_CONNECTION_LIMIT"]
    _raise_file_limit(connections + 64)
    instance, settings = app.instance_path, {"KNOWLEDGE_DIR": app.config.get("KNOWLEDGE_DIR")}
    with app.app_context():
        db.engine.dispose()  # no connection crosses the fork

    def factory() -> Flask:
        return create_app(instance_path=instance, settings=settings)

    gunicorn_workers.announce(number)
    options = gunicorn_workers.gunicorn_options(host, port, number, connections=connections)
    from webui import gevent_worker  # the limits are set here, in the master, before the fork

    gevent_worker.configure(head=server_settings["SERVER_CHANNEL_TIMEOUT"])
    if app.config.get("TRUSTED_PROXY"):  # X-Forwarded-* believed from this proxy only
        options["forwarded_allow_ips"] = app.config["TRUSTED_PROXY"]
    gunicorn_workers.run_gunicorn(factory, options)


def default_runner() -> Runner:
    """gunicorn where it can run, waitress elsewhere."""
    from webui import workers as gunicorn_workers

    return _gunicorn if gunicorn_workers.available() else _waitress


def prepare(instance: str | Path | None = None, knowledge: str | Path | None = None,
            settings: dict[str, Any] | None = None) -> Flask:
    """The application for ``instance`` (default ``./instance``), checked, with the demo added
    on first start."""
    chosen = dict(settings or {})
    if knowledge:
        chosen["KNOWLEDGE_DIR"] = str(knowledge)
    app = create_app(instance_path=Path(instance) if instance else Path.cwd() / "instance",
                     settings=chosen or None)
    check_database(app)
    with app.app_context():
        demo = seed_demo(knowledge_base())
        if demo is not None:
            print(f"kinerja: added the demo assessment '{demo.subject_name}'", file=sys.stderr)
        _first_admin(app, instance)
    return app


def _first_admin(app: Flask, instance: str | Path | None) -> None:
    """The first admin, or (``FIRST_ADMIN`` off) how to create one. The password goes to the
    console only: never to a log, never to the database in clear."""
    if flag(app.config, "FIRST_ADMIN"):
        password = create_first_admin()
        if password is not None:
            print(f"kinerja: first start: created the user '{FIRST_ADMIN}' (admin) with the "
                  f"one-time password {password} - sign in and choose your own; it is shown "
                  f"only now (pengguna '{FIRST_ADMIN}' dibuat dengan kata sandi sekali pakai "
                  "ini; masuk lalu ganti)", file=sys.stderr, flush=True)
    elif account_count() == 0:
        where = f" --instance {instance}" if instance else ""
        print(f"kinerja: no user yet; create the first admin with: kinerja users add admin "
              f"--role admin{where}", file=sys.stderr)


def serve(host: str = "127.0.0.1", port: int | str = 8000,
          instance: str | Path | None = None, knowledge: str | Path | None = None,
          run: Runner | None = None, workers: int | str | None = None,
          threads: int | None = None, connection_limit: int | None = None,
          channel_timeout: int | None = None) -> int:
    """Run Kinerja's web application until interrupted; the exit status of ``kinerja serve``.

    ``workers``: gunicorn's worker processes (default: ``KINERJA_SERVER_WORKERS``, else one per
    core); waitress, where gunicorn cannot run, has one process with ``threads`` threads."""
    from webui.workers import workers_from

    overrides = {name: value for name, value in (
        ("SERVER_THREADS", threads), ("SERVER_CONNECTION_LIMIT", connection_limit),
        ("SERVER_CHANNEL_TIMEOUT", channel_timeout)) if value is not None}
    try:
        number = check_port(port)
        check_host(host, number)
        if workers is not None:
            try:
                workers_from(workers)
            except ValueError as error:
                raise StartupError(str(error), "give --workers a number of processes") from None
        app = prepare(instance, knowledge, overrides)
    except Exception as error:  # noqa: BLE001 - every fault is one line, never a traceback
        fault = describe_fault(error, str(instance or "instance"))
        print(f"kinerja: cannot start: {fault}", file=sys.stderr)
        return 2
    run = run or default_runner()
    shown = f"[{host}]" if ":" in host else host
    print(f"kinerja: serving on http://{shown}:{number}/ (instance: {app.instance_path}; "
          "Ctrl+C stops)", file=sys.stderr)
    try:
        run(app, host=host, port=number, workers=workers)
    except OSError as error:  # the port is taken, or the address is not this machine's
        print(f"kinerja: cannot start: cannot listen on {host}:{number}: "
              f"{error.strerror or error} (choose another --port or --host, or stop the "
              "program that uses it)", file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"kinerja: cannot start: {error}", file=sys.stderr)
        return 2
    return 0
