"""Write batch results: JSON Lines (every result in full), or a summary table (CSV, XLSX)
with one row per case."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from expert.io.batch import BatchItem
from expert.planning.report import safe_cell

__all__ = ["OUTPUT_FORMATS", "write_results"]

OUTPUT_FORMATS = (".jsonl", ".csv", ".xlsx")
HEADER = ["source", "name", "kind", "office", "period", "overall", "diagnoses",
          "recommendations", "training_hours_last_year"]


def _row(item: BatchItem) -> list[Any]:
    result = item.result or {}
    subject = result.get("subject", {})
    hours = item.case.measures.get("training_hours_last_year") if item.case else None
    return [item.label, subject.get("name"), subject.get("kind"), subject.get("office"),
            subject.get("period"), (result.get("overall") or {}).get("rating"),
            " ".join(d["id"] for d in result.get("diagnoses", [])),
            " ".join(r["id"] for r in result.get("recommendations", [])),
            "" if hours is None else hours]


def write_results(items: Sequence[BatchItem], suffix: str) -> bytes:
    """The evaluated items as ``.jsonl``, ``.csv`` or ``.xlsx`` bytes."""
    done = [item for item in items if item.result is not None]
    if suffix == ".jsonl":
        lines = [json.dumps({"source": item.label, **(item.result or {})}, ensure_ascii=False)
                 for item in done]
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for item in done:
            writer.writerow([safe_cell(v) for v in _row(item)])
        return buffer.getvalue().encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Hasil"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in done:
        sheet.append([safe_cell(v) for v in _row(item)])
    sheet.freeze_panes = "A2"
    packed = io.BytesIO()
    book.save(packed)
    return packed.getvalue()
