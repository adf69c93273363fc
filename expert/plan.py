"""The action plan: one item per recommendation, with its owners and a due date.

The result lists recommendations once each; the report used to repeat them under every
audience. A plan item names all of its audiences as owners and is ordered by priority, then
timeframe (immediate first), then the knowledge base's order of recommendations. Its due date
is the evaluation's date plus the timeframe's window: ``immediate`` ("this month") is due at
the end of the evaluation's month, the others at the end of their window (3, 6, 12 months).

The windows are the ones the timeframe labels of the knowledge base state; a timeframe the
table below does not know is due after twelve months and sorts after the known ones.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from expert.kb.model import KnowledgeBase
from expert.result import Recommendation, Result

__all__ = ["DUE_MONTHS", "STATUSES", "PlanItem", "action_plan", "add_months", "due_date",
           "due_within"]

# timeframe id → months from the evaluation to the due date; 0 = end of the same month
DUE_MONTHS = {"immediate": 0, "short": 3, "medium": 6, "long": 12}
DEFAULT_MONTHS = 12
# The statuses a head gives an item, in the order they are offered; the first is the default.
STATUSES = ("planned", "in_progress", "done", "dropped")
OPEN_STATUSES = ("planned", "in_progress")


@dataclass(frozen=True)
class PlanItem:
    number: int  # 1-based position in the plan
    recommendation: Recommendation
    owners: tuple[str, ...]  # audience ids, in the knowledge base's order
    owner_labels: tuple[str, ...]
    due: date

    @property
    def id(self) -> str:
        return self.recommendation.id


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, the day clamped to the month's length (31 Jan + 1 month
    is 28 or 29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def due_date(evaluated_on: date, timeframe: str) -> date:
    months = DUE_MONTHS.get(timeframe, DEFAULT_MONTHS)
    if months == 0:
        return date(evaluated_on.year, evaluated_on.month,
                    calendar.monthrange(evaluated_on.year, evaluated_on.month)[1])
    return add_months(evaluated_on, months)


def action_plan(kb: KnowledgeBase, result: Result, evaluated_on: date) -> list[PlanItem]:
    """The result's recommendations as one ordered plan (see the module's docstring)."""
    timeframes = list(kb.timeframes)
    kb_order = {rec_id: n for n, rec_id in enumerate(kb.recommendations)}
    audiences = list(kb.audiences)

    def timeframe_rank(timeframe: str) -> int:
        return timeframes.index(timeframe) if timeframe in timeframes else len(timeframes)

    def priority_rank(priority: str) -> int:
        return kb.priority_rank(priority) if priority in kb.priorities else len(kb.priorities)

    ordered = sorted(result.recommendations, key=lambda r: (
        priority_rank(r.priority), timeframe_rank(r.timeframe),
        kb_order.get(r.id, len(kb_order)), r.id))
    items = []
    for number, rec in enumerate(ordered, start=1):
        owners = tuple(sorted(rec.audience, key=lambda a: audiences.index(a)
                              if a in audiences else len(audiences)))
        items.append(PlanItem(number=number, recommendation=rec, owners=owners,
                              owner_labels=tuple(kb.label("audiences", a, result.lang)
                                                 for a in owners),
                              due=due_date(evaluated_on, rec.timeframe)))
    return items


def due_within(items: Sequence[PlanItem], start: date, end: date) -> list[PlanItem]:
    """Items due from ``start`` to ``end`` inclusive (the "this month" summary)."""
    return [item for item in items if start <= item.due <= end]
