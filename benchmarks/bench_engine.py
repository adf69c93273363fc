"""The engine against its anchors, the cases interleaved in one process on one core:

* the same knowledge base in CLIPS 6.4 (clipspy), its trace read back as Python objects;
* a plain-Python forward chainer over the same rules (benchmarks/chainer.py);
* a fresh engine per case against the reused one.

    python benchmarks/bench_engine.py [--cases 500] [--seed 7] [--clock cpu|wall] [--json PATH]

Times are the process's CPU time per case by default: on a machine shared with other work, the
wall clock also counts the time spent waiting for the core.

The three engines are first checked to agree on every case (verdicts, diagnoses,
recommendations in order, firings); a disagreement stops the benchmark.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.agreement import clips_outcome, kinerja_outcome
from benchmarks.cases import random_cases
from benchmarks.chainer import Chainer
from benchmarks.clips_kb import ClipsEngine
from expert import KinerjaEngine, evaluate, load_knowledge_base
from expert.case import Case


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(0.95 * (len(ordered) - 1))] * 1000


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def run(cases: list[Case], contenders: dict[str, Callable[[Case], object]],
        clock: Callable[[], float] = time.process_time) -> dict[str, list[float]]:
    """Each case through every contender, the order rotating from case to case."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for case in cases[:20]:  # warm-up
        for name in names:
            contenders[name](case)
    gc.collect()
    for number, case in enumerate(cases):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            started = clock()
            contenders[name](case)
            times[name].append(clock() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]
    pin_to_one_core()
    kb = load_knowledge_base()
    cases = random_cases(kb, args.cases, args.seed)
    clips_engine, chainer, reused = ClipsEngine(kb), Chainer(kb), KinerjaEngine(kb)
    for number, case in enumerate(cases):
        ours = kinerja_outcome(evaluate(kb, case, engine=reused))
        if ours != clips_outcome(kb, case, clips_engine.consult(case)) or \
                ours["firings"] != chainer.run(case):
            print(f"case {number}: the engines disagree; run benchmarks/agreement.py")
            return 1
    times = run(cases, {
        "kinerja": lambda c: evaluate(kb, c, engine=reused),
        "clips": clips_engine.consult,
        "chainer": chainer.run,
        "kinerja+json": lambda c: json.dumps(evaluate(kb, c, engine=reused).to_dict()),
        "clips+json": lambda c: json.dumps(clips_outcome(kb, c, clips_engine.consult(c))),
    }, clock)
    times.update(run(cases[: max(50, len(cases) // 5)], {
        "fresh engine": lambda c: evaluate(kb, c, engine=KinerjaEngine(kb)),
        "reused engine": lambda c: evaluate(kb, c, engine=reused)}, clock))
    rows = [
        ("evaluation, reused engine, trace as Python objects", "kinerja", "clips",
         "CLIPS with its trace read back"),
        ("the same plus JSON", "kinerja+json", "clips+json", "CLIPS plus JSON of its results"),
        ("plain-Python forward chainer, same rules", "chainer", "kinerja", "the engine"),
        ("fresh engine per case", "fresh engine", "reused engine", "the reused engine"),
    ]
    firings = statistics.mean(len(evaluate(kb, c, engine=reused).trace.firings) for c in cases)
    print(f"engine: {len(kb.rules)} rules, {len(cases)} random cases (mean {firings:.1f} "
          f"firings), seed {args.seed}, interleaved, one core, {args.clock} time")
    print(f"{'what':<52} {'p50 ms':>7} {'p95 ms':>7}  ratio to anchor (p50)")
    figures: dict[str, Any] = {}
    for label, name, anchor, anchor_label in rows:
        ratio = p50(times[name]) / p50(times[anchor])
        print(f"{label:<52} {p50(times[name]):>7.3f} {p95(times[name]):>7.3f}  "
              f"{ratio:.2f}× {anchor_label} ({p50(times[anchor]):.3f} ms)")
        figures[name] = {"p50_ms": round(p50(times[name]), 3),
                         "p95_ms": round(p95(times[name]), 3),
                         "anchor": anchor, "ratio": round(ratio, 2)}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cases": len(cases), "seed": args.seed,
                                         "figures": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
