"""The web server under load: `kinerja serve` on gunicorn's workers against the single waitress
process it replaces (the anchor), started side by side on free ports with throwaway instances,
each loaded in turn by benchmarks/load_test.py's client.

    python benchmarks/bench_web.py [--duration 15] [--workers N] [--token TOKEN]

Scenarios: POST /api/v1/evaluate (the seed case) at 20 and at 100 clients; the demo
assessment's report page (gzip) at 20 clients. The client runs on the same machine and takes
CPU from the server: on a 2-core machine the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_test import SEED, run_load, scenario_request

SCENARIOS = [("api", 20, "p95_ms", 100.0), ("api", 100, "p99_ms", 1000.0),
             ("report", 20, "p95_ms", 150.0)]
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


def measure(port: int, duration: float, token: str | None) -> dict[str, dict[str, Any]]:
    url = f"http://127.0.0.1:{port}"
    results = {}
    for scenario, clients, _, _ in SCENARIOS:
        request = scenario_request(url, scenario, None, SEED, token)
        asyncio.run(run_load(url, request, clients, 2))  # warm-up: engines, caches
        results[f"{scenario}@{clients}"] = asyncio.run(run_load(url, request, clients, duration))
    page = urllib.request.Request(url + "/assessments/1", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(page, timeout=10) as response:
        results["report_bytes"] = {"gzip": len(response.read())}
    with urllib.request.urlopen(url + "/assessments/1", timeout=10) as response:
        results["report_bytes"]["identity"] = len(response.read())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--workers", help="gunicorn workers (default: one per core)")
    parser.add_argument("--token", help="sent as Authorization: Bearer TOKEN")
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
            process = start(command(port), port)
            try:
                figures[name] = measure(port, args.duration, args.token)
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
