"""Several worker processes for ``kinerja serve``: gunicorn with gevent workers.

One Python process evaluates on one core at a time (the GIL), so on Linux and other POSIX
systems ``kinerja serve`` starts gunicorn with as many workers as the machine has cores
(``--workers N`` or ``KINERJA_SERVER_WORKERS`` chooses another number). Each worker builds its
own application — its own knowledge base and engines — after the fork; all of them share the
one database (SQLite in WAL mode or PostgreSQL), which is created and seeded by the master
before any worker starts.

Why gevent workers: gunicorn's sync and gthread workers give a thread to each connection while
its request is being read, so a few hundred idle or half-sent connections starve them and
nobody else is served. A gevent worker reads every connection in a greenlet of its own; an idle
socket costs a little memory, never a worker (``worker_connections``, default 1000 per worker,
bounds them; an idle keep-alive connection is closed after ``keepalive`` seconds and a slow
request head after ``SERVER_CHANNEL_TIMEOUT``: webui/gevent_worker.py's ``Timeouts``). Evaluations
are short CPU work and run to completion inside their greenlet.

Where gunicorn or gevent cannot run (Windows), :mod:`webui.server` stays on waitress.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask

WORKERS_ENV = "KINERJA_SERVER_WORKERS"


def available() -> bool:
    """gunicorn with gevent workers can run here (a POSIX system with both installed)."""
    return (os.name == "posix" and importlib.util.find_spec("gunicorn") is not None
            and importlib.util.find_spec("gevent") is not None)


def default_workers() -> int:
    """As many workers as cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def workers_from(value: Any) -> int:
    """A worker count from ``--workers`` or the environment; ValueError says what is allowed."""
    if value is None or value == "":
        value = os.environ.get(WORKERS_ENV) or default_workers()
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 256:
        raise ValueError(f"workers must be a whole number from 1 to 256, not {str(value)[:40]!r}")
    return number


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(host: str, port: int, workers: int, connections: int = 1000,
                     keepalive: int = 5) -> dict[str, Any]:
    from webui import worker_balance

    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        # gevent's WSGI server, fair between connections (see webui/gevent_worker.py)
        "worker_class": "webui.gevent_worker.Worker",
        "worker_connections": connections,
        "keepalive": keepalive,
        "timeout": 60,
        "graceful_timeout": 20,
        "proc_name": "kinerja",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": False,  # each worker builds its own application and engines
        # keep-alive connections spread evenly over the workers (webui/worker_balance.py)
        "pre_fork": worker_balance.assign_slot,
        "child_exit": worker_balance.release_slot,
    }


def run_gunicorn(factory: Callable[[], Flask], options: dict[str, Any]) -> None:
    """Run gunicorn until it is stopped; OSError when it cannot listen."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return factory()

    try:
        Application().run()
    except SystemExit as stop:  # gunicorn exits the process when it stops, or cannot bind
        if stop.code not in (0, None):
            raise OSError(f"gunicorn stopped with status {stop.code} (see the lines above)"
                          ) from None


def check_listen(host: str, port: int) -> None:
    """Raise OSError now if ``host:port`` cannot be listened on (gunicorn would retry for
    seconds, then exit)."""
    import socket

    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(info[0], socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(info[4])


def announce(workers: int) -> None:
    print(f"kinerja: {workers} worker process{'es' if workers != 1 else ''} (gunicorn, gevent)",
          file=sys.stderr)
