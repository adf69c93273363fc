"""The CLIPS process that does `kinerja evaluate --format json`'s job, for the CLI benchmark:
load the translated knowledge base, read a case, run it, print the results as JSON.

    python benchmarks/clips_process.py KB.clp CASE.json

CASE.json holds the case as CLIPS facts (a list of [template, slot values…]), written by
bench_cli.py from the same case file; the process imports nothing from Kinerja.
"""

from __future__ import annotations

import json
import sys

import clips


def main(kb_path: str, case_path: str) -> int:
    env = clips.Environment()
    env.load(kb_path)
    with open(case_path, encoding="utf-8") as handle:
        facts = json.load(handle)
    arguments: list[object] = []
    for template, *values in facts:
        arguments.append(clips.Symbol(template))
        arguments += values
    result = env.find_function("consult")(*arguments)
    trace, verdicts = list(result[1:result[0] + 1]), list(result[result[0] + 1:])
    json.dump({"trace": trace, "verdicts": verdicts}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
