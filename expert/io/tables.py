"""Read an XLSX or CSV file into a plain table of cell values, refusing what cannot be trusted.

Limits keep a hostile file from exhausting the machine: the compressed and uncompressed size,
the number of rows and columns. Merged cells and formulas are refused, each named by its cell:
a merged range hides which row a value belongs to, and a formula's value is whatever the last
program to save the file computed (openpyxl does not calculate), so the trainer types values.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils import get_column_letter

from expert.io.problems import CellProblem, ImportFileError, cell_problem

__all__ = ["MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "Table", "read_csv", "read_xlsx"]

MAX_ROWS = 5000  # data rows; at ~10 ms an evaluation, a full file evaluates in about a minute
MAX_COLUMNS = 300
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an XLSX is a ZIP: refuse a decompression bomb
MAX_CELL_CHARS = 5000
DATA_SHEET = "Penilaian"


@dataclass
class Table:
    """Header texts by column letter, then the data rows with their spreadsheet row numbers."""

    headers: list[tuple[str, str]]  # (column letter, header text)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1


def _too_big(name: str, size: int) -> ImportFileError:
    mib = MAX_FILE_BYTES // (1024 * 1024)
    return ImportFileError([cell_problem(
        f"{name} is {size:,} bytes; an import file may have at most {mib} MiB",
        f"{name} berukuran {size:,} bita; berkas impor paling besar {mib} MiB", file=name)])


def _too_many_rows(name: str, row: int) -> ImportFileError:
    return ImportFileError([cell_problem(
        f"more than {MAX_ROWS:,} data rows; split the file (at most {MAX_ROWS:,} per import)",
        f"lebih dari {MAX_ROWS:,} baris data; pecah berkasnya (paling banyak {MAX_ROWS:,} per "
        "impor)", row=row, file=name)])


def _too_many_columns(name: str) -> ImportFileError:
    return ImportFileError([cell_problem(
        f"more than {MAX_COLUMNS} columns", f"lebih dari {MAX_COLUMNS} kolom",
        row=1, column=get_column_letter(MAX_COLUMNS + 1), file=name)])


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_xlsx(data: bytes, name: str) -> Table:
    """The data sheet of an XLSX workbook (``Penilaian``, else the first sheet)."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    not_xlsx = ImportFileError([cell_problem(
        "not an XLSX workbook (Excel 2007 or later, .xlsx); save it as .xlsx or CSV",
        "bukan buku kerja XLSX (Excel 2007 atau lebih baru, .xlsx); simpan sebagai .xlsx atau "
        "CSV", file=name)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise not_xlsx
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError([cell_problem(
            "the workbook unpacks to more than 100 MiB", "buku kerja terurai lebih dari 100 MiB",
            file=name)])
    from openpyxl import load_workbook

    try:  # a streaming pass first: count rows before building every cell in memory
        streamed = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = _data_sheet(streamed)
        count = 0
        for row in sheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                raise _too_many_columns(name)
            if any(not _blank(v) for v in row):
                count += 1
                if count > MAX_ROWS + 1:
                    raise _too_many_rows(name, count)
        streamed.close()
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise not_xlsx from None
    sheet = _data_sheet(book)
    problems: list[CellProblem] = []
    for merged in sheet.merged_cells.ranges:
        problems.append(cell_problem(
            f"merged cells {merged.coord}: unmerge them and give each row its own value",
            f"sel gabungan {merged.coord}: pisahkan dan isi nilai di setiap baris",
            row=merged.min_row, column=get_column_letter(merged.min_col), file=name))
    rows: list[tuple[int, list[Any]]] = []
    for cells in sheet.iter_rows():
        values = []
        for cell in cells:
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")
                                         and cell.data_type != "s"):
                problems.append(cell_problem(
                    "a formula; type the value itself", "rumus; ketik nilainya langsung",
                    row=cell.row, column=cell.column_letter, file=name))
                value = None
            elif isinstance(value, datetime | date | time):
                problems.append(cell_problem(
                    "a date or time; type text or a number", "tanggal atau waktu; ketik teks "
                    "atau angka", row=cell.row, column=cell.column_letter, file=name))
                value = None
            values.append(value)
        if any(not _blank(v) for v in values):
            rows.append((cells[0].row if cells else 0, values))
    book.close()
    return _table(rows, problems, name)


def _data_sheet(book: Any) -> Any:
    return book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]


def read_csv(data: bytes, name: str) -> Table:
    """A CSV file: UTF-8 (with or without BOM), separated by ``,`` or ``;`` (Excel in an
    Indonesian locale writes ``;``)."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError([cell_problem(
            "not UTF-8 text; save the CSV as UTF-8", "bukan teks UTF-8; simpan CSV sebagai "
            "UTF-8", file=name)]) from None
    if "\0" in text:
        raise ImportFileError([cell_problem("not a CSV text file (binary data)",
                                            "bukan berkas teks CSV (data biner)", file=name)])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows: list[tuple[int, list[Any]]] = []
    problems: list[CellProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for values in reader:
            if len(values) > MAX_COLUMNS:
                raise _too_many_columns(name)
            if any(not _blank(v) for v in values):
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows(name, reader.line_num)
                rows.append((reader.line_num, list(values)))
    except csv.Error as exc:
        raise ImportFileError([cell_problem(
            f"not a valid CSV file: {exc}", f"bukan berkas CSV yang sah: {exc}",
            row=reader.line_num, file=name)]) from None
    return _table(rows, problems, name)


def _table(rows: list[tuple[int, list[Any]]], problems: list[CellProblem], name: str) -> Table:
    if not rows:
        raise ImportFileError([cell_problem("the file has no header row and no data",
                                            "berkas tidak berisi baris judul maupun data",
                                            row=1, file=name)])
    header_row, header_values = rows[0]
    headers = [(get_column_letter(i + 1), "" if _blank(v) else str(v).strip())
               for i, v in enumerate(header_values)]
    table = Table(headers, rows[1:], header_row)
    for number, values in table.rows:
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                problems.append(cell_problem(
                    f"more than {MAX_CELL_CHARS} characters", f"lebih dari {MAX_CELL_CHARS} "
                    "karakter", row=number, column=get_column_letter(index + 1), file=name))
    if problems:
        raise ImportFileError(problems)
    return table
