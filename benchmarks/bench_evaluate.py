"""Throughput and latency of ``evaluate`` on random well-formed cases, on one core.

    python benchmarks/bench_evaluate.py [--cases 300] [--seed 7] [--json PATH]

Two strategies: a fresh engine per consultation (builds the RETE network each time) and the
reused per-thread engine that ``evaluate`` uses by default (``reset()`` between cases). Each is
timed for ``evaluate`` alone and for ``evaluate`` plus the JSON document (``to_dict``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from expert import KinerjaEngine, KnowledgeBase, evaluate, load_knowledge_base, parse_case
from expert.case import Case


def random_case(kb: KnowledgeBase, rng: random.Random) -> Case:
    ratings, sources = list(kb.ratings), list(kb.sources)
    findings: dict[str, Any] = {}
    for indicator in kb.indicators:
        roll = rng.random()
        if roll < 0.1:
            continue  # not assessed
        if roll < 0.25:
            findings[indicator] = rng.choice(ratings)
        else:
            chosen = rng.sample(sources, rng.randint(1, len(sources)))
            findings[indicator] = {s: rng.choice(ratings) for s in chosen}
    measures: dict[str, Any] = {}
    if rng.random() < 0.6:
        measures["unexcused_absence_days"] = rng.randint(0, 35)
    if rng.random() < 0.6:
        measures["training_hours_last_year"] = round(rng.uniform(0, 40), 1)
    factors = rng.sample(list(kb.factors), rng.randint(0, len(kb.factors)))
    return parse_case(kb, {"subject": {"name": f"Unit {rng.randint(1, 999)}"},
                           "findings": findings, "factors": factors, "measures": measures})


def measure(label: str, cases: list[Case], run: Callable[[Case], object]) -> dict[str, Any]:
    for case in cases[:10]:  # warm-up
        run(case)
    gc.collect()
    latencies = []
    started = time.perf_counter()
    for case in cases:
        t0 = time.perf_counter()
        run(case)
        latencies.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    latencies.sort()
    return {
        "strategy": label, "evaluations": len(cases),
        "per_second": round(len(cases) / total, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "max_ms": round(latencies[-1], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    kb = load_knowledge_base()
    rng = random.Random(args.seed)
    cases = [random_case(kb, rng) for _ in range(args.cases)]
    facts = statistics.mean(len(c.findings) + len(c.factors) + len(c.measures) for c in cases)
    reused = KinerjaEngine(kb)
    results = [
        measure("fresh engine per case", cases,
                lambda c: evaluate(kb, c, engine=KinerjaEngine(kb))),
        measure("reused engine (reset)", cases, lambda c: evaluate(kb, c, engine=reused)),
        measure("fresh engine + JSON", cases,
                lambda c: evaluate(kb, c, engine=KinerjaEngine(kb)).to_dict()),
        measure("reused engine + JSON", cases,
                lambda c: evaluate(kb, c, engine=reused).to_dict()),
    ]
    print(f"Kinerja evaluate benchmark — {len(kb.rules)} rules, {args.cases} random cases "
          f"(mean {facts:.1f} input facts), seed {args.seed}, one core, "
          f"Python {platform.python_version()} on {platform.machine()}")
    header = f"{'strategy':<24} {'eval/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['strategy']:<24} {r['per_second']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['max_ms']:>8}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rules": len(kb.rules), "cases": args.cases,
                                         "seed": args.seed, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
