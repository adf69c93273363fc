"""``kinerja serve`` on gunicorn's gevent workers: several processes, each with its own engines,
one database, and slow clients do not hold the door shut."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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

    from webui.gevent_worker import FairHandler, Worker
    assert issubclass(Worker, GeventPyWSGIWorker) and Worker.wsgi_handler is FairHandler
    assert Worker.server_class.max_accept == 1


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
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
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
