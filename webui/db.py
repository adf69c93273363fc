"""Persistence: assessments and their evaluations (Flask-SQLAlchemy).

An :class:`Assessment` is one subject assessed over time; each save of its form, each upload
and the demo add an :class:`Evaluation` that keeps the case, the result in both languages, the
knowledge-base version and its time. Evaluations are never changed after they are written.

Many requests write at once: on SQLite every connection turns foreign keys on (so the schema's
``ON DELETE CASCADE`` applies and no evaluation can outlive its assessment), uses WAL and waits
for a lock (busy timeout); a write that still meets a locked database is retried a few times.
A write racing a delete of its assessment raises :class:`AssessmentGone`, never a 500.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from expert import Case, KnowledgeBase, evaluate, read_case_file
from expert.i18n import LANGUAGES


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

DEMO_FLAG = "demo_seeded"
BUSY_TIMEOUT_MS = 10_000
WRITE_ATTEMPTS = 5
PAGE_SIZE = 50


class AssessmentGone(LookupError):
    """The assessment was deleted by another request while this one wrote to it."""


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
        back_populates="assessment", order_by="Evaluation.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def latest(self) -> Evaluation | None:
        """The latest evaluation; None if another request deleted them all meanwhile."""
        return self.evaluations[-1] if self.evaluations else None


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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on (SQLite's default is off), WAL so readers never block the writer, and
    a busy timeout so a writer waits for the lock instead of failing at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def init_app(app: Flask) -> None:
    db.init_app(app)
    app.cli.add_command(seed_demo_command)
    with app.app_context():
        sa.event.listen(db.engine, "connect", _sqlite_pragmas)
        init_db()


def _locked(error: sa.exc.OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def write(unit_of_work: Callable[[], Any]) -> Any:
    """Run ``unit_of_work`` (session changes, no commit) and commit; retry a bounded number of
    times while the database is locked; a vanished assessment raises AssessmentGone."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            result = unit_of_work()
            db.session.commit()
            return result
        except sa.exc.OperationalError as error:
            db.session.rollback()
            if not _locked(error) or attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)
        except (StaleDataError, sa.exc.IntegrityError) as error:
            # an UPDATE that matched no row, or a foreign key to a deleted assessment
            db.session.rollback()
            raise AssessmentGone() from error
    raise AssertionError("unreachable")


def delete_assessment(assessment_id: int) -> bool:
    """Delete an assessment and (by the schema's cascade) its evaluations; False if it was
    not there (already deleted by another request)."""
    def unit() -> int:
        result = db.session.execute(sa.delete(Assessment).where(Assessment.id == assessment_id))
        return int(getattr(result, "rowcount", 0) or 0)

    return bool(write(unit))


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
    target_id = assessment.id if assessment is not None else None

    def unit() -> Assessment:
        now = utcnow()
        if target_id is None:
            target = Assessment(created_at=now)
            db.session.add(target)
        else:
            found = db.session.get(Assessment, target_id)
            if found is None:
                raise AssessmentGone()
            target = found
        target.subject_name = case.subject_name
        target.subject_kind = case.subject_kind
        target.period = case.period
        target.overall = evaluation.overall
        target.updated_at = now
        db.session.add(Evaluation(
            assessment=target, created_at=now, kb_version=kb.version,
            overall=evaluation.overall, origin=origin, case=case.to_dict(),
            indicator_notes=dict(indicator_notes or {}), result=results))
        return target

    written: Assessment = write(unit)
    return written


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
