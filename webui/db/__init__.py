"""Persistence: assessments and their evaluations (Flask-SQLAlchemy).

An :class:`Assessment` is one subject assessed over time, belonging to an office; each save of
its form, each upload and the demo add an :class:`Evaluation` that keeps the case, the result in
both languages, the knowledge-base version, its time and its assessor. Evaluations are never
changed or deleted (database triggers refuse it, see ``schema.py``) and every one is entered in
the hash-chained audit log (``audit.py``). Assessments are archived with a reason, never deleted.

Many requests write at once: on SQLite every connection turns foreign keys on, uses WAL and
waits for a lock (busy timeout); every write runs in :func:`write`, one serialised transaction
(``transaction.writing``) retried a few times if the database is still locked. A write racing
something that removed its assessment raises :class:`AssessmentGone`, never a 500.

Modules: ``base`` (the SQLAlchemy object), ``accounts`` (users, offices, API tokens),
``audit`` (the chain), ``canonical`` (what is hashed), ``schema`` (migrations and triggers),
``transaction`` (serialised writes).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from expert import Case, KnowledgeBase, evaluate, read_case_file
from expert.i18n import LANGUAGES
from webui.db import schema, training
from webui.db.accounts import Office
from webui.db.audit import SYSTEM, Actor, append
from webui.db.base import Base, db, utcnow
from webui.db.canonical import EVALUATION_FIELDS, evaluation_hash
from webui.db.transaction import writing

__all__ = ["Assessment", "AssessmentGone", "Base", "Evaluation", "PAGE_SIZE", "Setting", "db",
           "record_evaluation", "seed_demo", "utcnow", "write"]

DEMO_FLAG = "demo_seeded"
BUSY_TIMEOUT_MS = 10_000
WRITE_ATTEMPTS = 5
PAGE_SIZE = 50


class AssessmentGone(LookupError):
    """The assessment was removed by another request while this one wrote to it."""


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
    # The office the assessment belongs to: a head sees only their offices' assessments.
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(sa.String(80))
    # Archiving replaces deleting: the record stays, with who, when and why.
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    archived_by: Mapped[str | None] = mapped_column(sa.String(80))
    archive_reason: Mapped[str | None] = mapped_column(sa.Text)
    # passive_deletes="all": the ORM never touches evaluations for an assessment; the
    # database refuses deleting either
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="assessment", order_by="Evaluation.id", passive_deletes="all")
    office: Mapped[Office | None] = relationship()

    @property
    def latest(self) -> Evaluation | None:
        """The latest evaluation; None if there is none (a record half-written elsewhere)."""
        return self.evaluations[-1] if self.evaluations else None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Evaluation(db.Model):  # type: ignore[name-defined,misc]
    """One consultation, kept as it was: never updated, never deleted."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    kb_version: Mapped[str] = mapped_column(sa.String(80))
    overall: Mapped[str | None] = mapped_column(sa.String(40))
    origin: Mapped[str] = mapped_column(sa.String(20))  # form | upload | demo
    assessor: Mapped[str | None] = mapped_column(sa.String(80))  # the user who recorded it
    # The canonical case document (Case.to_dict()), the form's notes per indicator, and the
    # result JSON per language ({"id": {...}, "en": {...}}); large, so loaded on access only.
    case: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)
    indicator_notes: Mapped[dict[str, str]] = mapped_column(sa.JSON, deferred=True)
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)

    assessment: Mapped[Assessment] = relationship(back_populates="evaluations")

    def result_in(self, lang: str) -> dict[str, Any]:
        stored: dict[str, Any] = self.result
        return stored.get(lang) or next(iter(stored.values()))

    def content(self) -> dict[str, Any]:
        """The fields the audit chain hashes (``canonical.evaluation_content``)."""
        return {name: getattr(self, name) for name in EVALUATION_FIELDS}

    def content_hash(self) -> str:
        return evaluation_hash(self.content())


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
    if str(app.config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgres"):
        # a pooled connection the server has dropped (a restart, a failover, an idle timeout)
        # is noticed before use and replaced, instead of failing the next request
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("pool_pre_ping", True)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    schema.init_app(app)
    app.cli.add_command(seed_demo_command)


def _locked(error: sa.exc.OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def write(unit_of_work: Callable[[], Any]) -> Any:
    """Run ``unit_of_work`` (session changes and audit entries, no commit) in one serialised
    transaction and commit; retry a bounded number of times while the database is locked; a
    vanished assessment raises AssessmentGone."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with writing():
                return unit_of_work()
        except sa.exc.OperationalError as error:
            if not _locked(error) or attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)
        except (StaleDataError, sa.exc.IntegrityError) as error:
            # an UPDATE that matched no row, or a foreign key to a removed assessment
            raise AssessmentGone() from error
    raise AssertionError("unreachable")


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
                      indicator_notes: Mapping[str, str] | None = None,
                      actor: Actor = SYSTEM, office: Office | None = None) -> Assessment:
    """Evaluate ``case`` and store it as a new evaluation (of a new assessment in ``office``
    by default), entered in the audit chain in the same transaction."""
    evaluation = evaluate(kb, case)
    results = {lang: evaluation.to_dict(lang) for lang in LANGUAGES}
    target_id = assessment.id if assessment is not None else None
    office_id = office.id if office is not None else None

    def unit() -> Assessment:
        now = utcnow()
        if target_id is None:
            action = "create"
            target = Assessment(created_at=now, office_id=office_id, created_by=actor.username)
            db.session.add(target)
        else:
            action = "reevaluate"
            found = db.session.get(Assessment, target_id)
            if found is None or found.archived:
                raise AssessmentGone()
            target = found
        target.subject_name = case.subject_name
        target.subject_kind = case.subject_kind
        target.period = case.period
        target.overall = evaluation.overall
        target.updated_at = now
        stored = Evaluation(
            assessment=target, created_at=now, kb_version=kb.version,
            overall=evaluation.overall, origin=origin, assessor=actor.username,
            case=case.to_dict(), indicator_notes=dict(indicator_notes or {}), result=results)
        db.session.add(stored)
        db.session.flush()  # the ids, which the hashed content includes
        append(actor, action, "evaluation", stored.id, assessment_id=target.id,
               content_hash=stored.content_hash(), detail={"origin": origin})
        return target

    written: Assessment = write(unit)
    return written


def assign_office(assessment: Assessment, office: Office | None, actor: Actor) -> None:
    """File an assessment under another office (e.g. one from before offices existed)."""
    target_id, office_id = assessment.id, office.id if office is not None else None

    def unit() -> None:
        found = db.session.get(Assessment, target_id)
        if found is None:
            raise AssessmentGone()
        before = found.office.name if found.office else None
        found.office_id = office_id
        after = db.session.get(Office, office_id) if office_id is not None else None
        append(actor, "office_assign", "assessment", target_id, assessment_id=target_id,
               detail={"from": before, "to": after.name if after else None})

    write(unit)


def archive_assessment(assessment: Assessment, reason: str, actor: Actor) -> None:
    """Take an assessment out of the everyday lists; the record, its history and the reason
    stay (for auditors and admins)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("an archive needs a reason")
    target_id = assessment.id

    def unit() -> None:
        found = db.session.get(Assessment, target_id)
        if found is None or found.archived:  # archived meanwhile by another request
            raise AssessmentGone()
        found.archived_at = utcnow()
        found.archived_by = actor.username
        found.archive_reason = reason
        append(actor, "archive", "assessment", target_id, assessment_id=target_id,
               detail={"reason": reason})

    write(unit)


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
    archiving the demo does not bring it back)."""
    if db.session.get(Setting, DEMO_FLAG) is not None:
        return None
    path = seed_case_file(kb)
    if path is None:  # a knowledge base without a seed case: nothing to add, try next start
        return None
    assessment = record_evaluation(kb, read_case_file(kb, path), origin="demo")
    with writing():
        db.session.add(Setting(key=DEMO_FLAG, value=path.name))
    return assessment


training.listen(Evaluation)  # each new evaluation's needs summary, written with it
