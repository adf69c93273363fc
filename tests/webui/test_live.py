"""Issue 6 against a real server: waitress serving the real application on a real socket, as
`kinerja serve` builds it (webui.server.make_server).

- slow clients: hundreds of idle half-open connections must not lock out a normal request;
- concurrency: many threads creating, editing, re-evaluating, reading and deleting at once,
  then: no server error, no orphan row, and every write answered as a success is stored.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
import yaml
from werkzeug.datastructures import MultiDict

from tests.webui.conftest import (
    PASSWORD,
    TEST_CONFIG,
    _form_fields,
    make_users,
    seed_case_path,
    stop_server,
)
from webui import create_app
from webui.db import Assessment, Evaluation, db
from webui.server import default_runner, make_server


@contextmanager
def live_server(app: Any) -> Iterator[int]:
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        for channel in list(server._map.values()):  # stops the loop: its map empties
            channel.close()
        thread.join(timeout=10)


def file_app(tmp_path: Path, **config: Any) -> Any:
    database = tmp_path / "live.sqlite"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      **config}, instance_path=tmp_path)
    make_users(app)
    return app


SESSION: dict[str, str] = {}  # every page needs a login (issue 7): the session cookie


def sign_in(port: int, username: str = "kepala") -> None:
    """Sign in once through the real server; ``request`` then sends the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = urlencode({"username": username, "password": PASSWORD})
        connection.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        assert response.status == 303
        SESSION["Cookie"] = response.getheader("Set-Cookie", "").split(";", 1)[0]
    finally:
        connection.close()


def request(port: int, method: str, path: str, fields: Any = None,
            timeout: float = 60) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = urlencode(list(fields.items(multi=True))) if fields is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        headers.update(SESSION)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or "", \
            response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.slow
def test_row_slow_clients_200_idle_half_open_sockets_do_not_block_a_request(tmp_path):
    app = file_app(tmp_path)  # the defaults: 1000 connections, idle ones closed after 30 s
    with live_server(app) as port:
        sign_in(port)
        idle = []
        try:
            for _ in range(200):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never end
                idle.append(sock)
            started = time.monotonic()
            # waitress's default limit (100) would queue this request behind the idle sockets
            # until they time out; the client gives up long before that
            status, _, page = request(port, "GET", "/", timeout=10)
            elapsed = time.monotonic() - started
        finally:
            for sock in idle:
                sock.close()
    assert status == 200 and "Penilaian" in page
    print(f"GET / with 200 idle half-open sockets: {elapsed:.3f} s")


class Hammer:
    """Many threads creating, editing (re-evaluating), reading and deleting assessments through
    a server at ``port``, recording what each write was answered."""

    def __init__(self, port: int, threads: int = 24, operations: int = 12):
        seed = yaml.safe_load(seed_case_path().read_text(encoding="utf-8"))
        self.fields = _form_fields(seed)
        self.port, self.threads, self.operations = port, threads, operations
        self.lock = threading.Lock()
        self.created: list[int] = []
        self.deleted: set[int] = set()
        self.edits: dict[int, int] = {}  # assessment id -> edits answered as stored
        self.statuses: list[int] = []
        self.failures: list[str] = []

    def run(self) -> Hammer:
        workers = [threading.Thread(target=self.worker, args=(n,)) for n in range(self.threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=600)
        return self

    def worker(self, seed_number: int) -> None:
        rng = random.Random(seed_number)
        port, fields = self.port, self.fields
        for _ in range(self.operations):
            with self.lock:
                known = list(self.created)
            choice = rng.random()
            target = rng.choice(known) if known else None
            try:
                if target is None or choice < 0.35:
                    status, location, _ = request(port, "POST", "/assessments/new", fields)
                    if status == 303:
                        match = re.search(r"/assessments/(\d+)$", location)
                        assert match, location
                        with self.lock:
                            self.created.append(int(match.group(1)))
                elif choice < 0.65:
                    status, _, _ = request(port, "POST", f"/assessments/{target}/edit", fields)
                    if status == 303:
                        with self.lock:
                            self.edits[target] = self.edits.get(target, 0) + 1
                elif choice < 0.85:
                    status, _, _ = request(port, "GET", f"/assessments/{target}")
                else:  # deleting became archiving (issue 7): gone from the head's view
                    status, _, _ = request(port, "POST", f"/assessments/{target}/archive",
                                           MultiDict({"reason": "race"}))
                    if status == 303:
                        with self.lock:
                            self.deleted.add(target)
            except Exception as error:  # noqa: BLE001 - a hang or a reset is a failure too
                with self.lock:
                    self.failures.append(repr(error))
                continue
            with self.lock:
                self.statuses.append(status)

    def check(self, app: Any) -> None:
        """0 server errors, 0 orphan rows, every write answered as a success is stored."""
        assert self.failures == []
        assert len(self.statuses) == self.threads * self.operations
        assert [s for s in self.statuses if s >= 500] == []
        assert set(self.statuses) <= {200, 303, 404, 409}
        with app.app_context():
            orphans = db.session.scalar(sa.text(
                "SELECT count(*) FROM evaluation WHERE assessment_id NOT IN "
                "(SELECT id FROM assessment)"))
            # deleting became archiving (issue 7): an archived one is kept, out of the lists
            stored = set(db.session.scalars(sa.select(Assessment.id).where(
                Assessment.archived_at.is_(None))))
            archived = set(db.session.scalars(sa.select(Assessment.id).where(
                Assessment.archived_at.is_not(None))))
            per_assessment = dict(db.session.execute(
                sa.select(Evaluation.assessment_id, sa.func.count())
                .group_by(Evaluation.assessment_id)).all())
        assert orphans == 0
        # every answered create is there (the demo too, under `kinerja serve`), every delete gone
        assert set(self.created) - self.deleted <= stored and not stored & self.deleted
        assert archived == self.deleted
        for assessment_id in set(self.created) - self.deleted:
            # the first evaluation and every edit answered as stored
            assert per_assessment[assessment_id] == 1 + self.edits.get(assessment_id, 0)
        assert self.statuses.count(303) > 0
        print(f"{len(self.statuses)} requests: {sorted(set(self.statuses))}; "
              f"{len(self.created)} created, {sum(self.edits.values())} edits, "
              f"{len(self.deleted)} deleted; orphans {orphans}")


@pytest.mark.slow
def test_concurrency_many_threads_through_the_real_server(tmp_path):
    app = file_app(tmp_path)
    with live_server(app) as port:
        sign_in(port)
        hammer = Hammer(port).run()
    hammer.check(app)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(not default_runner().__name__ == "_gunicorn",
                    reason="gunicorn with gevent cannot run here")
def test_concurrency_through_kinerja_serve_with_worker_processes(tmp_path):
    """The same, through `kinerja serve` itself: gunicorn's worker processes sharing one
    SQLite database (its locks are between processes here)."""
    port = _free_port()
    instance = tmp_path / "instance"
    env = {**os.environ, "KINERJA_WTF_CSRF_ENABLED": "false"}
    setup = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI":  # the users (issue 7)
                        f"sqlite:///{instance / 'kinerja.sqlite'}"}, instance_path=instance)
    make_users(setup)
    with setup.app_context():
        db.engine.dispose()
    process = subprocess.Popen(
        [sys.executable, "-m", "expert.cli", "serve", "--port", str(port), "--workers", "2",
         "--instance", str(instance)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kinerja serve did not start: {process.communicate()[1]}")
            time.sleep(0.2)
        sign_in(port)
        hammer = Hammer(port, threads=16, operations=10).run()
    finally:
        stop_server(process)
        if process.stderr:
            process.stderr.close()
    hammer.check(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI":
                             f"sqlite:///{instance / 'kinerja.sqlite'}"},
                            instance_path=tmp_path / "check"))
