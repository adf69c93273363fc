"""Batch evaluation: many cases, one knowledge base, one or several worker processes.

``evaluate_many(kb, cases)`` evaluates in this process with one reused engine and yields each
:class:`~expert.Evaluation` as soon as it is made (nothing is accumulated, so memory stays flat
however many cases come). ``run_batch(sources, ...)`` takes case files or decoded documents,
spreads them over worker processes that each load the knowledge base and build their engines
once, and yields one :class:`BatchResult` per source, in order: the JSON line to write, and
whether the case was evaluated or refused (with its problems).

A result line is the case's summary — verdicts, diagnoses, recommendations in order, the rules
that fired — or, with ``detail="full"``, the whole output document with its explanations.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expert.case import Case, parse_case, read_case_file
from expert.engine import pool_for
from expert.errors import CaseError
from expert.evaluation import Evaluation
from expert.i18n import DEFAULT_LANGUAGE
from expert.kb import KnowledgeBase, load_knowledge_base

DETAILS = ("summary", "full")
CHUNK = 32  # sources per message to a worker: fewer round trips, still a steady stream


def evaluate_many(kb: KnowledgeBase, cases: Iterable[Case]) -> Iterator[Evaluation]:
    """Each case's evaluation, in order, with one engine borrowed for the whole batch."""
    with pool_for(kb).borrow() as engine:
        for case in cases:
            yield Evaluation(kb, case, engine.consult(case))


def summary(evaluation: Evaluation) -> dict[str, Any]:
    """What a batch line says about a case: the verdicts and the advice, without prose."""
    trace = evaluation.trace
    return {
        "subject": {"name": evaluation.case.subject_name, "kind": evaluation.case.subject_kind,
                    "period": evaluation.case.period, "office": evaluation.case.office},
        "overall": evaluation.overall,
        "dimensions": {r.data["id"]: r.data["rating"] for r in trace.of_kind("dimension")},
        "indicators": {r.data["id"]: r.data["rating"] for r in trace.of_kind("indicator")},
        "diagnoses": evaluation.diagnosis_ids,
        "recommendations": [
            {"id": rec_id, "priority": evaluation.recommendation_priority(
                trace.records[f"recommendation:{rec_id}"])}
            for rec_id in evaluation.recommendation_ids],
        "fired_rules": evaluation.fired_rule_ids,
        "knowledge_base": evaluation.kb.version,
    }


@dataclass(frozen=True)
class BatchResult:
    source: str
    ok: bool
    line: str  # one JSON document, no newline


# a case file, a decoded case document, or a document with the name to report it by (a
# spreadsheet's row, say)
Source = str | Path | dict[str, Any] | tuple[str, dict[str, Any]]


class _Worker:
    """What each worker process keeps: the knowledge base and what to write."""

    kb: KnowledgeBase | None = None
    detail = "summary"
    lang = DEFAULT_LANGUAGE


def _start(knowledge: str | None, detail: str, lang: str) -> None:
    _Worker.kb = load_knowledge_base(knowledge)
    _Worker.detail, _Worker.lang = detail, lang


def _name(source: Source, number: int) -> str:
    if isinstance(source, tuple):
        return source[0]
    return str(source) if isinstance(source, str | Path) else f"#{number}"


def _evaluate_one(item: tuple[int, Source]) -> BatchResult:
    number, source = item
    kb = _Worker.kb
    assert kb is not None
    name = _name(source, number)
    if isinstance(source, tuple):
        source = source[1]
    try:
        case = (read_case_file(kb, source) if isinstance(source, str | Path)
                else parse_case(kb, source))
    except CaseError as error:
        document: dict[str, Any] = {"source": name, "problems": [
            p.to_dict(_Worker.lang) for p in error.problems]}
        return BatchResult(name, False, json.dumps(document, ensure_ascii=False))
    with pool_for(kb).borrow() as engine:
        evaluation = Evaluation(kb, case, engine.consult(case))
    result = summary(evaluation) if _Worker.detail == "summary" else evaluation.to_dict(
        _Worker.lang)
    return BatchResult(name, True, json.dumps({"source": name, "result": result},
                                              ensure_ascii=False))


def run_batch(sources: Iterable[Source], knowledge: str | Path | None = None, workers: int = 1,
              detail: str = "summary", lang: str = DEFAULT_LANGUAGE) -> Iterator[BatchResult]:
    """Every source's result line, in the order of ``sources``.

    A source is a case file's path or a decoded case document. ``workers`` > 1 evaluates in
    that many processes (each loads the knowledge base from ``knowledge`` once); 1 evaluates
    here. A case with problems gives a line with its problems, not an exception.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    folder = str(knowledge) if knowledge is not None else None
    numbered = enumerate(sources, start=1)
    if workers <= 1:
        _start(folder, detail, lang)
        yield from map(_evaluate_one, numbered)
        return
    # spawn: the same on every platform, and no fork of a process that may hold threads
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start, initargs=(folder, detail, lang)) as pool:
        yield from pool.imap(_evaluate_one, numbered, chunksize=CHUNK)


def case_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The case files named, a folder standing for its *.yaml, *.yml and *.json files (sorted)."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.iterdir()
                              if p.suffix.lower() in (".yaml", ".yml", ".json") and p.is_file())
        else:
            yield path
