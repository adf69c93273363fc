"""The XLSX (and CSV) import template: one row per subject, Indonesian headers, drop-down
lists (openpyxl data validation), a comment on every header and an instructions sheet.

:func:`case_row` writes a case as a row of the same layout, so a template can be handed out
pre-filled and the round trip case → row → case is tested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from expert.case import COMBINED_SOURCE, Case
from expert.i18n import tr
from expert.io.columns import Column, layout_for
from expert.io.tables import DATA_SHEET, MAX_ROWS
from expert.kb.model import KnowledgeBase

__all__ = ["case_row", "template_csv", "template_xlsx"]

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GROUP_FILLS = {"subject": "FFF2CC", "finding": "E2EFDA", "factor": "FCE4D6",
               "measure": "EDE7F6", "skp": "FFF2CC", "note": "F2F2F2"}


def _cell(case: Case, column: Column) -> Any:
    if column.kind == "subject":
        key = {"name": "subject_name", "kind": "subject_kind"}.get(column.key, column.key)
        value = getattr(case, key, None)
        if column.key == "kind" and value is not None:
            return value  # the canonical id is accepted too
        return value
    if column.kind == "finding":
        for finding in case.findings:
            if finding.indicator == column.key and finding.source == column.source:
                return finding.rating
        return None
    if column.kind == "factor":
        return "ya" if column.key in case.factors else None
    if column.kind == "measure":
        value = case.measures.get(column.key)
        return int(value) if value is not None and float(value).is_integer() else value
    if column.kind == "skp":
        return getattr(case, "skp", None)
    if column.kind == "note":
        if not column.key:
            return case.notes
        return dict(getattr(case, "indicator_notes", {}) or {}).get(column.key)
    return None


def case_row(kb: KnowledgeBase, case: Case) -> list[Any]:
    """``case`` as one row of the template's columns."""
    return [_cell(case, column) for column in layout_for(kb).columns]


def _comment(column: Column) -> str:
    text = tr(column.label, "id") if column.label else column.header
    if column.allowed:
        text += "\nPilihan: " + ", ".join(column.allowed)
    elif column.kind == "measure":
        text += "\nAngka (desimal dengan titik atau koma)"
    if column.required:
        text += "\nWajib diisi"
    if column.kind == "finding" and column.source == COMBINED_SOURCE:
        text += "\nIsi kolom ini ATAU kolom per sumber, jangan keduanya"
    return text


def template_xlsx(kb: KnowledgeBase, cases: Iterable[Case] = ()) -> bytes:
    """The template as XLSX bytes; ``cases`` pre-fill rows (an export of assessments)."""
    layout = layout_for(kb)
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([c.header for c in layout.columns])
    for index, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=GROUP_FILLS.get(column.kind, "DCE6F1"))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(_comment(column), "Kinerja", width=320, height=140)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) + 2)
    for case in cases:
        sheet.append(case_row(kb, case))
    last = MAX_ROWS + 1
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        if column.key == "nip":  # an 18-digit NIP must stay text: a number loses digits
            for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                for cell in row:
                    cell.number_format = "@"
        if column.allowed and len('"' + ",".join(column.allowed) + '"') <= 255:
            check = DataValidation(type="list", formula1='"' + ",".join(column.allowed) + '"',
                                   allow_blank=True, showErrorMessage=True,
                                   errorTitle="Nilai tidak dikenal",
                                   error="Pilih salah satu: " + ", ".join(column.allowed))
            check.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(check)
        elif column.kind == "measure":
            check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                   allow_blank=True, showErrorMessage=True,
                                   error="Angka 0 atau lebih")
            check.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "B2"
    _instructions(book, kb)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _instructions(book: Workbook, kb: KnowledgeBase) -> None:
    sheet = book.create_sheet("Petunjuk")
    sheet.append(["Petunjuk pengisian (Kinerja)"])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in (
        f"Satu baris untuk satu subjek (unit kerja, kelompok, atau pegawai) di lembar "
        f"'{DATA_SHEET}'; paling banyak {MAX_ROWS:,} baris.",
        "Jangan mengubah judul kolom, menggabungkan sel, atau memakai rumus: ketik nilainya.",
        "Nilai temuan per sumber (wawancara, observasi, dokumentasi) atau satu nilai "
        "gabungan; kosong berarti belum dinilai.",
        "Kolom faktor: isi 'ya' bila faktor itu ditemukan. Ukuran: angka 0 atau lebih.",
        "Berkas diperiksa seluruhnya sebelum disimpan: bila ada satu masalah, tidak ada yang "
        "disimpan, dan setiap masalah disebut dengan baris dan kolomnya.",
    ):
        sheet.append([line])
    sheet.append([])
    sheet.append(["Kolom", "Keterangan", "Pilihan / isi"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in layout_for(kb).columns:
        allowed = ", ".join(column.allowed) if column.allowed else (
            "angka" if column.kind == "measure" else "teks")
        sheet.append([column.header, tr(column.label, "id") if column.label else "", allowed])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 50


def template_csv(kb: KnowledgeBase, cases: Iterable[Case] = ()) -> str:
    """The same layout as CSV text (comma-separated, UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in layout_for(kb).columns])
    for case in cases:
        writer.writerow(["" if v is None else v for v in case_row(kb, case)])
    return buffer.getvalue()
