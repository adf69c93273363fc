"""The competency-development needs analysis (Analisis Kebutuhan Pengembangan Kompetensi).

Over the assessments a trainer selects: which gaps were diagnosed (a diagnosis the knowledge
base's ``development.yaml`` lists under a programme is a need; a discipline sanction is not),
in which units and employees, with what priority; who is under the 20 JP minimum and by how
much, per employee and per unit. Every line keeps the assessments and rules it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from expert.kb.model import KnowledgeBase
from expert.planning.subjects import AssessedSubject

__all__ = ["EmployeeHours", "NeedLine", "NeedsAnalysis", "Selection", "Source", "UnitHours",
           "analyse", "natural_key"]


def natural_key(text: str | None) -> tuple[object, ...]:
    """Sort "2024", "2024 semester 2", "2025" as people read them (numbers by value)."""
    parts = re.split(r"(\d+)", text or "")
    return tuple(int(p) if p.isdigit() else p.casefold() for p in parts)


@dataclass(frozen=True)
class Selection:
    """The trainer's choice; an empty set means "all"."""

    offices: frozenset[str] = frozenset()
    periods: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def admits(self, subject: AssessedSubject) -> bool:
        return ((not self.offices or subject.unit in self.offices)
                and (not self.periods or (subject.period or "") in self.periods)
                and (not self.kinds or subject.kind in self.kinds))

    def to_dict(self) -> dict[str, list[str]]:
        return {"offices": sorted(self.offices), "periods": sorted(self.periods),
                "kinds": sorted(self.kinds)}


@dataclass(frozen=True)
class Source:
    """One assessment behind a line, and the rules that drew the gap from it (HOW)."""

    ref: str
    name: str
    kind: str
    unit: str
    period: str | None
    rules: tuple[str, ...]
    key: str | None = None


@dataclass
class NeedLine:
    diagnosis: str
    programme: str | None
    topic: str
    priority: str
    sources: list[Source] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        return sorted({s.unit for s in self.sources}, key=natural_key)

    @property
    def employees(self) -> list[Source]:
        return [s for s in self.sources if s.kind == "employee"]

    @property
    def groups(self) -> list[Source]:
        """Units and groups of staff assessed as a whole (their head count is not known)."""
        return [s for s in self.sources if s.kind != "employee"]

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(r for s in self.sources for r in s.rules))


@dataclass(frozen=True)
class EmployeeHours:
    ref: str
    name: str
    nip: str | None
    unit: str
    period: str | None
    hours: float
    shortfall: float
    key: str | None = None


@dataclass
class UnitHours:
    """The 20 JP picture of one unit: its employees' own hours, and what unit or group
    assessments reported (their average, and how many staff were under the minimum)."""

    unit: str
    employees_assessed: int = 0
    employees_below: int = 0
    employee_shortfall: float = 0.0  # the JP its employees under the minimum still need
    reported_averages: list[float] = field(default_factory=list)
    staff_below_reported: float = 0.0
    refs: list[str] = field(default_factory=list)

    @property
    def average_reported(self) -> float | None:
        values = self.reported_averages
        return round(sum(values) / len(values), 2) if values else None


@dataclass
class NeedsAnalysis:
    selection: Selection
    minimum_hours: float
    subjects: list[AssessedSubject]
    lines: list[NeedLine]
    employees_below: list[EmployeeHours]
    units: list[UnitHours]

    @property
    def unit_names(self) -> list[str]:
        return sorted({s.unit for s in self.subjects}, key=natural_key)

    def heat(self) -> dict[tuple[str, str], int]:
        """(topic, unit) → how many assessments there show a need in that topic."""
        cells: dict[tuple[str, str], set[str]] = {}
        for line in self.lines:
            for source in line.sources:
                cells.setdefault((line.topic, source.unit), set()).add(source.ref)
        return {key: len(refs) for key, refs in cells.items()}


def analyse(kb: KnowledgeBase, subjects: Iterable[AssessedSubject],
            selection: Selection | None = None) -> NeedsAnalysis:
    selection = selection or Selection()
    chosen = [s for s in subjects if selection.admits(s)]
    catalogue = kb.development
    lines: dict[str, NeedLine] = {}
    for subject in chosen:
        for diagnosis, rules in subject.diagnoses.items():
            programme = catalogue.programme_of(diagnosis)
            if programme is None:
                continue
            line = lines.get(diagnosis)
            if line is None:
                line = lines[diagnosis] = NeedLine(diagnosis, programme.id, programme.topic,
                                                   programme.priority)
            line.sources.append(Source(subject.ref, subject.name, subject.kind, subject.unit,
                                       subject.period, rules, subject.key))
            # the most urgent priority the rules gave this programme's advice here
            for rec in programme.recommendations:
                given = subject.recommendations.get(rec)
                if given and kb.priority_rank(given) < kb.priority_rank(line.priority):
                    line.priority = given
    order = {d: i for i, d in enumerate(catalogue.need_diagnoses)}
    ranked = sorted(lines.values(), key=lambda ln: (kb.priority_rank(ln.priority),
                                                    -len(ln.sources), order[ln.diagnosis]))
    employees, units = _hours(chosen, catalogue.minimum_hours)
    return NeedsAnalysis(selection, catalogue.minimum_hours, chosen, ranked, employees, units)


def _hours(subjects: Sequence[AssessedSubject], minimum: float
           ) -> tuple[list[EmployeeHours], list[UnitHours]]:
    employees: list[EmployeeHours] = []
    units: dict[str, UnitHours] = {}
    for subject in subjects:
        hours = subject.training_hours
        unit = units.setdefault(subject.unit, UnitHours(subject.unit))
        if subject.kind == "employee":
            if hours is None:
                continue
            unit.employees_assessed += 1
            unit.refs.append(subject.ref)
            if hours < minimum:
                shortfall = round(minimum - hours, 2)
                unit.employees_below += 1
                unit.employee_shortfall = round(unit.employee_shortfall + shortfall, 2)
                employees.append(EmployeeHours(subject.ref, subject.name, subject.nip,
                                               subject.unit, subject.period, hours, shortfall,
                                               subject.key))
        else:
            if hours is not None:
                unit.reported_averages.append(hours)
                unit.refs.append(subject.ref)
            if subject.staff_below_minimum is not None:
                unit.staff_below_reported += subject.staff_below_minimum
                if subject.ref not in unit.refs:
                    unit.refs.append(subject.ref)
    employees.sort(key=lambda e: (-e.shortfall, natural_key(e.unit), e.name))
    kept = [u for u in units.values() if u.refs]
    kept.sort(key=lambda u: (-(u.employee_shortfall), -u.staff_below_reported,
                             natural_key(u.unit)))
    return employees, kept
