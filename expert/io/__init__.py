"""Bulk input and output: the XLSX/CSV template, importers (XLSX, CSV, multi-document YAML,
ZIP of case files) with every problem placed at its row and column, and batch evaluation."""

from __future__ import annotations

from expert.io.importer import FORMATS, ImportedCase, format_of, import_cases, read_items
from expert.io.problems import CellProblem, ImportFileError
from expert.io.rows import ParsedItem
from expert.io.template import case_row, template_csv, template_xlsx

__all__ = [
    "FORMATS",
    "CellProblem",
    "ImportFileError",
    "ImportedCase",
    "ParsedItem",
    "case_row",
    "format_of",
    "import_cases",
    "read_items",
    "template_csv",
    "template_xlsx",
]
