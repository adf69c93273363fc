"""The programme plan: the needs grouped into the knowledge base's programmes, each with its
development forms (Peraturan LAN 10/2018), participants, JP target, timeframe and priority.

A plan is plain data a trainer may adjust (forms, participants, hours, timeframe, priority, a
note, leave a line out) and save; :func:`adjust` checks every change against the knowledge base
and reports each problem with its place, like a case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from expert.errors import CaseError, Problem
from expert.kb.model import KnowledgeBase
from expert.planning.needs import NeedsAnalysis, natural_key

__all__ = ["PlanLine", "adjust", "plan_from_dict", "propose_plan"]

MAX_PARTICIPANTS = 100_000
MAX_HOURS = 2000
MAX_NOTE = 2000


@dataclass(frozen=True)
class PlanLine:
    programme: str
    needs: tuple[str, ...]  # the diagnoses it closes
    forms: tuple[str, ...]
    units: tuple[str, ...]
    employees: tuple[str, ...]  # names of the employees with a need it closes
    groups: tuple[str, ...]  # units or groups assessed as a whole
    participants: int
    hours: float  # JP per participant
    timeframe: str
    priority: str
    note: str = ""
    included: bool = True
    sources: tuple[str, ...] = field(default=())  # assessment refs behind it

    @property
    def total_hours(self) -> float:
        return round(self.participants * self.hours, 2)

    def to_dict(self) -> dict[str, Any]:
        """The line as JSON data (tuples as lists; no deep copy: the values are plain)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        data["total_hours"] = self.total_hours
        return data


def propose_plan(kb: KnowledgeBase, analysis: NeedsAnalysis) -> list[PlanLine]:
    """One line per programme with at least one need. Participants: every employee with a
    need it closes, plus one per unit or group assessed as a whole (the trainer sets the real
    head count); priority: the most urgent of its needs."""
    catalogue = kb.development
    grouped: dict[str, list[Any]] = {}
    for line in analysis.lines:
        if line.programme is not None:
            grouped.setdefault(line.programme, []).append(line)
    plan = []
    for programme_id, lines in grouped.items():
        programme = catalogue.programmes[programme_id]
        employees = sorted({s.name for ln in lines for s in ln.employees})
        groups = sorted({s.name for ln in lines for s in ln.groups}, key=natural_key)
        priority = min((ln.priority for ln in lines), key=kb.priority_rank)
        plan.append(PlanLine(
            programme=programme_id, needs=tuple(ln.diagnosis for ln in lines),
            forms=programme.forms,
            units=tuple(sorted({u for ln in lines for u in ln.units}, key=natural_key)),
            employees=tuple(employees), groups=tuple(groups),
            participants=len(employees) + len(groups), hours=programme.hours,
            timeframe=programme.timeframe, priority=priority,
            sources=tuple(dict.fromkeys(s.ref for ln in lines for s in ln.sources))))
    plan.sort(key=lambda p: (kb.priority_rank(p.priority), -p.participants,
                             list(catalogue.programmes).index(p.programme)))
    return plan


def adjust(kb: KnowledgeBase, plan: list[PlanLine], changes: Mapping[str, Mapping[str, Any]]
           ) -> list[PlanLine]:
    """The plan with the trainer's changes per programme id; CaseError lists every problem."""
    problems: list[Problem] = []
    by_id = {line.programme: line for line in plan}
    result = {line.programme: line for line in plan}
    forms_allowed = tuple(kb.development.forms)
    for programme, change in changes.items():
        where = f"plan.{programme}"
        if programme not in by_id:
            problems.append(Problem(where, "no such programme in this plan", tuple(by_id)))
            continue
        line = by_id[programme]
        updates: dict[str, Any] = {}
        for key, value in change.items():
            path = f"{where}.{key}"
            if key == "forms":
                values = [value] if isinstance(value, str) else list(value or [])
                unknown = [v for v in values if v not in forms_allowed]
                if unknown:
                    shown = ", ".join(map(str, unknown))
                    problems.append(Problem(path, f"unknown form(s): {shown}", forms_allowed))
                else:
                    updates["forms"] = tuple(v for v in forms_allowed if v in values)
            elif key in ("participants", "hours"):
                limit = MAX_PARTICIPANTS if key == "participants" else MAX_HOURS
                number = _number(value)
                if number is None or number < 0 or number > limit or (
                        key == "participants" and not float(number).is_integer()):
                    whole = key == "participants"
                    en = f"must be {'a whole number' if whole else 'a number'} from 0 to {limit}"
                    id_ = f"harus {'bilangan bulat' if whole else 'angka'} 0 sampai {limit}"
                    problems.append(Problem(path, en, translations=(("id", id_),)))
                else:
                    updates[key] = int(number) if key == "participants" else float(number)
            elif key in ("timeframe", "priority"):
                table = kb.timeframes if key == "timeframe" else kb.priorities
                if value not in table:
                    problems.append(Problem(path, f"unknown value {value!r}", tuple(table)))
                else:
                    updates[key] = value
            elif key == "note":
                text = "" if value is None else str(value)
                if len(text) > MAX_NOTE:
                    problems.append(Problem(path, f"at most {MAX_NOTE} characters"))
                else:
                    updates["note"] = text
            elif key == "included":
                updates["included"] = value in (True, "1", "on", "true", "ya", 1)
            else:
                problems.append(Problem(path, "unknown key", ("forms", "participants", "hours",
                                                              "timeframe", "priority", "note",
                                                              "included")))
        result[programme] = replace(line, **updates)
    if problems:
        raise CaseError(problems)
    return [result[line.programme] for line in plan]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


def plan_from_dict(items: Sequence[Mapping[str, Any]]) -> list[PlanLine]:
    """A saved plan back as lines (the stored JSON is what :meth:`PlanLine.to_dict` wrote)."""
    lines = []
    for item in items:
        data = {k: v for k, v in item.items() if k != "total_hours"}
        for key in ("needs", "forms", "units", "employees", "groups", "sources"):
            data[key] = tuple(data.get(key, ()))
        lines.append(PlanLine(**data))
    return lines
