"""What ``kinerja batch`` writes besides JSON lines: a refused item as a line with its
problems, and the results as a table (CSV or XLSX, one row per case) read back from the lines,
so the table and the JSON say the same."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from expert.io.batch import BatchItem
from expert.planning.report import safe_cell

__all__ = ["TABLE_SUFFIXES", "problem_line", "verdict_counts", "write_table"]

TABLE_SUFFIXES = (".csv", ".xlsx")
HEADER = ["source", "name", "kind", "office", "period", "overall", "diagnoses",
          "recommendations", "problems"]


def problem_line(item: BatchItem, lang: str) -> str:
    """A refused item as ``kinerja batch`` writes one: its source and its problems."""
    return json.dumps({"source": item.label, "problems": [p.to_dict(lang)
                                                          for p in item.problems]},
                      ensure_ascii=False)


def _row(line: str) -> list[Any]:
    data = json.loads(line)
    result = data.get("result")
    if result is None:
        problems = "; ".join(f"{p.get('path') or ''} {p.get('message')}".strip()
                             for p in data.get("problems", []))
        return [data.get("source"), "", "", "", "", "", "", "", problems]
    subject = result.get("subject", {})
    overall = result.get("overall")
    if isinstance(overall, dict):  # --detail full: the whole output document
        overall = overall.get("rating")
    recommendations = result.get("recommendations", [])
    return [data.get("source"), subject.get("name"), subject.get("kind"),
            subject.get("office") or "", subject.get("period") or "", overall or "",
            " ".join(d if isinstance(d, str) else d["id"] for d in result.get("diagnoses", [])),
            " ".join(r["id"] for r in recommendations), ""]


def verdict_counts(lines: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        row = _row(line)
        key = row[5] or ("refused" if row[8] else "not assessed")
        counts[key] = counts.get(key, 0) + 1
    return counts


def write_table(lines: Sequence[str], suffix: str) -> bytes:
    """The result lines as ``.csv`` or ``.xlsx`` bytes, every text made safe for a
    spreadsheet (no formula runs from a case's name)."""
    rows = [[safe_cell(v) for v in _row(line)] for line in lines]
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Hasil"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    packed = io.BytesIO()
    book.save(packed)
    return packed.getvalue()
