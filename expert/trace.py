"""What a consultation did: every fact with where it came from, every firing with its premises."""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Firing(Struct, frozen=True):
    """One rule firing: the facts it matched (premise keys) and the fact it concluded."""

    seq: int
    rule: str
    premises: tuple[str, ...]
    conclusion: str
    priority: str | None = None


class FactRecord(Struct):
    """A fact of the consultation. Inputs have a case ``path``; conclusions have derivations."""

    key: str
    kind: str  # finding | factor | measure | subject | indicator | dimension | overall | …
    data: dict[str, Any]
    path: str | None = None
    derivations: list[Firing] = field(default_factory=list)

    @property
    def is_input(self) -> bool:
        return self.path is not None


class Trace(Struct):
    records: dict[str, FactRecord] = field(default_factory=dict)
    firings: list[Firing] = field(default_factory=list)

    def add(self, record: FactRecord) -> FactRecord:
        self.records[record.key] = record
        return record

    def of_kind(self, kind: str) -> list[FactRecord]:
        return [r for r in self.records.values() if r.kind == kind]
