"""Batch evaluation: 10,000 random cases through ``expert.batch.run_batch`` (case documents in,
JSON summary lines out) on one worker and on two, and the engine's own batch API
(``evaluate_many``, Case objects in, Evaluation objects out), with the resident memory sampled
every 1,000 cases.

    python benchmarks/bench_batch.py [--cases 10000] [--seed 5]

Two workers can only scale when both cores are free: on a shared machine the ratio says more
about the other work than about Kinerja.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import random

from benchmarks.cases import measure_bounds, random_case_document
from expert import load_knowledge_base, parse_case
from expert.batch import evaluate_many, run_batch


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, items: Any, total: int) -> dict[str, Any]:
    memory = []
    started, cpu = time.perf_counter(), cpu_seconds()
    for number, _ in enumerate(items, start=1):
        if number % 1000 == 0:
            memory.append(round(rss_mb(), 1))
    elapsed, used = time.perf_counter() - started, cpu_seconds() - cpu
    return {"what": label, "cases": total, "seconds": round(elapsed, 2),
            "per_second": round(total / elapsed), "cpu_ms_per_case": round(used / total * 1000, 2),
            "rss_mb_every_1000": memory}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    kb = load_knowledge_base()
    rng = random.Random(args.seed)
    bounds = measure_bounds(kb)
    documents = [random_case_document(kb, rng, bounds) for _ in range(args.cases)]
    cases = [parse_case(kb, d) for d in documents]
    rows = [
        timed("engine API: evaluate_many (Case → Evaluation), this process",
              evaluate_many(kb, cases), len(cases)),
        timed("run_batch, 1 worker (document → JSON line)", run_batch(documents, workers=1),
              len(documents)),
        timed("run_batch, 2 workers (document → JSON line)", run_batch(documents, workers=2),
              len(documents)),
    ]
    one, two = rows[1]["per_second"], rows[2]["per_second"]
    print(f"batch: {args.cases} random cases, seed {args.seed}, {os.cpu_count()} cores")
    for row in rows:
        print(f"{row['what']:<62} {row['per_second']:>6} cases/s  ({row['seconds']} s; "
              f"{row['cpu_ms_per_case']} ms CPU per case; RSS MB every 1000: "
              f"{row['rss_mb_every_1000'][0]}…{row['rss_mb_every_1000'][-1]})")
    capacity = 1000 / rows[1]["cpu_ms_per_case"]
    print(f"two workers / one worker: {two / one:.2f}× (wall clock); one worker / 400 cases/s "
          f"target: {one / 400:.2f}× (wall clock), {capacity / 400:.2f}× by CPU time per case "
          f"({capacity:.0f} cases per CPU-second)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "scaling": round(two / one, 2)},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
