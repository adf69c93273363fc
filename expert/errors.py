"""Errors raised by Kinerja's engine.

The tree::

    KinerjaError            root; never raised itself
    ├── KnowledgeBaseError  the knowledge base cannot be loaded; .problems name file and key path
    ├── CaseError           a case is malformed; .problems name the case path and allowed values
    └── UnknownTargetError  explain() was asked about an id the knowledge base does not define

Every problem is a :class:`Problem`: where it is, what is wrong, and what would be allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from msgspec import Struct

__all__ = ["CaseError", "KinerjaError", "KnowledgeBaseError", "Problem", "UnknownTargetError"]


class Problem(Struct, frozen=True):
    """One thing wrong with an input, located by ``path`` (``findings.ability.interview``).
    Two problems are equal when everything but the ``translations`` of the message is."""

    path: str
    message: str
    allowed: tuple[str, ...] = ()
    file: str | None = None
    translations: tuple[tuple[str, str], ...] = ()

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__struct_fields__
                     if name != "translations")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._compared() == other._compared()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._compared())

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` where one was written, else in English."""
        return dict(self.translations).get(lang, self.message)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "message": self.text(lang)}
        if self.allowed:
            data["allowed"] = list(self.allowed)
        if self.file:
            data["file"] = self.file
        return data

    def render(self, lang: str = "en", show_allowed: bool = True) -> str:
        where = f"{self.file}: " if self.file else ""
        where += self.path or ("(dokumen)" if lang == "id" else "(document)")
        text = f"{where}: {self.text(lang)}"
        if self.allowed:
            label = "nilai yang diizinkan" if lang == "id" else "allowed"
            values = ", ".join(self.allowed) if show_allowed else \
                ("lihat di atas" if lang == "id" else "as above")
            text += f" ({label}: {values})"
        return text

    def __str__(self) -> str:
        return self.render("en")


class KinerjaError(Exception):
    """Root of every error Kinerja raises on purpose."""


MAX_PROBLEMS = 50  # a problem list holds this many, then says how many more there are
MAX_PROBLEMS_SHOWN = MAX_PROBLEMS


class _ProblemsError(KinerjaError):
    """Problems, bounded: at most ``MAX_PROBLEMS`` are kept, the rest only counted (``more``),
    so a hostile input cannot grow an error message past a few kilobytes."""

    headline = "problems found"
    headline_id = "masalah ditemukan"
    limit: int | None = MAX_PROBLEMS

    def __init__(self, problems: Iterable[Problem], more: int = 0):
        kept = tuple(problems)
        self.problems: Sequence[Problem] = kept[:self.limit]
        self.more = more + (max(0, len(kept) - self.limit) if self.limit is not None else 0)
        super().__init__(self.render())

    @property
    def shown(self) -> Sequence[Problem]:
        return self.problems

    @property
    def total(self) -> int:
        return len(self.problems) + self.more

    def render(self, lang: str = "en") -> str:
        headline = self.headline_id if lang == "id" else self.headline
        lines = [f"{self.total} {headline}:"]
        seen: set[tuple[str, ...]] = set()
        for problem in self.problems:  # a kind's allowed values once, not once per problem
            lines.append(f"  - {problem.render(lang, problem.allowed not in seen)}")
            seen.add(problem.allowed)
        if self.more:
            lines.append(f"  … {self.more_text(lang)}")
        return "\n".join(lines)

    def more_text(self, lang: str = "en") -> str:
        return (f"dan {self.more} masalah lagi" if lang == "id"
                else f"and {self.more} more problem(s)")

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        problems = []
        seen: set[tuple[str, ...]] = set()
        for problem in self.problems:
            entry = problem.to_dict(lang)
            if problem.allowed in seen:
                entry.pop("allowed", None)
            seen.add(problem.allowed)
            problems.append(entry)
        data: dict[str, object] = {"error": self.headline, "problems": problems}
        if self.more:
            data["more"] = self.more
            data["more_text"] = self.more_text(lang)
        return data


class KnowledgeBaseError(_ProblemsError):
    """The knowledge base is malformed; nothing was loaded."""

    headline = "problem(s) in the knowledge base"
    headline_id = "masalah dalam basis pengetahuan"
    limit = None  # the knowledge engineer's own files: every finding, for `kinerja kb check`


class CaseError(_ProblemsError):
    """The case is malformed; nothing was evaluated."""

    headline = "problem(s) in the case"
    headline_id = "masalah dalam kasus"


class UnknownTargetError(KinerjaError):
    """An explanation was asked for an id that names nothing in the knowledge base."""

    def __init__(self, target: str, allowed: Sequence[str]):
        self.target = target
        self.allowed = tuple(allowed)
        super().__init__(f"unknown target '{target}'")
