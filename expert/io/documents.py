"""Cases from a multi-document YAML stream and from a ZIP of case files.

Each document or member is read by the one case reader (:func:`expert.case.load_case_text`),
with its limits, so a bulk file accepts exactly what a single upload accepts.
"""

from __future__ import annotations

import io
import re
import zipfile

from expert.case import load_case_text
from expert.errors import CaseError
from expert.io.problems import ImportFileError, cell_problem, placed
from expert.io.rows import ParsedItem
from expert.io.tables import MAX_FILE_BYTES, MAX_ROWS
from expert.kb.model import KnowledgeBase

__all__ = ["CASE_SUFFIXES", "cases_from_yaml_stream", "cases_from_zip"]

CASE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_CASE_BYTES = 1024 * 1024  # the case format's limit for one case
# A YAML document marker: `---` or `...` alone at the start of a line (or `--- ` then text).
_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$", re.MULTILINE)


def _read(kb: KnowledgeBase, text: str | bytes, label: str, item: str, row: int | None,
          name: str) -> ParsedItem:
    try:
        return ParsedItem(label, load_case_text(kb, text, name=item), row=row, item=item)
    except CaseError as error:
        return ParsedItem(label, None, [placed(p, row=row, item=item, file=name)
                                        for p in error.problems], row=row, item=item)


def split_documents(text: str) -> list[tuple[int, str]]:
    """The documents of a YAML stream with the line each starts on."""
    documents: list[tuple[int, str]] = []
    start, line = 0, 1
    for match in _MARKER.finditer(text):
        chunk = text[start:match.start()]
        if chunk.strip() and not _only_comments(chunk):
            documents.append((line, chunk))
        rest = match.group(0)[3:].strip()
        line = text.count("\n", 0, match.start()) + 1
        start = match.start() + 3 if rest and match.group(0).startswith("---") else match.end()
    chunk = text[start:]
    if chunk.strip() and not _only_comments(chunk):
        documents.append((line, chunk))
    return documents


def _only_comments(chunk: str) -> bool:
    return all(not ln.strip() or ln.lstrip().startswith("#") for ln in chunk.splitlines())


def cases_from_yaml_stream(kb: KnowledgeBase, data: bytes, name: str) -> list[ParsedItem]:
    """Every document of a YAML file separated by ``---`` (one case each)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError([cell_problem(
            "the file is larger than 10 MiB", "berkas lebih besar dari 10 MiB", file=name)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError([cell_problem("not UTF-8 text", "bukan teks UTF-8",
                                            file=name)]) from None
    documents = split_documents(text)
    if not documents:
        raise ImportFileError([cell_problem("the file holds no case", "berkas tidak berisi "
                                            "kasus", file=name)])
    if len(documents) > MAX_ROWS:
        raise ImportFileError([cell_problem(
            f"more than {MAX_ROWS:,} documents", f"lebih dari {MAX_ROWS:,} dokumen",
            file=name)])
    items = []
    for number, (line, chunk) in enumerate(documents, start=1):
        item = f"dokumen {number} (baris {line})"
        items.append(_read(kb, chunk.encode("utf-8"), item, item, None, name))
    return items


def cases_from_zip(kb: KnowledgeBase, data: bytes, name: str) -> list[ParsedItem]:
    """Every ``.yaml``, ``.yml`` and ``.json`` member of a ZIP, in name order; other members
    (and folders, and macOS resource forks) are ignored."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError([cell_problem(
            "the file is larger than 10 MiB", "berkas lebih besar dari 10 MiB", file=name)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()
                   and m.filename.lower().endswith(CASE_SUFFIXES)
                   and not m.filename.startswith("__MACOSX/")
                   and not m.filename.rsplit("/", 1)[-1].startswith(".")]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError([cell_problem("not a ZIP file", "bukan berkas ZIP",
                                            file=name)]) from None
    if not members:
        raise ImportFileError([cell_problem(
            "the ZIP holds no case file (.yaml, .yml, .json)",
            "ZIP tidak berisi berkas kasus (.yaml, .yml, .json)", file=name)])
    if len(members) > MAX_ROWS:
        raise ImportFileError([cell_problem(
            f"more than {MAX_ROWS:,} case files", f"lebih dari {MAX_ROWS:,} berkas kasus",
            file=name)])
    items = []
    for member in sorted(members, key=lambda m: m.filename):
        if member.file_size > MAX_CASE_BYTES:  # checked before unpacking: a bomb stays packed
            items.append(ParsedItem(member.filename, None, [cell_problem(
                "a case file may be at most 1 MiB", "berkas kasus paling besar 1 MiB",
                item=member.filename, file=name)], item=member.filename))
            continue
        try:
            raw = archive.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            items.append(ParsedItem(member.filename, None, [cell_problem(
                "cannot unpack this member (damaged or encrypted)",
                "anggota ini tidak dapat dibuka (rusak atau terenkripsi)",
                item=member.filename, file=name)], item=member.filename))
            continue
        items.append(_read(kb, raw[:MAX_CASE_BYTES + 1], member.filename, member.filename,
                           None, name))
    return items
