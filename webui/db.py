"""Persistence: assessments and their evaluations (Flask-SQLAlchemy).

An :class:`Assessment` is one subject assessed over time; each save of its form, each upload
and the demo add an :class:`Evaluation` that keeps the case, the result in both languages, the
knowledge-base version and its time. Evaluations are never changed after they are written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from expert import Case, KnowledgeBase, evaluate, read_case_file
from expert.i18n import LANGUAGES


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

DEMO_FLAG = "demo_seeded"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Assessment(db.Model):  # type: ignore[name-defined,misc]
    """A subject assessed: the summary columns follow its latest evaluation."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_name: Mapped[str] = mapped_column(sa.Text)
    subject_kind: Mapped[str] = mapped_column(sa.String(40))
    period: Mapped[str | None] = mapped_column(sa.Text)
    overall: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 index=True)
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="assessment", order_by="Evaluation.id", cascade="all, delete-orphan")

    @property
    def latest(self) -> Evaluation:
        return self.evaluations[-1]


class Evaluation(db.Model):  # type: ignore[name-defined,misc]
    """One consultation, kept as it was: never updated, only added or deleted with its
    assessment."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    kb_version: Mapped[str] = mapped_column(sa.String(80))
    overall: Mapped[str | None] = mapped_column(sa.String(40))
    origin: Mapped[str] = mapped_column(sa.String(20))  # form | upload | demo
    # The canonical case document (Case.to_dict()), the form's notes per indicator, and the
    # result JSON per language ({"id": {...}, "en": {...}}); large, so loaded on access only.
    case: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)
    indicator_notes: Mapped[dict[str, str]] = mapped_column(sa.JSON, deferred=True)
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)

    assessment: Mapped[Assessment] = relationship(back_populates="evaluations")

    def result_in(self, lang: str) -> dict[str, Any]:
        stored: dict[str, Any] = self.result
        return stored.get(lang) or next(iter(stored.values()))


class Setting(db.Model):  # type: ignore[name-defined,misc]
    """Small facts about the instance, e.g. that the demo assessment was added once."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


class ImmutableEvaluationError(RuntimeError):
    pass


@sa.event.listens_for(Evaluation, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: Evaluation) -> None:
    raise ImmutableEvaluationError(f"evaluation {target.id} is never overwritten")


def init_db() -> None:
    """Create the tables that do not exist yet (idempotent)."""
    db.create_all()


def init_app(app: Flask) -> None:
    db.init_app(app)
    app.cli.add_command(seed_demo_command)
    with app.app_context():
        init_db()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add the seed case as a demo assessment, unless it was added before."""
    from webui.expert_ext import knowledge_base

    assessment = seed_demo(knowledge_base())
    if assessment is None:
        click.echo("The demo assessment was added before (or there is no seed case).")
    else:
        click.echo(f"Added the demo assessment '{assessment.subject_name}'.")


def record_evaluation(kb: KnowledgeBase, case: Case, *, origin: str,
                      assessment: Assessment | None = None,
                      indicator_notes: Mapping[str, str] | None = None) -> Assessment:
    """Evaluate ``case`` and store it as a new evaluation (of a new assessment by default)."""
    evaluation = evaluate(kb, case)
    results = {lang: evaluation.to_dict(lang) for lang in LANGUAGES}
    now = utcnow()
    if assessment is None:
        assessment = Assessment(created_at=now)
        db.session.add(assessment)
    assessment.subject_name = case.subject_name
    assessment.subject_kind = case.subject_kind
    assessment.period = case.period
    assessment.overall = evaluation.overall
    assessment.updated_at = now
    assessment.evaluations.append(Evaluation(
        created_at=now, kb_version=kb.version, overall=evaluation.overall, origin=origin,
        case=case.to_dict(), indicator_notes=dict(indicator_notes or {}), result=results))
    db.session.commit()
    return assessment


def seed_case_file(kb: KnowledgeBase) -> Path | None:
    """The knowledge base's seed case: the file in ``cases/`` whose name contains "seed"."""
    folder = kb.directory / "cases"
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir()
                   if "seed" in p.name and p.suffix in (".yaml", ".yml", ".json"))
    return found[0] if found else None


def seed_demo(kb: KnowledgeBase) -> Assessment | None:
    """On an instance's first start, add the seed case as a demo assessment (once only:
    deleting the demo does not bring it back)."""
    if db.session.get(Setting, DEMO_FLAG) is not None:
        return None
    path = seed_case_file(kb)
    if path is None:  # a knowledge base without a seed case: nothing to add, try next start
        return None
    assessment = record_evaluation(kb, read_case_file(kb, path), origin="demo")
    db.session.add(Setting(key=DEMO_FLAG, value=path.name))
    db.session.commit()
    return assessment
