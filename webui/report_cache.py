"""What a report page shows of a stored evaluation, kept per server process.

A stored evaluation never changes (the database refuses updates), so what its report shows of
it — the typed result and all that is derived from it, its content hash, and the HTML of the
parts that depend on nothing else (verdict and chart, findings, inputs, diagnoses, what-if form,
fired rules, references, every explanation tree) — is a function of the stored row, the
language, the knowledge base and where the application is mounted.

Each view reads the row as stored — its JSON columns as text, in one query — and fingerprints
it (SHA-256 of every column). The fingerprint is part of the key: a row changed in the database
behind the application's back is a new key, so its content is read, hashed and shown afresh and
its seal (``webui.db.audit.seal``, which still checks the audit entry on every view) says it no
longer matches; nothing is ever trusted by the evaluation's id alone. The parts that depend on
the user, permissions, the CSRF token, the follow-up, today's date or the evaluation history are
rendered for each request.

Entries live in one bounded LRU cache per application (so per database and per server
process): ``REPORT_CACHE_SIZE`` entries, one per evaluation and language; 0 turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache
from flask import abort, current_app, request
from markupsafe import Markup

from expert.result import read_result
from webui.db import Evaluation, db
from webui.db.canonical import canonical_json, evaluation_hash, utc_iso
from webui.expert_ext import knowledge_base
from webui.i18n import local_time
from webui.report import StoredReport, stored_report

EXTENSION = "kinerja.report_cache"
SCALARS = ("id", "assessment_id", "created_at", "kb_version", "overall", "origin", "assessor")
DOCUMENTS = ("case", "indicator_notes", "result")  # JSON columns, read as stored text


@dataclass
class StoredPage:
    """One stored evaluation in one language: its content, its report's stored part and the
    HTML rendered from them so far."""

    content_hash: str
    case: Mapping[str, Any]
    report: StoredReport
    fragments: dict[str, Markup] = field(default_factory=dict)

    def fragment(self, name: str, caller: Callable[[], str]) -> Markup:
        """``{% call fragment(name) %}…{% endcall %}``: the body's HTML, rendered once."""
        html = self.fragments.get(name)
        if html is None:
            html = self.fragments[name] = Markup(caller())
        return html


class ReportCache:
    """A bounded LRU of :class:`StoredPage`, safe to share between a process's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: LRUCache[tuple[Any, ...], StoredPage] = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], build: Callable[[], StoredPage]) -> StoredPage:
        if self.size <= 0:
            return build()
        with self._lock:
            page = self._pages.get(key)
        if page is None:  # built outside the lock: two first views may both build it
            page = build()
            with self._lock:
                page = self._pages.setdefault(key, page)
        return page

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def report_cache() -> ReportCache:
    """The application's cache, made on first use."""
    extensions = current_app.extensions
    cache = extensions.get(EXTENSION)
    if cache is None:
        size = int(str(current_app.config.get("REPORT_CACHE_SIZE", 0)).strip())
        cache = extensions.setdefault(EXTENSION, ReportCache(size))
    return cache


@dataclass(frozen=True)
class StoredRow:
    scalars: dict[str, Any]
    documents: tuple[str | None, ...]  # the JSON columns' text, as stored
    fingerprint: str


@functools.cache
def _row_query() -> sa.Select[Any]:
    """Built once: a statement is costlier to build than to run."""
    columns = [getattr(Evaluation, name) for name in SCALARS]
    documents = [sa.cast(getattr(Evaluation, name), sa.Text) for name in DOCUMENTS]
    return sa.select(*columns, *documents).where(Evaluation.id == sa.bindparam("evaluation_id"))


def read_row(evaluation_id: int) -> StoredRow | None:
    """The evaluation's row as stored, and the SHA-256 fingerprint of all its columns."""
    row = db.session.execute(_row_query(), {"evaluation_id": evaluation_id}).first()
    if row is None:
        return None
    scalars = dict(zip(SCALARS, row[:len(SCALARS)], strict=True))
    texts = tuple(row[len(SCALARS):])
    digest = hashlib.sha256(canonical_json(
        [{**scalars, "created_at": utc_iso(scalars["created_at"])},
         [None if text is None else len(text) for text in texts]]).encode())
    for text in texts:
        if text is not None:
            digest.update(text.encode("utf-8", "surrogatepass"))
    return StoredRow(scalars, texts, digest.hexdigest())


def stored_page(evaluation: Any, lang: str, not_assessed_label: str) -> StoredPage:
    """The page parts of ``evaluation`` in ``lang``: from the cache when its row is unchanged
    since they were made."""
    row = read_row(evaluation.id)
    if row is None:  # removed behind the application's back since it was loaded
        abort(404)
    kb = knowledge_base()
    key = (row.scalars["id"], row.fingerprint, lang, kb.version, not_assessed_label,
           request.script_root)
    return report_cache().get(key, lambda: _build(row, lang, not_assessed_label))


def _build(row: StoredRow, lang: str, not_assessed_label: str) -> StoredPage:
    case, notes, results = (_document(text) for text in row.documents)
    content_hash = evaluation_hash({**row.scalars, "case": case, "indicator_notes": notes,
                                    "result": results})
    # the language as Evaluation.result_in chooses it
    result = read_result(results.get(lang) or next(iter(results.values())))
    report = stored_report(knowledge_base(), result, notes or {}, lang, not_assessed_label,
                           case=case or {},
                           evaluated_on=local_time(row.scalars["created_at"]).date())
    return StoredPage(content_hash, case or {}, report)


def _document(text: str | None) -> Any:
    return None if text is None else json.loads(text)
