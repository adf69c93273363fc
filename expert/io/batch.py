"""Evaluate many cases: files, folders and spreadsheets in, one result per good case out.

Bad rows or files do not stop the good ones (the caller decides, e.g. ``--strict``); every
item keeps its label (file, row, ZIP member) so its problems and results can be found again.
With ``workers`` > 1 the consultations run in separate processes, each with its own engine (an
engine is not shareable, and the GIL would serialise threads).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expert.case import Case
from expert.errors import Problem
from expert.io.importer import FORMATS, read_items
from expert.io.problems import ImportFileError, cell_problem
from expert.io.rows import ParsedItem
from expert.kb.model import KnowledgeBase
from expert.planning.subjects import AssessedSubject, subject_from_evaluation

__all__ = ["BatchItem", "collect_files", "evaluate_items", "read_inputs"]


@dataclass
class BatchItem:
    label: str  # "kasus.xlsx baris 5", "folder/a.yaml", "arsip.zip: b.yaml"
    case: Case | None
    problems: list[Problem] = field(default_factory=list)
    result: dict[str, Any] | None = None
    subject: AssessedSubject | None = None


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The input files: each file named, and every file of a known kind under each folder
    (sorted, hidden files skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in FORMATS
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append(cell_problem(
                    "the folder holds no case file or spreadsheet",
                    "folder tidak berisi berkas kasus atau lembar kerja", file=str(path),
                    allowed=tuple(sorted(FORMATS))))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(cell_problem("no such file or folder", "berkas atau folder tidak ada",
                                         file=str(path)))
    return files, problems


def read_inputs(kb: KnowledgeBase, paths: Iterable[str | Path]) -> list[BatchItem]:
    """Every case of every input, good or bad, in input order."""
    files, problems = collect_files(paths)
    items = [BatchItem(str(p.file), None, [p]) for p in problems]
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            items.append(BatchItem(str(path), None, [cell_problem(
                f"cannot read: {exc.strerror}", f"tidak dapat dibaca: {exc.strerror}",
                file=str(path))]))
            continue
        try:
            parsed = read_items(kb, data, str(path))
        except ImportFileError as error:
            items.append(BatchItem(str(path), None, list(error.problems)))
            continue
        items.extend(_item(path, p, len(parsed)) for p in parsed)
    return items


def _item(path: Path, parsed: ParsedItem, count: int) -> BatchItem:
    label = str(path) if count == 1 and parsed.row is None else f"{path} {parsed.label}"
    return BatchItem(label, parsed.case, list(parsed.problems))


# -- evaluation ----------------------------------------------------------------------------
_WORKER_KB: KnowledgeBase | None = None


def _start_worker(directory: str) -> None:
    global _WORKER_KB
    from expert.kb import load_knowledge_base

    _WORKER_KB = load_knowledge_base(directory)


def _consult(kb: KnowledgeBase, label: str, case: Case, lang: str | None
             ) -> tuple[dict[str, Any] | None, AssessedSubject]:
    from expert import evaluate

    evaluation = evaluate(kb, case)
    result = evaluation.to_dict(lang) if lang else None
    return result, subject_from_evaluation(label, evaluation)


def _in_worker(job: tuple[str, Case, str | None]) -> tuple[dict[str, Any] | None,
                                                           AssessedSubject]:
    assert _WORKER_KB is not None
    return _consult(_WORKER_KB, *job)


def evaluate_items(kb: KnowledgeBase, items: Sequence[BatchItem], *, workers: int = 1,
                   lang: str | None = "id",
                   progress: Callable[[int], None] | None = None) -> None:
    """Evaluate every good item in place (``result`` in ``lang``, None to skip the JSON;
    ``subject`` always). ``progress(n)`` is called as consultations finish."""
    good = [item for item in items if item.case is not None and not item.problems]
    workers = max(1, min(workers, len(good), os.cpu_count() or 1))
    if workers == 1:
        for item in good:
            assert item.case is not None
            item.result, item.subject = _consult(kb, item.label, item.case, lang)
            if progress:
                progress(1)
        return
    jobs = [(item.label, item.case, lang) for item in good]
    with ProcessPoolExecutor(workers, initializer=_start_worker,
                             initargs=(str(kb.directory),)) as pool:
        chunk = max(1, len(jobs) // (workers * 8))
        for item, (result, subject) in zip(good, pool.map(_in_worker, jobs, chunksize=chunk),
                                           strict=True):
            item.result, item.subject = result, subject
            if progress:
                progress(1)
