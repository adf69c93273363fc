"""Evaluate many cases: files, folders and spreadsheets in, one result per good case out.

Bad rows or files do not stop the good ones (the caller decides, e.g. ``--strict``); every
item keeps its label (file, row, ZIP member) so its problems and results can be found again.
``kinerja batch`` evaluates them with :func:`expert.batch.run_batch` (worker processes); the
needs analysis with :func:`evaluate_items`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
                    "no case files (.yaml, .yml, .json) or tables (.xlsx, .csv, .zip) in the "
                    "folder", "folder tidak berisi berkas kasus (.yaml, .yml, .json) atau tabel "
                    "(.xlsx, .csv, .zip)", file=str(path),
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
def evaluate_items(kb: KnowledgeBase, items: Sequence[BatchItem],
                   progress: Callable[[int], None] | None = None) -> None:
    """Evaluate every good item in place (its ``subject`` for the needs analysis), with the
    engine's batch API (one engine borrowed for the whole batch)."""
    from expert.batch import evaluate_many

    good = [item for item in items if item.case is not None and not item.problems]
    cases = [item.case for item in good if item.case is not None]
    for item, evaluation in zip(good, evaluate_many(kb, cases), strict=True):
        item.subject = subject_from_evaluation(item.label, evaluation)
        if progress:
            progress(1)
