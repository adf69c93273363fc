"""Several app servers, one database: two ``kinerja serve`` processes append audit entries
concurrently (failed and successful sign-ins, downloads), then ``kinerja audit verify`` finds
one linear, intact chain holding every entry. On PostgreSQL (the way an office outgrows one
machine) and on one SQLite file."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from expert.cli import main
from tests.webui.conftest import PASSWORD, TEST_CONFIG, dispose, make_users
from webui import create_app
from webui.db import db
from webui.db.audit import AuditEvent

pytestmark = pytest.mark.slow

THREADS_PER_SERVER, ROUNDS = 4, 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(instance: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (instance / f"server-{port}.log").open("wb")  # a pipe left unread could fill up
    process = subprocess.Popen(
        [sys.executable, "-m", "expert.cli", "serve", "--port", str(port), "--instance",
         str(instance)], stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError as error:
            if process.poll() is not None:
                message = (instance / f"server-{port}.log").read_text()
                raise RuntimeError(message) from error
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{url} did not start")


class Browser:
    """Just enough of a browser: cookies and the CSRF token of each form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> int:
        _, page = self.get(path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:300]
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def worker(base: str, errors: list[str]) -> None:
    try:
        browser = Browser(base)
        for _ in range(ROUNDS):
            assert browser.post("/login", {"username": "auditor", "password": "wrong"}) == 401
        assert browser.post("/login", {"username": "auditor", "password": PASSWORD}) == 200
        for _ in range(ROUNDS):
            status, _ = browser.get("/assessments/1/evaluations/1/result.json")
            assert status == 200
    except Exception as error:  # reported by the test, with the server's address
        errors.append(f"{base}: {error!r}")


def test_two_servers_append_to_one_chain(database_uri, tmp_path, capsys):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"SQLALCHEMY_DATABASE_URI = {database_uri!r}\nSECRET_KEY = 'shared-by-both'\n"
        "LOGIN_RATE_LIMIT = '10000 per minute'\n")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri},
                     instance_path=tmp_path / "setup")
    make_users(app)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    servers = [start_server(instance) for _ in range(2)]
    try:
        errors: list[str] = []
        threads = [threading.Thread(target=worker, args=(url, errors))
                   for _, url in servers for _ in range(THREADS_PER_SERVER)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        logs = "".join(log.read_text() for log in instance.glob("server-*.log"))
        assert errors == [], logs[-5000:]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    dispose(app)
    # per thread: ROUNDS failed sign-ins, one sign-in, ROUNDS downloads; plus the demo
    added = 2 * THREADS_PER_SERVER * (2 * ROUNDS + 1)
    assert len(entries) >= before + added
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    capsys.readouterr()
    assert main(["audit", "verify", "--instance", str(instance)]) == 0
    out = capsys.readouterr().out
    assert f"{len(entries)} entries, chain intact" in out
    print(out)
