"""`kinerja evaluate CASE --format json` as a process, against the CLIPS process doing the same
job (benchmarks/clips_process.py: load the translated knowledge base, read the case, run, print
JSON), started alternately.

    python benchmarks/bench_cli.py [--runs 20] [--case knowledge/cases/01_seed_balangan_2025.yaml]

Also times `python -c pass` (the interpreter alone) so the figures can be read against it, and
`kinerja --no-cache evaluate` (the knowledge base read from its files, the network built).

The processes run as an installed package runs: with bytecode (a temporary
PYTHONPYCACHEPREFIX, PYTHONDONTWRITEBYTECODE unset; pip installs compiled files, and
clipspy's are), and with the knowledge-base cache in a temporary KINERJA_CACHE_DIR, filled by
the warm-up run as a user's first run fills it. `--source` keeps the caller's environment
instead (a session with PYTHONDONTWRITEBYTECODE=1 compiles every Kinerja module from source in
every process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.clips_kb import INPUTS, ClipsEngine, translate
from expert import load_knowledge_base, read_case_file

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "knowledge" / "cases" / "01_seed_balangan_2025.yaml"


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``command``; CPU is user + system time, which other
    work on a shared machine disturbs far less than the wall clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--case", type=Path, default=SEED)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--source", action="store_true",
                        help="keep the environment's bytecode and cache settings")
    args = parser.parse_args()
    kb = load_knowledge_base()
    case = read_case_file(kb, args.case)
    kinerja = shutil.which("kinerja", path=str(Path(sys.executable).parent)) or "kinerja"
    with tempfile.TemporaryDirectory() as work:
        clp, facts = Path(work) / "kb.clp", Path(work) / "case.json"
        clp.write_text(translate(kb), encoding="utf-8")
        facts.write_text(json.dumps([[t, *(s[n] for n in INPUTS[t])]
                                     for t, s in ClipsEngine(kb).facts(case)]))
        env = dict(os.environ)
        if not args.source:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "bytecode")
            env["KINERJA_CACHE_DIR"] = str(Path(work) / "cache")
        commands = {
            "kinerja evaluate": [kinerja, "evaluate", str(args.case), "--format", "json"],
            "  --no-cache": [kinerja, "--no-cache", "evaluate", str(args.case), "--format",
                             "json"],
            "clips process": [sys.executable, str(HERE / "clips_process.py"), str(clp),
                              str(facts)],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for command in commands.values():  # warm the file cache, the bytecode, the kb cache
            timed(command, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    wall = {name: statistics.median(w for w, _ in values) * 1000
            for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) * 1000 for name, values in times.items()}
    print(f"CLI: {args.case.name}, {args.runs} runs each, alternating; medians"
          + (" (the caller's environment)" if args.source else " (with bytecode)"))
    for name in commands:
        print(f"{name:<18} wall {wall[name]:7.1f} ms ({wall[name] / wall['clips process']:.2f}× "
              f"the CLIPS process)   CPU {cpu[name]:7.1f} ms "
              f"({cpu[name] / cpu['clips process']:.2f}×)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": args.runs, "wall_ms": wall, "cpu_ms": cpu},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
