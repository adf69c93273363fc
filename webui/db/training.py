"""The trainers' tables: each evaluation's needs summary (a cache, so that the needs analysis
over a thousand assessments never parses their full results) and saved programme plans.

A summary is what :class:`expert.planning.AssessedSubject` needs, written when an evaluation
is first analysed; evaluations never change, so a summary never goes stale. A plan is saved
as a new row every time, with who saved it and when; an earlier version stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webui.db.base import db, utcnow

__all__ = ["NeedsSummary", "ProgrammePlan"]


class NeedsSummary(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "needs_summary"

    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class ProgrammePlan(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "programme_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # the trainer's selection (offices, periods, kinds) and the plan's lines (PlanLine.to_dict)
    selection: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    kb_version: Mapped[str] = mapped_column(sa.String(80))
    based_on: Mapped[int | None] = mapped_column(sa.ForeignKey("programme_plan.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 index=True)
    created_by: Mapped[str | None] = mapped_column(sa.String(80))
