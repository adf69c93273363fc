"""Turn the rows of an import table into cases, each problem placed at its row and column.

A row becomes a case document in the case format and goes through the one case reader
(:func:`expert.case.parse_case`), so a spreadsheet accepts exactly what a YAML file accepts;
the reader's paths (``findings.ability.interview``) are mapped back to the cells they came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from expert.case import COMBINED_SOURCE, Case, parse_case
from expert.errors import CaseError
from expert.i18n import normalise_word
from expert.io.columns import NO_WORDS, YES_WORDS, Column, Layout, layout_for
from expert.io.problems import CellProblem, ImportFileError, cell_problem, placed
from expert.io.tables import Table
from expert.kb.model import KnowledgeBase

__all__ = ["ParsedItem", "cases_from_table"]

_YES = {normalise_word(w) for w in YES_WORDS}
_NO = {normalise_word(w) for w in NO_WORDS}


@dataclass
class ParsedItem:
    """One row (or document, or ZIP member): its case, or the problems that kept it out."""

    label: str  # "baris 5" / "row 5", a document number, or a member's name
    case: Case | None
    problems: list[CellProblem] = field(default_factory=list)
    row: int | None = None
    item: str | None = None


def resolve_headers(kb: KnowledgeBase, table: Table, name: str
                    ) -> list[tuple[str, Column | None]]:
    """Each column letter with its column; unknown, repeated or missing headers refuse the
    whole file (no row can be read right with a wrong header)."""
    layout: Layout = layout_for(kb)
    problems: list[CellProblem] = []
    resolved: list[tuple[str, Column | None]] = []
    seen: dict[str, str] = {}  # a column's template header -> the letter it was found at
    for letter, text in table.headers:
        if not text:
            resolved.append((letter, None))  # a blank header: its cells must stay blank
            continue
        column = layout.resolve(text)
        if column is None:
            problems.append(cell_problem(
                f"unknown column header '{text}'", f"judul kolom '{text}' tidak dikenal",
                row=table.header_row, column=letter, allowed=layout.accepted_headers, file=name))
        elif column.header in seen:
            problems.append(cell_problem(
                f"column '{text}' repeats column {seen[column.header]}",
                f"kolom '{text}' mengulang kolom {seen[column.header]}", row=table.header_row,
                column=letter, file=name))
        else:
            seen[column.header] = letter
        resolved.append((letter, column))
    if not any(c is not None and c.required and c.header in seen for _, c in resolved):
        required = [c.header for c in layout.columns if c.required]
        problems.append(cell_problem(
            f"no '{required[0]}' column: every row needs the subject's name",
            f"tidak ada kolom '{required[0]}': setiap baris memerlukan nama subjek",
            row=table.header_row, allowed=tuple(required), file=name))
    if problems:
        raise ImportFileError(problems)
    return resolved


def cases_from_table(kb: KnowledgeBase, table: Table, name: str) -> list[ParsedItem]:
    """Every data row as a case or as its problems (the caller decides all or nothing)."""
    columns = resolve_headers(kb, table, name)
    return [_row(kb, number, values, columns, name) for number, values in table.rows]


def _text(value: Any) -> Any:
    """A cell as the case reader expects it: text stripped, whole floats as integers."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_DECIMAL = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")


def _number(value: Any) -> Any:
    """A measure typed as text (every CSV cell is text): a plain decimal, with a point or an
    Indonesian comma, becomes a number; anything else goes to the case reader as it is, to be
    refused there with its allowed form."""
    if isinstance(value, str) and _DECIMAL.match(value):
        number = float(value.replace(",", "."))
        return int(number) if number.is_integer() and "," not in value and "." not in value \
            else number
    return value


def _row(kb: KnowledgeBase, number: int, values: list[Any],
         columns: list[tuple[str, Column | None]], name: str) -> ParsedItem:
    problems: list[CellProblem] = []
    where: dict[str, tuple[str, str]] = {}  # case path -> (column letter, header)
    subject: dict[str, Any] = {}
    findings: dict[str, Any] = {}
    combined_at: dict[str, tuple[str, str]] = {}
    factors: list[str] = []
    measures: dict[str, Any] = {}
    notes: dict[str, Any] = {}
    doc: dict[str, Any] = {"subject": subject}

    def problem(letter: str, header: str, en: str, id_: str, allowed: tuple[str, ...] = ()
                ) -> None:
        problems.append(cell_problem(en, id_, row=number, column=letter, header=header,
                                     allowed=allowed, file=name))

    for index, (letter, column) in enumerate(columns):
        raw = values[index] if index < len(values) else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if column is None:
            problem(letter, "", "a value under a column without a header",
                    "nilai di kolom tanpa judul")
            continue
        value = _text(raw)
        where[column.case_path] = (letter, column.header)
        if column.kind == "subject":
            if column.key == "nip" and isinstance(value, float):
                problem(letter, column.header, "a NIP must be typed as text (18 digits); a "
                        "number loses digits", "NIP harus diketik sebagai teks (18 angka); "
                        "sebagai bilangan angkanya hilang")
                continue
            subject[column.key] = str(value) if isinstance(value, int) else value
        elif column.kind == "finding":
            if column.source == COMBINED_SOURCE:
                findings[column.key] = value
                combined_at[column.key] = (letter, column.header)
            else:
                slot = findings.setdefault(column.key, {})
                if isinstance(slot, dict):
                    slot[column.source] = value
        elif column.kind == "factor":
            word = normalise_word(str(value)) if not isinstance(value, bool) else (
                "ya" if value else "tidak")
            if word in _YES:
                factors.append(column.key)
            elif word not in _NO:
                problem(letter, column.header, f"'{value}' is not a yes or a no",
                        f"'{value}' bukan ya atau tidak", ("ya", "tidak"))
        elif column.kind == "measure":
            measures[column.key] = _number(value)
        elif column.kind == "skp":
            doc["skp"] = value
        elif column.kind == "note":
            notes["general" if not column.key else column.key] = value
    for indicator, (letter, header) in combined_at.items():
        if any(path.startswith(f"findings.{indicator}.") for path in where):
            problem(letter, header, "give either one combined rating or a rating per source, "
                    "not both", "isi satu nilai gabungan atau nilai per sumber, jangan keduanya")
    if findings:
        doc["findings"] = {k: v for k, v in findings.items()
                           if not (k in combined_at and isinstance(v, dict))}
    if factors:
        doc["factors"] = factors
    if measures:
        doc["measures"] = measures
    if notes:
        doc["notes"] = notes["general"] if set(notes) == {"general"} else notes
    label = f"baris {number}"
    # the reader checks the row even when a cell was refused above: every problem at once
    for path, letter, header in ((c.case_path, letter, c.header) for letter, c in columns
                                 if c is not None):
        where.setdefault(path, (letter, header))  # blank cells too ("subject.name" required)
    try:
        case = parse_case(kb, doc)
    except CaseError as error:
        problems += [_place(p, number, where, name) for p in error.problems]
        case = None
    if problems:
        return ParsedItem(label, None, problems, row=number)
    return ParsedItem(label, case, [], row=number)


def _place(problem: Any, number: int, where: Mapping[str, tuple[str, str]],
           name: str) -> CellProblem:
    found = where.get(problem.path)
    if found is None:  # "notes" for a general note, or a path under a known column
        found = next((cell for path, cell in where.items()
                      if problem.path.startswith(path + ".")), None)
    letter, header = found if found else (None, None)
    return placed(problem, row=number, column=letter, header=header, file=name)
