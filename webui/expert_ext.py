"""The expert extension: the knowledge base, loaded once per application.

``init_app`` puts the :class:`~expert.KnowledgeBase` in ``app.extensions["expert"]``; views
reach it through :func:`knowledge_base`. Loading is memoised per folder and file state, so
applications created in one process (the tests create many) share one parsed base, and with
it the thread's compiled engine.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from expert import KnowledgeBase, default_knowledge_dir, load_knowledge_base

EXTENSION = "expert"

_MAX_LOADED = 4
_lock = threading.Lock()
_loaded: dict[tuple[str, tuple[tuple[str, int, int], ...]], KnowledgeBase] = {}


def _state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Every YAML file's name, size and modification time: a changed file reloads."""
    files = sorted(directory.rglob("*.yaml"))
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def load(directory: str | Path | None) -> KnowledgeBase:
    root = Path(directory) if directory else default_knowledge_dir()
    key = (str(root.resolve()), _state(root) if root.is_dir() else ())
    with _lock:
        kb = _loaded.get(key)
        if kb is None:
            kb = load_knowledge_base(root)  # raises KnowledgeBaseError: the app cannot start
            if len(_loaded) >= _MAX_LOADED:
                _loaded.pop(next(iter(_loaded)))
            _loaded[key] = kb
    return kb


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = load(app.config.get("KNOWLEDGE_DIR"))


def knowledge_base() -> KnowledgeBase:
    kb: KnowledgeBase = current_app.extensions[EXTENSION]
    return kb
