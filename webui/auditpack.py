"""The audit pack: one assessment's record as a ZIP that can be checked offline.

Contents::

    manifest.json                 format, assessment, chain head, SHA-256 of every other file
    assessment.json               the assessment (subject, office, archive state)
    evaluations/<id>/record.json  the evaluation's hashed fields except case and result
    evaluations/<id>/case.json    the case as stored
    evaluations/<id>/result.json  the result in both languages, with the full derivation
                                  (fired rules, every recommendation's explanation tree)
    knowledge/version.txt         the knowledge base version evaluated
    knowledge/files/…             the knowledge base's files, when it is the one evaluated
    plan/statuses.json            the follow-up: every plan-status row of the assessment
    audit/entries.json            the assessment's audit entries, with their hashes
    audit/chain_head.json         the chain's head when the pack was made

:func:`verify_pack` checks, with no database: every file against the manifest; each
evaluation's content hash against its audit entry; each plan-status row against its
``plan_status`` entry (a pack made before statuses were packed has none: nothing to check);
each entry's own hash; the knowledge files against the version they claim.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webui.db.canonical import FORMAT, entry_hash, evaluation_hash, sha256_hex, utc_iso

PACK_FORMAT = "kinerja-audit-pack-1"
MAX_PACK_BYTES = 64 * 1024 * 1024


def _dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def knowledge_files(directory: Path) -> list[Path]:
    """The knowledge base's own files (not its worked cases)."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and "cases" not in
                  p.relative_to(directory).parts and p.suffix in (".yaml", ".yml", ".md"))


def build_pack(assessment: Any, entries: Iterable[Any], head: Any, kb: Any,
               statuses: Iterable[Any] = ()) -> bytes:
    files: dict[str, bytes] = {}
    files["assessment.json"] = _dump({
        "id": assessment.id, "subject_name": assessment.subject_name,
        "subject_kind": assessment.subject_kind, "period": assessment.period,
        "office": assessment.office.name if assessment.office else None,
        "created_by": assessment.created_by, "created_at": utc_iso(assessment.created_at),
        "archived_at": utc_iso(assessment.archived_at), "archived_by": assessment.archived_by,
        "archive_reason": assessment.archive_reason})
    versions = set()
    for evaluation in assessment.evaluations:
        content = evaluation.content()
        base = f"evaluations/{evaluation.id}/"
        record = {k: v for k, v in content.items() if k not in ("case", "result")}
        record["created_at"] = utc_iso(evaluation.created_at)
        record["content_hash"] = evaluation_hash(content)
        files[base + "record.json"] = _dump(record)
        files[base + "case.json"] = _dump(content["case"])
        files[base + "result.json"] = _dump(content["result"])
        versions.add(evaluation.kb_version)
    files["knowledge/version.txt"] = ("\n".join(sorted(versions)) + "\n").encode()
    if kb.version in versions:
        for path in knowledge_files(kb.directory):
            files["knowledge/files/" + path.relative_to(kb.directory).as_posix()] = \
                path.read_bytes()
    files["plan/statuses.json"] = _dump([{
        "id": row.id, "assessment": row.assessment_id, "evaluation": row.evaluation_id,
        "recommendation": row.recommendation, "status": row.status,
        "date": row.status_date.isoformat(), "note": row.note, "actor": row.actor,
        "at": utc_iso(row.at)} for row in statuses])
    files["audit/entries.json"] = _dump([entry.to_dict() for entry in entries])
    files["audit/chain_head.json"] = _dump(head.to_dict() if head is not None else None)
    manifest = {"format": PACK_FORMAT, "hash_format": FORMAT, "assessment": assessment.id,
                "knowledge_version": kb.version if kb.version in versions else None,
                "chain_head": head.hash if head is not None else None,
                "files": {name: sha256_hex(data) for name, data in sorted(files.items())}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _dump(manifest))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class PackReport:
    evaluations: int = 0
    plan_statuses: int = 0
    entries: int = 0
    head: str | None = None
    problems: list[str] = field(default_factory=list)


def verify_pack(path: Path) -> PackReport:
    report = PackReport()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.problems.append(f"{path}: not a readable ZIP file ({error})")
        return report
    with archive:
        names = set(archive.namelist())
        if sum(i.file_size for i in archive.infolist()) > MAX_PACK_BYTES:
            report.problems.append(f"{path}: larger than {MAX_PACK_BYTES} bytes unpacked")
            return report
        if "manifest.json" not in names:
            report.problems.append("manifest.json is missing: not a Kinerja audit pack")
            return report
        try:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != PACK_FORMAT:
                report.problems.append(f"manifest.json: format {manifest.get('format')!r}, "
                                       f"expected {PACK_FORMAT!r}")
                return report
            data = {name: archive.read(name) for name in names if not name.endswith("/")}
        except (ValueError, zipfile.BadZipFile, AttributeError) as error:
            report.problems.append(f"manifest.json: unreadable ({error})")
            return report
    listed: dict[str, str] = manifest.get("files") or {}
    for name, digest in sorted(listed.items()):
        if name not in data:
            report.problems.append(f"{name}: listed in the manifest, missing from the pack")
        elif sha256_hex(data[name]) != digest:
            report.problems.append(f"{name}: content changed (its SHA-256 differs from the "
                                   "manifest's)")
    for name in sorted(set(data) - set(listed) - {"manifest.json"}):
        report.problems.append(f"{name}: in the pack but not in the manifest")
    report.head = manifest.get("chain_head")
    entries = _json(data, "audit/entries.json", report) or []
    recorded: dict[str, dict[str, Any]] = {}
    for entry in entries:
        report.entries += 1
        if entry_hash(entry) != entry.get("hash"):
            report.problems.append(f"audit entry #{entry.get('seq')}: content changed (its "
                                   "fields do not hash to its recorded hash)")
        if entry.get("object_type") == "evaluation" and entry.get("action") in (
                "create", "reevaluate", "import"):
            recorded[str(entry.get("object_id"))] = entry
    for name in sorted(n for n in data if n.endswith("/record.json")):
        base = name[: -len("record.json")]
        record = _json(data, name, report)
        case, result = _json(data, base + "case.json", report), \
            _json(data, base + "result.json", report)
        if record is None:
            continue
        report.evaluations += 1
        evaluation_id = str(record.get("id"))
        entry = recorded.get(evaluation_id)
        if entry is None:
            report.problems.append(f"evaluation {evaluation_id}: no audit entry in the pack")
            continue
        content = {**record, "case": case, "result": result}
        if evaluation_hash(content) != entry.get("content_hash"):
            report.problems.append(f"evaluation {evaluation_id}: content changed (its case, "
                                   f"result or record differ from audit entry "
                                   f"#{entry.get('seq')})")
    if "plan/statuses.json" in data:
        _check_statuses(_json(data, "plan/statuses.json", report) or [], entries, report)
    _check_knowledge(data, manifest, report)
    return report


def _check_statuses(rows: list[Any], entries: list[Any], report: PackReport) -> None:
    """Every packed plan-status row must be recorded by one ``plan_status`` entry of the
    pack, and every such entry's row must be in the pack."""
    from webui.db.plan_status import recorded, recorded_by_entry

    seqs_of: dict[tuple[str, ...], list[Any]] = {}
    for entry in entries:
        if entry.get("action") != "plan_status":
            continue
        key = recorded_by_entry(entry.get("assessment_id"), entry.get("actor"),
                                entry.get("detail"))
        if key is not None:  # else an edited entry: its own hash check names it
            seqs_of.setdefault(key, []).append(entry.get("seq"))
    for row in rows:
        report.plan_statuses += 1
        try:
            key = recorded(row["assessment"], row["actor"], row["recommendation"],
                           row["evaluation"], row["status"], row["date"], row["note"])
        except (KeyError, TypeError):
            report.problems.append(f"plan/statuses.json: a row without its fields ({row!r:.80})")
            continue
        if seqs_of.get(key):
            seqs_of[key].pop(0)
        else:
            report.problems.append(
                f"plan status {row.get('id')} (item {row.get('recommendation')}): no audit entry "
                "records it as it is (its status, date, note, evaluation or author changed, or "
                "it was added behind the application)")
    for seqs in seqs_of.values():
        for seq in seqs:
            report.problems.append(f"audit entry #{seq}: its plan status is missing from the "
                                   "pack")


def _json(data: dict[str, bytes], name: str, report: PackReport) -> Any:
    if name not in data:
        report.problems.append(f"{name}: missing")
        return None
    try:
        return json.loads(data[name])
    except ValueError as error:
        report.problems.append(f"{name}: not JSON ({error})")
        return None


def _check_knowledge(data: dict[str, bytes], manifest: dict[str, Any],
                     report: PackReport) -> None:
    """Load the packed knowledge base and compare its computed version with the claimed one."""
    version = manifest.get("knowledge_version")
    files = {n[len("knowledge/files/"):]: b for n, b in data.items()
             if n.startswith("knowledge/files/")}
    if not version or not files:
        return
    import tempfile

    from expert import KinerjaError, load_knowledge_base

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relative, content in files.items():
            target = (root / relative).resolve()
            if root.resolve() not in target.parents:
                report.problems.append(f"knowledge/files/{relative}: a path outside the pack")
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            computed = load_knowledge_base(root).version
        except KinerjaError as error:
            report.problems.append(f"knowledge/files: does not load ({error})")
            return
    if computed != version:
        report.problems.append(f"knowledge/files: they make version {computed[:23]}…, the "
                               f"pack claims {version[:23]}…")
