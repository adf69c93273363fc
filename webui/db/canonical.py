"""Canonical content and its SHA-256: what the audit chain and the audit pack hash.

The same bytes must come out of SQLite, PostgreSQL and a ZIP read back offline, so values are
serialised as sorted, compact JSON and times as UTC ISO 8601 with microseconds. Changing this
module changes every hash: it is part of the record's format (``FORMAT``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from webui.db.base import as_utc

FORMAT = "kinerja-audit-1"
GENESIS = "0" * 64  # the "previous hash" of the first entry


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def sha256_hex(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def utc_iso(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


EVALUATION_FIELDS = ("id", "assessment_id", "created_at", "kb_version", "overall", "origin",
                     "assessor", "case", "indicator_notes", "result")


def evaluation_content(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An evaluation's hashed content: the case, the result (both languages), the
    knowledge-base version, and who/when/how it was recorded."""
    content = {name: fields.get(name) for name in EVALUATION_FIELDS}
    if isinstance(content["created_at"], datetime):
        content["created_at"] = utc_iso(content["created_at"])
    return content


def evaluation_hash(fields: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json({"format": FORMAT, **evaluation_content(fields)}))


ENTRY_FIELDS = ("seq", "at", "actor", "role", "remote_addr", "action", "object_type",
                "object_id", "assessment_id", "content_hash", "detail", "prev_hash")


def entry_content(fields: Mapping[str, Any]) -> dict[str, Any]:
    content = {name: fields.get(name) for name in ENTRY_FIELDS}
    if isinstance(content["at"], datetime):
        content["at"] = utc_iso(content["at"])
    return content


def entry_hash(fields: Mapping[str, Any]) -> str:
    """An audit entry's hash: its fields and the previous entry's hash."""
    return sha256_hex(canonical_json({"format": FORMAT, **entry_content(fields)}))
