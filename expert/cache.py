"""A persistent cache of the loaded knowledge base and its built RETE network, for the CLI.

A ``kinerja`` process spends far longer reading the knowledge files, validating them and
building the network than consulting. The first run saves the validated base and its unused
network in one file in the user's cache folder; later runs restore both (a tenth of the time)
when, and only when, the saved copy matches:

* the same knowledge folder, and every file the loader read byte for byte equal (a missing
  optional file still missing, the same rule files in ``rules/``);
* the same code: every source file of Kinerja and experta the same size and modification time,
  the same msgspec (the model's classes are its Structs), the same Python;
* a file this user owns and no one else can write (a pickle is code: never load another's).

Anything else — stale, corrupt, truncated, unreadable, unwritable, another version — is
ignored and the base is loaded from the files as without a cache (and saved again if it can
be). Writes are atomic (a temporary file renamed over the old one), so concurrent runs see a
whole file or none. ``kinerja kb check`` never uses the cache.

Where: ``KINERJA_CACHE_DIR`` if set (empty: no cache), else ``$XDG_CACHE_HOME/kinerja`` (or
``~/.cache/kinerja``; ``~/Library/Caches/kinerja`` on macOS, ``%LOCALAPPDATA%\\kinerja\\Cache``
on Windows). The platform rule is three lines, so no library is imported for it.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

import expert
from expert.kb.model import KnowledgeBase

FORMAT = b"kinerja-cache 1\n"  # a new layout of the file: a new line here
_SOURCE_SUFFIX = ".py"


def cache_dir() -> Path | None:
    """The folder of the cache, or None when it is turned off (``KINERJA_CACHE_DIR=``)."""
    configured = os.environ.get("KINERJA_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "kinerja" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "kinerja"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kinerja"


def load_knowledge_base_cached(directory: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base of ``directory`` (default: the shipped one), restored from the
    cache when the saved copy matches, else loaded from its files (and saved). Its engine pool
    gets the restored (or just built) network, so the first consultation builds nothing.

    Raises KnowledgeBaseError exactly as :func:`expert.kb.load_knowledge_base` does."""
    from expert.engine import KinerjaEngine, pool_for

    if directory is None:
        from expert.kb.location import default_knowledge_dir

        directory = default_knowledge_dir()
    root = Path(directory)
    folder = cache_dir()
    entry = _entry_path(folder, root) if folder is not None else None
    restored = _restore(entry, root) if entry is not None else None
    if restored is not None:
        kb, network = restored
        engine = KinerjaEngine(kb, network=network)
    else:
        from expert.kb.loader import read_knowledge_base

        kb, files = read_knowledge_base(root)
        engine = KinerjaEngine(kb)
        if entry is not None:
            _save(entry, root, files, kb, engine)  # before its first use: the network is clean
    pool_for(kb).give(engine)
    return kb


# -- the key ---------------------------------------------------------------------------------
def _entry_path(folder: Path, root: Path) -> Path:
    where = os.path.abspath(root)
    return folder / f"kb-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.pickle"


def code_fingerprint() -> tuple[Any, ...]:
    """Python's version, msgspec's (the model's classes are its Structs) and every source file
    of Kinerja's core and of experta (path, size, modification time): a changed module makes
    saved objects stale even at the same version."""
    import msgspec

    from expert.rules import adapter

    found: list[tuple[str, int, int]] = []
    for package in (Path(expert.__file__).parent, Path(adapter.experta.__file__).parent):
        for folder, subfolders, names in os.walk(package):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(_SOURCE_SUFFIX):
                    path = os.path.join(folder, name)
                    stat = os.stat(path)
                    found.append((path, stat.st_size, stat.st_mtime_ns))
    return (sys.version, sys.implementation.cache_tag, pickle.HIGHEST_PROTOCOL,
            msgspec.__version__, tuple(found))


def _knowledge_files(root: Path, names: list[str]) -> dict[str, bytes | None] | None:
    """The current bytes of the files the loader read (None: absent), or None if the rule
    files are no longer the same set."""
    rule_files = [f"rules/{p.name}" for p in sorted((root / "rules").glob("*.yaml"))]
    if rule_files != [n for n in names if n.startswith("rules/")]:
        return None
    current: dict[str, bytes | None] = {}
    for name in names:
        path = root / name
        current[name] = path.read_bytes() if path.is_file() else None
    return current


# -- reading ---------------------------------------------------------------------------------
class _HeaderUnpickler(pickle.Unpickler):
    """The header is plain data (dict, tuple, str, bytes, int): no class is ever loaded."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")


def _base_unpickler(stream: io.BytesIO, root: Path) -> pickle.Unpickler:
    """Restores the base and network; the knowledge folder is the caller's own path."""
    from expert.rules.adapter import NetworkUnpickler

    class Unpickler(NetworkUnpickler):
        def persistent_load(self, pid: Any) -> Any:
            return root if pid == "root" else super().persistent_load(pid)

    return Unpickler(stream)


def _trusted(handle: Any) -> bool:
    """Owned by this user and writable by no one else (POSIX); Windows relies on the ACLs of
    the user's own folder."""
    if os.name != "posix":
        return True
    stat = os.fstat(handle.fileno())
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def _restore(entry: Path, root: Path) -> tuple[KnowledgeBase, Any] | None:
    try:
        with open(entry, "rb") as handle:
            if not _trusted(handle):
                return None
            data = handle.read()
    except OSError:  # none yet, unreadable: load from the files
        return None
    try:
        if not data.startswith(FORMAT):
            return None
        stream = io.BytesIO(data)
        stream.seek(len(FORMAT))
        header = _HeaderUnpickler(stream).load()
        if header.get("root") != os.path.abspath(root) or header.get("code") != code_fingerprint():
            return None
        files = header.get("files")
        if _knowledge_files(root, list(files)) != files:
            return None
        kb, network = _base_unpickler(stream, root).load()
        if not isinstance(kb, KnowledgeBase):
            return None
        return kb, network
    except Exception:  # noqa: BLE001 - a cache that cannot be read is no cache: load the files
        return None


# -- writing ---------------------------------------------------------------------------------
def _save(entry: Path, root: Path, files: dict[str, bytes | None], kb: KnowledgeBase,
          engine: Any) -> None:
    """Write the entry atomically; a folder that cannot be written is silently no cache."""
    from expert.rules.adapter import NetworkPickler

    class Pickler(NetworkPickler):
        def persistent_id(self, obj: Any) -> Any:
            return "root" if obj is kb.directory else super().persistent_id(obj)

    stream = io.BytesIO()
    stream.write(FORMAT)
    header = {"root": os.path.abspath(root), "code": code_fingerprint(), "files": files}
    pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(header)
    try:
        Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump((kb, engine.network))
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # something in this base cannot be saved: it is simply loaded each time
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(stream.getvalue())
        os.replace(temporary, entry)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass
