"""One entry point for bulk input: an XLSX or CSV table, a multi-document YAML, a ZIP of case
files. :func:`read_items` reads every row and keeps each one's problems (the batch command
evaluates the good ones); :func:`import_cases` is all or nothing (the web import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from expert.case import Case
from expert.io.documents import cases_from_yaml_stream, cases_from_zip
from expert.io.problems import CellProblem, ImportFileError, cell_problem
from expert.io.rows import ParsedItem, cases_from_table
from expert.io.tables import read_csv, read_xlsx
from expert.kb.model import KnowledgeBase

__all__ = ["FORMATS", "ImportedCase", "format_of", "import_cases", "read_items"]

FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".yaml": "yaml", ".yml": "yaml",
           ".json": "yaml", ".zip": "zip"}


@dataclass(frozen=True)
class ImportedCase:
    label: str  # where it came from: "baris 5", a document, a ZIP member
    case: Case


def format_of(name: str, data: bytes) -> str | None:
    """The import format by the file's name; a workbook is told from a ZIP by its content."""
    found = FORMATS.get(PurePath(name).suffix.lower())
    if found == "zip" and data[:2] == b"PK" and b"xl/workbook.xml" in data[:65536] \
            and b"[Content_Types].xml" in data[:65536]:
        return "xlsx"  # a workbook named .zip
    return found


def read_items(kb: KnowledgeBase, data: bytes, name: str) -> list[ParsedItem]:
    """Every item of the file, good or bad; a problem with the file itself raises
    :class:`ImportFileError` (wrong header, not a workbook, too large, …)."""
    kind = format_of(name, data)
    if kind == "xlsx":
        return cases_from_table(kb, read_xlsx(data, name), name)
    if kind == "csv":
        return cases_from_table(kb, read_csv(data, name), name)
    if kind == "yaml":
        return cases_from_yaml_stream(kb, data, name)
    if kind == "zip":
        return cases_from_zip(kb, data, name)
    raise ImportFileError([cell_problem(
        "unknown kind of file; import an XLSX, CSV, YAML or JSON file or a ZIP of case files",
        "jenis berkas tidak dikenal; impor berkas XLSX, CSV, YAML, JSON, atau ZIP berisi "
        "berkas kasus", file=name, allowed=tuple(sorted(FORMATS)))])


def problems_of(items: list[ParsedItem]) -> list[CellProblem]:
    return [problem for item in items for problem in item.problems]


def import_cases(kb: KnowledgeBase, data: bytes, name: str) -> list[ImportedCase]:
    """Every case of the file, or :class:`ImportFileError` with every problem of every row:
    nothing is returned unless the whole file is clean."""
    items = read_items(kb, data, name)
    problems = problems_of(items)
    if problems:
        raise ImportFileError(problems)
    return [ImportedCase(item.label, item.case) for item in items if item.case is not None]
