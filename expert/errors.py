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

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "message": self.message}
        if self.allowed:
            data["allowed"] = list(self.allowed)
        if self.file:
            data["file"] = self.file
        return data

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        where += self.path or "(document)"
        text = f"{where}: {self.message}"
        if self.allowed:
            text += f" (allowed: {', '.join(self.allowed)})"
        return text


class KinerjaError(Exception):
    """Root of every error Kinerja raises on purpose."""


class _ProblemsError(KinerjaError):
    headline = "problems found"

    def __init__(self, problems: Iterable[Problem]):
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{len(self.problems)} {self.headline}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {"error": self.headline, "problems": [p.to_dict() for p in self.problems]}


class KnowledgeBaseError(_ProblemsError):
    """The knowledge base is malformed; nothing was loaded."""

    headline = "problem(s) in the knowledge base"


class CaseError(_ProblemsError):
    """The case is malformed; nothing was evaluated."""

    headline = "problem(s) in the case"


class UnknownTargetError(KinerjaError):
    """An explanation was asked for an id that names nothing in the knowledge base."""

    def __init__(self, target: str, allowed: Sequence[str]):
        self.target = target
        self.allowed = tuple(allowed)
        super().__init__(f"unknown target '{target}'")
