"""The web server under load: `kinerja serve` on gunicorn's workers against the single waitress
process it replaces (the anchor), started side by side on free ports with throwaway instances,
each loaded in turn by benchmarks/load_test.py's client.

    python benchmarks/bench_web.py [--duration 15] [--workers N]

Scenarios: POST /api/v1/evaluate (the seed case) at 20 and at 100 clients; the demo
assessment's report page (gzip) at 20 clients. The client runs on the same machine and takes
CPU from the server: on a 2-core machine the figures are a floor. Each instance gets an admin
made with `kinerja users add` before it starts: the API scenario sends that user's Bearer token,
the report scenario the cookie of a session signed in through /login.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_test import SEED, USER_AGENT, run_load, scenario_request

SCENARIOS = [("api", 20, "p95_ms", 100.0), ("api", 100, "p99_ms", 1000.0),
             ("report", 20, "p95_ms", 150.0)]
PASSWORD = "bench-password-for-load"
WAITRESS = ("import sys; from webui.server import serve, _waitress; "
            "sys.exit(serve(port=int(sys.argv[1]), instance=sys.argv[2], run=_waitress))")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{command[0]} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def provision(kinerja: str, instance: str) -> str:
    """An admin in a new instance; its API token."""
    subprocess.run([kinerja, "users", "add", "bench", "--role", "admin", "--password-stdin",
                    "--instance", instance], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    shown = subprocess.run([kinerja, "users", "token", "bench", "--instance", instance],
                           text=True, check=True, capture_output=True).stdout
    return shown.split()[0]


def sign_in(url: str) -> str:
    """The Cookie header of a session signed in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(url + "/login", timeout=10).read().decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode({"csrf_token": found.group(1), "username": "bench",
                                   "password": PASSWORD}).encode()
    opener.open(url + "/login", data=form, timeout=10).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def measure(port: int, duration: float, token: str) -> dict[str, dict[str, Any]]:
    url = f"http://127.0.0.1:{port}"
    cookie = sign_in(url)
    results = {}
    for scenario, clients, _, _ in SCENARIOS:
        request = scenario_request(url, scenario, None, SEED, token, cookie)
        asyncio.run(run_load(url, request, clients, 2))  # warm-up: engines, caches
        results[f"{scenario}@{clients}"] = asyncio.run(run_load(url, request, clients, duration))
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    page = urllib.request.Request(url + "/assessments/1",
                                  headers={**headers, "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(page, timeout=10) as response:
        results["report_bytes"] = {"gzip": len(response.read())}
    page = urllib.request.Request(url + "/assessments/1", headers=headers)
    with urllib.request.urlopen(page, timeout=10) as response:
        results["report_bytes"]["identity"] = len(response.read())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--workers", help="gunicorn workers (default: one per core)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    kinerja = str(Path(sys.executable).parent / "kinerja")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        for name, command in (
                ("gunicorn", lambda p: [kinerja, "serve", "--port", str(p), "--instance",
                                        f"{work}/g"] + (["--workers", args.workers]
                                                        if args.workers else [])),
                ("waitress", lambda p: [sys.executable, "-c", WAITRESS, str(p), f"{work}/w"])):
            port = free_port()
            token = provision(kinerja, f"{work}/{name[0]}")
            process = start(command(port), port)
            try:
                figures[name] = measure(port, args.duration, token)
            finally:
                stop(process)
    print(f"web: {args.duration:g} s per scenario, client on the same machine")
    for scenario, clients, figure, target in SCENARIOS:
        ours, anchor = figures["gunicorn"][f"{scenario}@{clients}"], \
            figures["waitress"][f"{scenario}@{clients}"]
        print(f"{scenario:<7}{clients:>4} clients  gunicorn {figure[:3]} {ours[figure]:>7.1f} ms "
              f"{ours['per_second']:>6.1f}/s {ours['errors']} errors | waitress "
              f"{anchor[figure]:>7.1f} ms {anchor['per_second']:>6.1f}/s {anchor['errors']} "
              f"errors | {ours[figure] / anchor[figure]:.2f}× waitress, "
              f"{ours[figure] / target:.2f}× the {target:g} ms target")
    sizes = figures["gunicorn"]["report_bytes"]
    print(f"report page: {sizes['gzip'] / 1024:.1f} KB with gzip, {sizes['identity'] / 1024:.1f} "
          f"KB without ({sizes['gzip'] / (80 * 1024):.2f}× the 80 KB target)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
