"""Which rules no known case fires (``kinerja kb coverage``).

The cases are the worked cases in the knowledge base's ``cases/`` and the test suite's rule
cases (``tests/rule_cases/*.yaml``: each holds a ``fires`` and a ``does_not_fire`` case).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from expert.case import Case, parse_case, read_case_file
from expert.errors import CaseError
from expert.evaluation import Evaluation
from expert.kb.model import KnowledgeBase


@dataclass
class CoverageReport:
    cases: list[str]
    fired: dict[str, int]
    unfired: list[str]
    problems: list[str]


def cases_in(kb: KnowledgeBase, folders: Iterable[Path]
             ) -> Iterator[tuple[str, Case | CaseError]]:
    """Every case in the folders, or the error that stops it being read: plain case files,
    and both halves of rule-case files."""
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.json")):
            try:
                document = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
                document = None  # read_case_file reports it properly
            if isinstance(document, dict) and "rule" in document and "fires" in document:
                for half in ("fires", "does_not_fire"):
                    yield f"{path}#{half}", _parsed(kb, _case_of(document.get(half)))
            else:
                try:
                    yield str(path), read_case_file(kb, path)
                except CaseError as error:
                    yield str(path), error


def _parsed(kb: KnowledgeBase, data: Any) -> Case | CaseError:
    try:
        return parse_case(kb, data)
    except CaseError as error:
        return error


def _case_of(half: Any) -> Any:
    return half.get("case") if isinstance(half, dict) else half


def coverage(kb: KnowledgeBase, folders: Iterable[Path]) -> CoverageReport:
    from expert import evaluate

    fired: dict[str, int] = dict.fromkeys(kb.rules, 0)
    names: list[str] = []
    problems: list[str] = []
    for name, case in cases_in(kb, folders):
        names.append(name)
        if isinstance(case, CaseError):
            problems.append(f"{name}: {case}")
            continue
        evaluation: Evaluation = evaluate(kb, case)
        for rule_id in set(evaluation.fired_rule_ids):
            fired[rule_id] += 1
    return CoverageReport(names, fired, [r for r, n in fired.items() if n == 0], problems)
