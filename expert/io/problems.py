"""Problems of an import file: a case problem placed at its row and column.

:class:`CellProblem` is a :class:`~expert.errors.Problem` that also knows the spreadsheet row
(or the document / ZIP member) and the column it belongs to, so a trainer can find the cell;
:class:`ImportFileError` is a :class:`~expert.errors.CaseError`, so every door that already maps
a bad case to exit status 2 or HTTP 400 does the same for a bad import file.
"""

from __future__ import annotations

from expert.errors import CaseError, Problem

__all__ = ["CellProblem", "ImportFileError", "cell_problem"]


class CellProblem(Problem, frozen=True):
    """``row`` is the spreadsheet row (1 = the header) or the document number; ``item`` names
    a ZIP member or document instead when there are no rows; ``column`` is a letter (``K``)."""

    row: int | None = None
    column: str | None = None
    header: str | None = None
    item: str | None = None

    def place(self, lang: str = "en") -> str:
        parts = []
        if self.item:
            parts.append(self.item)
        if self.row is not None:
            parts.append(f"{'baris' if lang == 'id' else 'row'} {self.row}")
        if self.column:
            where = f"{'kolom' if lang == 'id' else 'column'} {self.column}"
            parts.append(f"{where} «{self.header}»" if self.header else where)
        return ", ".join(parts)

    def render(self, lang: str = "en", show_allowed: bool = True) -> str:
        place = self.place(lang)
        if self.path:
            text = Problem(self.path, self.message, self.allowed, None,
                           self.translations).render(lang, show_allowed)
        else:
            text = self.text(lang)
            if self.allowed:
                label = "nilai yang diizinkan" if lang == "id" else "allowed"
                values = ", ".join(self.allowed) if show_allowed else \
                    ("lihat di atas" if lang == "id" else "as above")
                text += f" ({label}: {values})"
        where = f"{self.file}: " if self.file else ""
        return f"{where}{place}: {text}" if place else f"{where}{text}"

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        data = super().to_dict(lang)
        for key in ("row", "column", "header", "item"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


def cell_problem(message_en: str, message_id: str, *, row: int | None = None,
                 column: str | None = None, header: str | None = None,
                 item: str | None = None, path: str = "", allowed: tuple[str, ...] = (),
                 file: str | None = None) -> CellProblem:
    """A problem written here (not by the case reader), in both languages."""
    return CellProblem(path, message_en, allowed, file, (("id", message_id),), row=row,
                       column=column, header=header, item=item)


def placed(problem: Problem, *, row: int | None = None, column: str | None = None,
           header: str | None = None, item: str | None = None,
           file: str | None = None) -> CellProblem:
    """A case reader's problem, placed at a row and column of the import file."""
    return CellProblem(problem.path, problem.message, problem.allowed, file or problem.file,
                       problem.translations, row=row, column=column, header=header, item=item)


class ImportFileError(CaseError):
    """The import file has problems; nothing of it was kept (all or nothing)."""

    headline = "problem(s) in the import file"
    headline_id = "masalah dalam berkas impor"
