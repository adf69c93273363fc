"""``kinerja serve`` on gunicorn's gevent workers: several processes, each with its own engines,
one database, and slow clients do not hold the door shut."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.webui.conftest import stop_server
from webui import workers
from webui.server import default_runner

pytestmark = pytest.mark.skipif(not workers.available(), reason="gunicorn/gevent cannot run here")


def test_the_worker_count_comes_from_the_option_the_environment_or_the_cores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    assert workers.workers_from(None) == workers.default_workers() >= 1
    monkeypatch.setenv(workers.WORKERS_ENV, "3")
    assert workers.workers_from(None) == 3
    assert workers.workers_from("5") == 5
    for wrong in ("0", "many", "-2", "1000"):
        with pytest.raises(ValueError, match="1 to 256"):
            workers.workers_from(wrong)


def test_addresses_and_the_default_server() -> None:
    assert workers.bind_address("::1", 8000) == "[::1]:8000"
    assert workers.bind_address("0.0.0.0", 80) == "0.0.0.0:80"
    assert default_runner().__name__ == "_gunicorn"
    options = workers.gunicorn_options("127.0.0.1", 1, 2)
    assert options["worker_class"] == "webui.gevent_worker.Worker"
    from gunicorn.workers.ggevent import GeventPyWSGIWorker

    from webui.gevent_worker import FairHandler, ShareAcceptServer, Worker
    assert issubclass(Worker, GeventPyWSGIWorker) and Worker.wsgi_handler is FairHandler
    assert Worker.server_class is ShareAcceptServer


def test_a_wrong_worker_count_is_a_fault_at_start(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "expert.cli", "serve", "--workers", "zero",
                             "--instance", str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "cannot start" in result.stderr and "1 to 256" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout: float = 10.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


API_TOKEN: dict[str, str] = {}  # the API needs a token (issue 7): made before the server starts


def _make_api_token(instance: Path) -> str:
    kinerja = [sys.executable, "-m", "expert.cli"]
    subprocess.run([*kinerja, "users", "add", "api", "--role", "trainer", "--password-stdin",
                    "--instance", str(instance)], input="a-long-password\n", text=True,
                   check=True, capture_output=True, timeout=120)
    made = subprocess.run([*kinerja, "users", "token", "api", "--instance", str(instance)],
                          text=True, check=True, capture_output=True, timeout=120)
    return made.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    instance = tmp_path_factory.mktemp("instance")
    API_TOKEN["token"] = _make_api_token(instance)
    process = subprocess.Popen(
        [sys.executable, "-m", "expert.cli", "serve", "--port", str(port), "--workers", "2",
         "--instance", str(instance)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base + "/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                error = process.communicate()[1]
                pytest.fail(f"kinerja serve did not start: {error}")
            time.sleep(0.2)
    yield base, process
    stop_server(process)
    if process.stderr:
        process.stderr.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to count processes")
def test_serve_runs_one_process_per_worker(server: tuple[str, subprocess.Popen]) -> None:
    _, process = server
    assert len(_children(process.pid)) == 2


def test_every_worker_evaluates_like_the_engine(server: tuple[str, subprocess.Popen],
                                                kb, seed_case) -> None:
    from expert import evaluate, parse_case

    base, _ = server
    expected = evaluate(kb, parse_case(kb, seed_case)).to_dict("id")
    body = json.dumps(seed_case).encode()
    for _ in range(6):  # spread over both workers
        request = urllib.request.Request(base + "/api/v1/evaluate?lang=id", data=body,
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {API_TOKEN['token']}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == expected


def test_idle_half_open_connections_do_not_shut_the_door(
        server: tuple[str, subprocess.Popen]) -> None:
    """Issue 6's slow-client case: 200 connections that never finish their headers. gunicorn's
    sync or gthread workers would wait on them forever; here `GET /` is answered (the timeout
    only stops a hang from hanging the suite)."""
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    sockets = []
    try:
        for _ in range(200):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: kinerja\r\n")
            sockets.append(connection)
        assert b"<html" in _get(base + "/", timeout=10).lower()
    finally:
        for connection in sockets:
            connection.close()


def _connections_per_worker(server_pid: int, port: int) -> dict[int, int]:
    """Established connections on ``port`` held by each worker of ``server_pid`` (/proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port:04X}") and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    held = {}
    for pid in _children(server_pid):
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:
                continue
        held[pid] = sum(link[len("socket:["):-1] in inodes for link in links
                        if link.startswith("socket:["))
    return held


async def _keep_alive_clients(port: int, request: bytes, clients: int, rounds: int,
                              while_held: Callable[[], Any]) -> tuple[list[int], int, Any]:
    """``clients`` connections opened at once, each sending ``request`` ``rounds`` times (and
    reconnecting when told ``Connection: close``); ``while_held()`` runs while all are open."""
    statuses: list[int] = []
    reconnects = 0
    finished = 0
    all_done = asyncio.Event()
    release = asyncio.Event()

    async def client() -> None:
        nonlocal reconnects, finished
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(rounds):
            writer.write(request)
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
            await reader.readexactly(length)
            statuses.append(int(head.split()[1]))
            if "connection: close" in head:
                writer.close()
                reconnects += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finished += 1
        if finished == clients:
            all_done.set()
        await release.wait()
        writer.close()

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.wait_for(all_done.wait(), 120)
    seen = while_held()
    release.set()
    await asyncio.gather(*tasks)
    return statuses, reconnects, seen


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs /proc to see sockets")
def test_keep_alive_connections_spread_over_the_workers(
        server: tuple[str, subprocess.Popen], seed_case: dict) -> None:
    """20 clients connecting at once on keep-alive connections, as a load test or a proxy's
    pool does: without balancing one worker often took 16 to 20 of them. No worker keeps
    clearly more than its share (a worker over it answers with Connection: close and the
    client reconnects), and every request is answered."""
    base, process = server
    port = int(base.rsplit(":", 1)[1])
    body = json.dumps(seed_case).encode()
    request = (f"POST /api/v1/evaluate HTTP/1.1\r\nHost: kinerja\r\n"
               f"Authorization: Bearer {API_TOKEN['token']}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
               ).encode() + body
    clients, rounds = 20, 30
    # in a thread of its own: a browser test earlier in the session may own this thread's loop
    with ThreadPoolExecutor(1) as thread:
        statuses, reconnects, held = thread.submit(asyncio.run, _keep_alive_clients(
            port, request, clients, rounds, lambda: _connections_per_worker(process.pid, port))
        ).result(180)
    assert statuses == [200] * clients * rounds
    assert sum(held.values()) == clients, held
    # the rule allows 12 of 20; a connection closed in a client's last round may come back to
    # the same worker with nothing left to send, so up to 14 (without balancing: 16 to 20)
    assert max(held.values()) <= 14, (held, reconnects)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A server whose clients have 2 seconds to send a request's head."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "expert.cli", "serve", "--port", str(port), "--workers", "1",
         "--channel-timeout", "2", "--instance", str(tmp_path_factory.mktemp("strict"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.2)
    yield port
    stop_server(process)


def _wait_for_close(connection: socket.socket, limit: float = 15.0) -> tuple[bytes, float]:
    """What the server sends before it closes ``connection``, and after how many seconds."""
    started = time.monotonic()
    connection.settimeout(limit)
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received, time.monotonic() - started


@pytest.mark.parametrize(("sent", "answer"), [
    (b"", b""),  # connects and says nothing
    (b"GET /health HT", b""),  # half a request line
    (b"GET /health HTTP/1.1\r\nHost: kinerja\r\n", b"HTTP/1.1 408 "),  # headers never end
])
def test_a_client_that_keeps_the_worker_waiting_is_let_go(strict_server: int, sent: bytes,
                                                          answer: bytes) -> None:
    """gevent's server alone waited for ever: 1,000 such sockets filled a worker."""
    with socket.create_connection(("127.0.0.1", strict_server), timeout=10) as connection:
        connection.sendall(sent)
        received, waited = _wait_for_close(connection)
    assert received.startswith(answer) and (answer or not received)
    assert 1.5 < waited < 10


def test_an_idle_keep_alive_connection_is_closed_and_a_busy_one_served(
        strict_server: int) -> None:
    client = http.client.HTTPConnection("127.0.0.1", strict_server, timeout=10)
    try:
        for _ in range(3):  # requests in quick succession keep it open
            client.request("GET", "/health")
            response = client.getresponse()
            assert response.status == 200 and response.read()
            time.sleep(0.5)
        assert client.sock is not None
        received, waited = _wait_for_close(client.sock)
    finally:
        client.close()
    assert received == b"" and waited < 10


def _alive(pid: int, started: str) -> bool:
    """The process ``pid`` that started at ``started`` still runs (not a zombie, and not
    another process that got its number since)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == started and fields[0] != "Z"


def test_an_interrupt_stops_every_worker(server: tuple[str, subprocess.Popen]) -> None:
    _, process = server
    children = {pid: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
                for pid in _children(process.pid)}
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 15
    while any(_alive(pid, started) for pid, started in children.items()):
        assert time.monotonic() < deadline, "a worker outlived the server"
        time.sleep(0.1)
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
