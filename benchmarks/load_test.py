"""Load test for a running Kinerja server: N concurrent clients on keep-alive connections,
each sending its next request as soon as the last is answered (an asyncio client, no
dependencies).

    python benchmarks/load_test.py http://127.0.0.1:8000 --scenario api --clients 20 \\
        --duration 15 [--token TOKEN] [--case FILE]
    python benchmarks/load_test.py http://127.0.0.1:8000 --scenario report --clients 20

Scenarios: ``api`` posts a case to ``POST /api/v1/evaluate`` (the seed case by default);
``report`` reads an assessment's report page (``--path``, default the first assessment) with
``Accept-Encoding: gzip``. ``--token`` sends ``Authorization: Bearer TOKEN`` (for an API that
asks for one). Prints requests per second, latency percentiles, errors and bytes per answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SEED = Path(__file__).resolve().parents[1] / "knowledge" / "cases" / "01_seed_balangan_2025.yaml"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


async def _client(host: str, port: int, request: bytes, deadline: float, tally: Tally) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            writer.write(request)
            await writer.drain()
            status, body, keep_alive = await asyncio.wait_for(_read_response(reader), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.error(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.sizes.append(len(body))
        if status >= 300:  # a redirect (to the login page) is not the page asked for
            tally.error(f"HTTP {status}")
        if not keep_alive:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def build_request(url: str, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]) -> bytes:
    netloc = urlsplit(url).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {netloc}", "Connection: keep-alive",
             *(f"{name}: {value}" for name, value in headers.items())]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


async def run_load(url: str, request: bytes, clients: int, duration: float) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_client(host, port, request, deadline, tally)
                           for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ms = [value * 1000 for value in tally.latencies]
    return {
        "clients": clients, "requests": len(ms), "per_second": round(len(ms) / elapsed, 1),
        "p50_ms": round(percentile(ms, 0.50), 1), "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1), "max_ms": round(max(ms, default=0), 1),
        "errors": sum(tally.errors.values()), "error_kinds": tally.errors,
        "bytes": round(statistics.mean(tally.sizes)) if tally.sizes else 0,
    }


USER_AGENT = "kinerja-load-test"


def scenario_request(url: str, scenario: str, path: str | None, case: Path,
                     token: str | None, cookie: str | None = None) -> bytes:
    # the same User-Agent as the sign-in: Flask-Login's strong protection binds a session to it
    headers = {"Accept-Encoding": "gzip", "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    if scenario == "api":
        import yaml

        document = yaml.safe_load(case.read_text(encoding="utf-8"))
        body = json.dumps(document).encode()
        headers["Content-Type"] = "application/json"
        return build_request(url, "POST", path or "/api/v1/evaluate", body, headers)
    return build_request(url, "GET", path or "/assessments/1", None, headers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--scenario", choices=("api", "report"), default="api")
    parser.add_argument("--path", help="the URL path (default: the scenario's)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds")
    parser.add_argument("--case", type=Path, default=SEED, help="case file for the api scenario")
    parser.add_argument("--token", help="sent as Authorization: Bearer TOKEN")
    parser.add_argument("--cookie", help="sent as Cookie: (a signed-in session, for pages)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    request = scenario_request(args.url, args.scenario, args.path, args.case, args.token,
                               args.cookie)
    figures = asyncio.run(run_load(args.url, request, args.clients, args.duration))
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.scenario}: {figures['clients']} clients, {figures['requests']} requests, "
              f"{figures['per_second']}/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} "
              f"ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms, "
              f"{figures['errors']} errors {figures['error_kinds'] or ''}, "
              f"{figures['bytes']} bytes per answer")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
