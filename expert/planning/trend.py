"""How each unit's needs changed across periods: per period the gaps diagnosed there, and
against the period before which are new, which persist and which were resolved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from expert.kb.model import KnowledgeBase
from expert.planning.needs import natural_key
from expert.planning.subjects import AssessedSubject

__all__ = ["TrendStep", "UnitTrend", "trend"]


@dataclass(frozen=True)
class TrendStep:
    period: str
    assessments: int
    needs: tuple[str, ...]  # need diagnoses found in the unit in this period
    new: tuple[str, ...]
    persisting: tuple[str, ...]
    resolved: tuple[str, ...]


@dataclass(frozen=True)
class UnitTrend:
    unit: str
    steps: tuple[TrendStep, ...]


def trend(kb: KnowledgeBase, subjects: Iterable[AssessedSubject],
          units: Iterable[str] | None = None, kinds: Iterable[str] | None = None
          ) -> list[UnitTrend]:
    """Every unit's periods in order (an assessment without a period is left out: it cannot be
    placed in time)."""
    wanted_units = set(units) if units else None
    wanted_kinds = set(kinds) if kinds else None
    needs = set(kb.development.need_diagnoses)
    order = {d: i for i, d in enumerate(kb.development.need_diagnoses)}
    table: dict[str, dict[str, tuple[int, set[str]]]] = {}
    for subject in subjects:
        if subject.period is None or (wanted_units and subject.unit not in wanted_units) \
                or (wanted_kinds and subject.kind not in wanted_kinds):
            continue
        periods = table.setdefault(subject.unit, {})
        count, found = periods.get(subject.period, (0, set()))
        found |= needs & set(subject.diagnoses)
        periods[subject.period] = (count + 1, found)
    result = []
    for unit in sorted(table, key=natural_key):
        steps = []
        before: set[str] | None = None
        for period in sorted(table[unit], key=natural_key):
            count, found = table[unit][period]

            def ordered(ids: set[str]) -> tuple[str, ...]:
                return tuple(sorted(ids, key=order.__getitem__))

            steps.append(TrendStep(
                period, count, ordered(found),
                ordered(found - before) if before is not None else (),
                ordered(found & before) if before is not None else (),
                ordered(before - found) if before is not None else ()))
            before = found
        result.append(UnitTrend(unit, tuple(steps)))
    return result
