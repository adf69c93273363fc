"""The assessment list's filters, search, sort and totals (issue 10).

The list view passes its base query (what the user may see, issue 7) through :func:`apply`
and paginates the result (issue 6); the filter values come from the query string and are
checked against what exists, so a hand-edited URL cannot inject anything (an unknown value
is dropped, not an error: the list still shows). The recommendation-topic filter reads the
needs summaries (``webui.needs``), not the stored results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from expert.kb.model import KnowledgeBase
from webui.db import Assessment, db
from webui.db.accounts import Office

__all__ = ["SORTS", "ListFilters", "apply", "read_filters", "verdict_totals"]

SORTS: dict[str, tuple[Any, ...]] = {
    "updated": (Assessment.updated_at.desc(), Assessment.id.desc()),
    "oldest": (Assessment.updated_at.asc(), Assessment.id.asc()),
    "name": (Assessment.subject_name.asc(), Assessment.id.asc()),
    "period": (Assessment.period.desc(), Assessment.subject_name.asc(), Assessment.id.asc()),
    "verdict": (Assessment.overall.asc(), Assessment.subject_name.asc(), Assessment.id.asc()),
}
MAX_SEARCH = 100


@dataclass(frozen=True)
class ListFilters:
    q: str = ""
    office: str = ""
    period: str = ""
    kind: str = ""
    verdict: str = ""
    topic: str = ""
    sort: str = "updated"

    @property
    def active(self) -> bool:
        return any((self.q, self.office, self.period, self.kind, self.verdict, self.topic))

    def args(self) -> dict[str, str]:
        """The non-empty filters, for links (pagination keeps them)."""
        data = {k: v for k, v in self.__dict__.items() if v}
        if data.get("sort") == "updated":
            data.pop("sort")
        return data


def read_filters(args: Any, kb: KnowledgeBase) -> ListFilters:
    def pick(name: str, allowed: Any) -> str:
        value = str(args.get(name, "") or "")
        return value if value in allowed else ""

    q = " ".join(str(args.get("q", "") or "").split())[:MAX_SEARCH]
    q = "".join(ch for ch in q if ch.isprintable())
    office = str(args.get("office", "") or "")[:200]
    period = str(args.get("period", "") or "")[:200]
    return ListFilters(q=q, office=office, period=period,
                       kind=pick("kind", kb.subject_kinds), verdict=pick("verdict", kb.ratings),
                       topic=pick("topic", kb.topics),
                       sort=pick("sort", SORTS) or "updated")


def _topic_ids(kb: KnowledgeBase, topic: str) -> list[int]:
    from webui.needs import stored_subjects

    wanted = {r.id for r in kb.recommendations.values() if topic in r.topics}
    return [int(s.key) for s in stored_subjects() if s.key and wanted & set(s.recommendations)]


def apply(query: sa.Select[Any], filters: ListFilters, kb: KnowledgeBase) -> sa.Select[Any]:
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Assessment.subject_name.ilike(f"%{escaped}%", escape="\\"))
    if filters.office:
        query = query.where(Assessment.office_id.in_(
            sa.select(Office.id).where(Office.name == filters.office)))
    if filters.period:
        query = query.where(Assessment.period == filters.period)
    if filters.kind:
        query = query.where(Assessment.subject_kind == filters.kind)
    if filters.verdict:
        query = query.where(Assessment.overall == filters.verdict)
    if filters.topic:
        query = query.where(Assessment.id.in_(_topic_ids(kb, filters.topic) or [-1]))
    return query.order_by(None).order_by(*SORTS[filters.sort])


def verdict_totals(query: sa.Select[Any]) -> dict[str | None, int]:
    """How many of the filtered assessments have each overall verdict."""
    ids = query.order_by(None).with_only_columns(Assessment.id).subquery()
    rows = db.session.execute(
        sa.select(Assessment.overall, sa.func.count(Assessment.id))
        .where(Assessment.id.in_(sa.select(ids.c.id))).group_by(Assessment.overall)).all()
    return {overall: count for overall, count in rows}


def choices() -> dict[str, list[str]]:
    """The offices and periods that exist, for the filter's lists."""
    offices = db.session.scalars(sa.select(Office.name).order_by(Office.name)).all()
    periods = db.session.scalars(sa.select(Assessment.period).where(
        Assessment.period.is_not(None)).distinct().order_by(Assessment.period.desc())).all()
    return {"offices": list(offices), "periods": [p for p in periods if p]}
