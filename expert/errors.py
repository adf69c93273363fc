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
from dataclasses import dataclass, field

__all__ = ["CaseError", "KinerjaError", "KnowledgeBaseError", "Problem", "UnknownTargetError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by ``path`` (``findings.ability.interview``)."""

    path: str
    message: str
    allowed: tuple[str, ...] = field(default=())
    file: str | None = None
    translations: tuple[tuple[str, str], ...] = field(default=(), compare=False)

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

    def render(self, lang: str = "en") -> str:
        where = f"{self.file}: " if self.file else ""
        where += self.path or ("(dokumen)" if lang == "id" else "(document)")
        text = f"{where}: {self.text(lang)}"
        if self.allowed:
            label = "nilai yang diizinkan" if lang == "id" else "allowed"
            text += f" ({label}: {', '.join(self.allowed)})"
        return text

    def __str__(self) -> str:
        return self.render("en")


class KinerjaError(Exception):
    """Root of every error Kinerja raises on purpose."""


MAX_PROBLEMS_SHOWN = 50  # a problem list shows this many, then says how many more there are


def _more(count: int, lang: str) -> str:
    return f"… dan {count} masalah lagi" if lang == "id" else f"… and {count} more"


class _ProblemsError(KinerjaError):
    headline = "problems found"
    headline_id = "masalah ditemukan"

    def __init__(self, problems: Iterable[Problem]):
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__(self.render())

    @property
    def shown(self) -> Sequence[Problem]:
        return self.problems[:MAX_PROBLEMS_SHOWN]

    @property
    def more(self) -> int:
        """How many problems the lists leave out."""
        return max(0, len(self.problems) - MAX_PROBLEMS_SHOWN)

    def render(self, lang: str = "en") -> str:
        headline = self.headline_id if lang == "id" else self.headline
        lines = [f"{len(self.problems)} {headline}:"]
        lines += [f"  - {problem.render(lang)}" for problem in self.shown]
        if self.more:
            lines.append(f"  {_more(self.more, lang)}")
        return "\n".join(lines)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        data: dict[str, object] = {"error": self.headline,
                                   "problems": [p.to_dict(lang) for p in self.shown]}
        if self.more:
            data["more"] = self.more
            data["more_text"] = _more(self.more, lang)
        return data


class KnowledgeBaseError(_ProblemsError):
    """The knowledge base is malformed; nothing was loaded."""

    headline = "problem(s) in the knowledge base"
    headline_id = "masalah dalam basis pengetahuan"


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
