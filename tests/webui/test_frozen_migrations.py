"""webui/migrations/versions/: every migration is self-contained. It imports nothing from the
application and holds frozen copies of its SQL and of the audit chain's hash format, so a
later change of the application cannot change what an old migration does.

The frozen copies must still agree with the application today: a chain written by migration
0002 is verified by ``webui.db.canonical`` (``kinerja audit verify``), and a migrated
database must get the same triggers as a fresh one made from ``schema.trigger_statements``.
If one of these tests fails, the application's format or triggers changed: that needs a new
migration (and, for the hash format, a new ``FORMAT``), never an edit of an old one.
"""

from __future__ import annotations

import ast
import importlib.util
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webui.db import canonical, schema

VERSIONS = Path(schema.MIGRATIONS) / "versions"
MIGRATION_FILES = sorted(VERSIONS.glob("[0-9]*.py"))
APPLICATION_PACKAGES = ("webui", "expert", "knowledge")


def load(stem: str) -> ModuleType:
    path = VERSIONS / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"kinerja_migration_{stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_migrations_are_found():
    assert [p.stem[:4] for p in MIGRATION_FILES] == [f"{n:04d}" for n in
                                                      range(1, len(MIGRATION_FILES) + 1)]
    assert len(MIGRATION_FILES) >= 5


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.stem)
def test_no_migration_imports_the_application(path):
    application = {name for name in imported_modules(path)
                   if name.split(".")[0] in APPLICATION_PACKAGES}
    assert application == set(), f"{path.name} imports {sorted(application)}"


def test_the_frozen_triggers_are_the_applications_triggers():
    """A migrated database gets exactly the statements a fresh one gets."""
    migrations = [load(path.stem) for path in MIGRATION_FILES]
    for dialect in ("sqlite", "postgresql"):
        frozen = [statement for module in migrations
                  for statement in getattr(module, "TRIGGERS", {}).get(dialect, [])]
        assert len(frozen) == len(set(frozen))
        assert set(frozen) == set(schema.trigger_statements(dialect)), dialect


AUDIT = load("0002_accounts_audit")
MOMENTS = [
    datetime(2026, 11, 29, 8, 30, 15, 123456, tzinfo=UTC),
    datetime(2026, 11, 29, 8, 30, 15),  # naive, as SQLite gives it back: UTC
    datetime(2026, 11, 29, 16, 30, tzinfo=timezone(timedelta(hours=8))),  # WITA
    datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
]


def test_the_frozen_constants_are_the_applications():
    assert (AUDIT.FORMAT, AUDIT.GENESIS) == (canonical.FORMAT, canonical.GENESIS)
    assert AUDIT.EVALUATION_FIELDS == canonical.EVALUATION_FIELDS
    assert AUDIT.ENTRY_FIELDS == canonical.ENTRY_FIELDS


@pytest.mark.parametrize("moment", MOMENTS + [None])
def test_times_are_written_as_the_application_writes_them(moment):
    assert AUDIT.utc_iso(moment) == canonical.utc_iso(moment)


def evaluation(moment: Any) -> dict[str, Any]:
    return {"id": 7, "assessment_id": 3, "created_at": moment, "kb_version": "2.0.0+abc",
            "overall": "cukup_baik", "origin": "form", "assessor": "Ibu Sari",
            "case": {"subject": {"name": "Dinas Perindustrian", "kind": "unit"},
                     "indicators": {"kehadiran": 92.5, "sasaran": None}},
            "indicator_notes": {"kehadiran": "cuti ≥ 3 hari — lihat SK"},
            "result": {"id": {"overall": "Cukup baik"}, "en": {"overall": "Fair"}}}


@pytest.mark.parametrize("moment", MOMENTS)
def test_an_evaluation_hashes_as_the_application_hashes_it(moment):
    row = evaluation(moment)
    assert AUDIT.evaluation_hash(row) == canonical.evaluation_hash(row)
    partial = {key: value for key, value in row.items() if key != "assessor"}  # before 0002
    assert AUDIT.evaluation_hash(partial) == canonical.evaluation_hash(partial)


@pytest.mark.parametrize("moment", MOMENTS)
def test_an_import_entry_hashes_as_the_application_hashes_it(moment):
    entry = {"seq": 1, "at": moment, "actor": None, "role": "system", "remote_addr": None,
             "action": "import", "object_type": "evaluation", "object_id": "7",
             "assessment_id": 3, "content_hash": "ab" * 32,
             "detail": AUDIT.canonical_json({"origin": "form",
                                             "note": "recorded before the audit log existed"}),
             "prev_hash": AUDIT.GENESIS}
    assert AUDIT.entry_hash(entry) == canonical.entry_hash(entry)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@given(case=JSON, result=JSON, notes=JSON, text=st.text(), moment=st.datetimes())
def test_any_content_hashes_alike(case, result, notes, text, moment):
    row = {**evaluation(moment), "case": case, "result": result, "indicator_notes": notes,
           "assessor": text}
    assert AUDIT.canonical_json(case) == canonical.canonical_json(case)
    assert AUDIT.evaluation_hash(row) == canonical.evaluation_hash(row)
    entry = {"seq": 2, "at": moment, "actor": text, "detail": AUDIT.canonical_json(result),
             "prev_hash": "f" * 64}
    assert AUDIT.entry_hash(entry) == canonical.entry_hash(entry)
