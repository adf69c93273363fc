"""Differential check: the Kinerja engine and the same knowledge base in CLIPS must agree on
every random case — verdicts, diagnoses, recommendations in order, and the firing sequence
with each firing's premises.

    python benchmarks/agreement.py [--cases 800] [--seed 11]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cases import random_cases
from benchmarks.clips_kb import ClipsEngine, ClipsResult
from expert import Evaluation, KnowledgeBase, evaluate, load_knowledge_base
from expert.case import Case
from expert.trace import FactRecord, Firing, Trace


def kinerja_outcome(result: Evaluation) -> dict[str, Any]:
    trace = result.trace
    return {
        "indicators": {r.data["id"]: (r.data["rating"], r.data["agreement"])
                       for r in trace.of_kind("indicator")},
        "dimensions": {r.data["id"]: r.data["rating"] for r in trace.of_kind("dimension")},
        "overall": result.overall,
        "diagnoses": result.diagnosis_ids,
        "recommendations": result.recommendation_ids,
        "firings": [(f.rule, f.premises, f.conclusion, f.priority) for f in trace.firings],
    }


def clips_outcome(kb: KnowledgeBase, case: Case, result: ClipsResult) -> dict[str, Any]:
    """CLIPS's results in the same terms. Its firings are made into a trace so that the
    ordering of diagnoses and recommendations is Evaluation's own, applied to CLIPS's trace."""
    trace = Trace()
    for f in result.firings:
        firing = Firing(f.seq, f.rule, f.premises, f.conclusion, f.priority)
        record = trace.records.get(f.conclusion)
        if record is None:
            kind, _, target = f.conclusion.partition(":")
            record = trace.add(FactRecord(f.conclusion, kind, {"id": target}))
        record.derivations.append(firing)
        trace.firings.append(firing)
    evaluation = Evaluation(kb, case, trace)
    return {
        "indicators": result.indicators,
        "dimensions": result.dimensions,
        "overall": result.overall,
        "diagnoses": evaluation.diagnosis_ids,
        "recommendations": evaluation.recommendation_ids,
        "firings": [(f.rule, f.premises, f.conclusion, f.priority) for f in result.firings],
    }


def disagreements(kb: KnowledgeBase, cases: list[Case]) -> list[tuple[int, str, Any, Any]]:
    """(case number, aspect, Kinerja's, CLIPS's) for every aspect where the engines differ."""
    clips_engine = ClipsEngine(kb)
    found = []
    for number, case in enumerate(cases):
        ours = kinerja_outcome(evaluate(kb, case))
        theirs = clips_outcome(kb, case, clips_engine.consult(case))
        for aspect in ours:
            if ours[aspect] != theirs[aspect]:
                found.append((number, aspect, ours[aspect], theirs[aspect]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=800)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    kb = load_knowledge_base()
    cases = random_cases(kb, args.cases, args.seed)
    found = disagreements(kb, cases)
    firings = sum(len(evaluate(kb, c).trace.firings) for c in cases)
    for number, aspect, ours, theirs in found[:10]:
        print(f"case {number}: {aspect} differs\n  kinerja: {ours}\n  clips:   {theirs}")
    agreed = args.cases - len({number for number, *_ in found})
    print(f"{agreed}/{args.cases} random cases agree ({firings} firings; seed {args.seed})")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
