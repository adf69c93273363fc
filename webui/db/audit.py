"""The audit log: an append-only, hash-chained table of events.

Each entry holds who (actor, role, remote address), when (UTC), what (action, object, the
SHA-256 of the object's canonical content) and the previous entry's hash; its own hash covers
all of that. Appends happen inside :func:`webui.db.transaction.writing`, so the chain stays
linear with several server processes; triggers refuse UPDATE and DELETE (``schema.py``).

:func:`verify` recomputes every entry and every evaluation and names the first breach:

- ``content changed``: an entry's fields or an evaluation's content no longer hash as recorded,
  or a plan status differs from its entry;
- ``entry missing``: a gap in the sequence numbers, or an evaluation or plan status with no
  entry (or recorded but gone);
- ``link broken``: an entry's previous hash is not its predecessor's hash (reordered chain).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, undefer

from webui.db.base import db, utcnow
from webui.db.canonical import GENESIS, canonical_json, entry_hash
from webui.db.transaction import in_write

ACTIONS = ("login", "login_failed", "logout", "create", "reevaluate", "archive",
           "download_case", "download_result", "export_pack", "user_add", "user_disable",
           "user_enable", "user_passwd", "user_role", "user_offices", "token_issue", "token_revoke",
           "office_add", "office_assign", "import", "export", "plan_save",
           "plan_status")


@dataclass(frozen=True)
class Actor:
    """Who does something: a user, or the system itself (migrations, the demo)."""

    username: str | None
    role: str | None = None
    remote_addr: str | None = None


SYSTEM = Actor(username=None, role="system")


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, unique=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    actor: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(20))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(200))
    assessment_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[str] = mapped_column(sa.Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in
                ("seq", "at", "actor", "role", "remote_addr", "action", "object_type",
                 "object_id", "assessment_id", "content_hash", "detail", "prev_hash")}

    def to_dict(self) -> dict[str, Any]:
        from webui.db.canonical import entry_content

        return {**entry_content(self.fields()), "hash": self.hash}

    @property
    def object(self) -> str:
        return f"{self.object_type}/{self.object_id}" if self.object_type else ""

    @property
    def details(self) -> dict[str, Any]:
        import json

        value = json.loads(self.detail or "{}")
        return value if isinstance(value, dict) else {}


def head() -> AuditEvent | None:
    return db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def append(actor: Actor, action: str, object_type: str | None = None,
           object_id: object = None, *, assessment_id: int | None = None,
           content_hash: str | None = None, detail: Mapping[str, Any] | None = None
           ) -> AuditEvent:
    """Add an entry at the head of the chain, in the current write transaction."""
    if not in_write():
        raise RuntimeError("audit entries are appended inside writing() only")
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    last = head()
    entry = AuditEvent(
        seq=(last.seq + 1) if last else 1, at=utcnow(), actor=actor.username, role=actor.role,
        remote_addr=actor.remote_addr, action=action, object_type=object_type,
        object_id=None if object_id is None else str(object_id), assessment_id=assessment_id,
        content_hash=content_hash, detail=canonical_json(dict(detail or {})),
        prev_hash=last.hash if last else GENESIS)
    entry.hash = entry_hash(entry.fields())
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class Breach:
    entry: int | None  # the entry's sequence number, if the breach is in the chain
    kind: str  # content changed | entry missing | link broken
    message: str


@dataclass
class Report:
    entries: int = 0
    evaluations: int = 0
    plan_statuses: int = 0
    head: str = GENESIS
    breaches: list[Breach] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaches


def check_entries(entries: Iterable[Mapping[str, Any]], report: Report) -> None:
    """The chain proper: sequence without gaps, links, and each entry's own hash."""
    previous_hash, expected_seq = GENESIS, 1
    for entry in entries:
        seq = entry["seq"]
        report.entries += 1
        if seq != expected_seq:
            report.breaches.append(Breach(
                expected_seq, "entry missing",
                f"entry #{expected_seq} is missing: the entry after #{expected_seq - 1} "
                f"is #{seq}" if seq > expected_seq else
                f"entry #{seq} appears where #{expected_seq} belongs (reordered)"))
        if entry["prev_hash"] != previous_hash:
            report.breaches.append(Breach(
                seq, "link broken", f"entry #{seq}: its previous hash {entry['prev_hash'][:16]}… "
                f"is not the hash of the entry before it ({previous_hash[:16]}…)"))
        recomputed = entry_hash(entry)
        if recomputed != entry["hash"]:
            report.breaches.append(Breach(
                seq, "content changed", f"entry #{seq} ({entry['action']} "
                f"{entry.get('object_type') or ''}/{entry.get('object_id') or ''}): its fields "
                f"hash to {recomputed[:16]}…, recorded {str(entry['hash'])[:16]}…"))
        previous_hash, expected_seq = entry["hash"], seq + 1
    report.head = previous_hash


EVALUATION_ACTIONS = ("create", "reevaluate", "import")


def verify() -> Report:
    """Recompute the chain and every evaluation's content hash (see the module's docstring)."""
    from webui.db import Evaluation

    report = Report()
    recorded: dict[str, tuple[int, str | None]] = {}

    def entries() -> Iterable[dict[str, Any]]:
        for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)):
            if event.object_type == "evaluation" and event.action in EVALUATION_ACTIONS:
                recorded[str(event.object_id)] = (event.seq, event.content_hash)
            yield {**event.fields(), "hash": event.hash}

    check_entries(entries(), report)
    query = sa.select(Evaluation).order_by(Evaluation.id).options(
        undefer(Evaluation.case), undefer(Evaluation.result), undefer(Evaluation.indicator_notes)
    ).execution_options(yield_per=100)  # a large database is read in batches
    for evaluation in db.session.scalars(query):
        report.evaluations += 1
        found = recorded.pop(str(evaluation.id), None)
        if found is None:
            report.breaches.append(Breach(None, "entry missing",
                                          f"evaluation {evaluation.id} has no audit entry"))
            continue
        seq, content_hash = found
        if evaluation.content_hash() != content_hash:
            report.breaches.append(Breach(
                seq, "content changed", f"evaluation {evaluation.id} (assessment "
                f"{evaluation.assessment_id}): its case, result or record differ from the "
                f"content hashed in entry #{seq}"))
    for evaluation_id, (seq, _) in sorted(recorded.items()):
        report.breaches.append(Breach(seq, "entry missing", f"evaluation {evaluation_id}, "
                                      f"recorded in entry #{seq}, is missing from the database"))
    from webui.db.plan_status import check_statuses

    check_statuses(report)
    return report


@dataclass
class Seal:
    """What a report shows about one evaluation: its hash and whether it is verified."""

    content_hash: str
    entry: AuditEvent | None
    verified: bool


@functools.cache
def _entry_query() -> sa.Select[Any]:
    """An evaluation's audit entry and, in the same query, the hash of the entry before it
    (built once: a statement is costlier to build than to run)."""
    before = sa.orm.aliased(AuditEvent)
    return sa.select(AuditEvent, sa.select(before.hash).where(
        before.seq == AuditEvent.seq - 1).scalar_subquery()).where(
        # the assessment's index finds the entry without reading every evaluation's entry
        AuditEvent.assessment_id == sa.bindparam("assessment_id"),
        AuditEvent.object_type == "evaluation",
        AuditEvent.object_id == sa.bindparam("object_id"),
        AuditEvent.action.in_(EVALUATION_ACTIONS)).order_by(AuditEvent.seq).limit(1)


def seal(evaluation: Any, content_hash: str | None = None) -> Seal:
    """Verify one evaluation when it is shown: its content hashes as its audit entry says,
    that entry's own hash holds, and it links to the entry before it. ``content_hash``: the
    hash of the evaluation's content as stored now, if the caller has it (the report cache
    keeps it per fingerprint of the stored row); computed from ``evaluation`` otherwise."""
    if content_hash is None:
        content_hash = evaluation.content_hash()
    found = db.session.execute(_entry_query(), {"assessment_id": evaluation.assessment_id,
                                                "object_id": str(evaluation.id)}).first()
    if found is None:
        return Seal(content_hash, None, False)
    entry, previous_hash = found  # the entry and, in the same query, the hash before it
    verified = (entry.content_hash == content_hash and entry_hash(entry.fields()) == entry.hash
                and (previous_hash if entry.seq > 1 else GENESIS) == entry.prev_hash)
    return Seal(content_hash, entry, verified)
