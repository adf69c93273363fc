"""The knowledge base: its model, its loader, and its verifier."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from expert.kb.loader import load_knowledge_base
    from expert.kb.location import default_knowledge_dir
    from expert.kb.model import KnowledgeBase

__all__ = ["KnowledgeBase", "default_knowledge_dir", "load_knowledge_base"]

# Imported on first use (PEP 562): a knowledge base restored from the cache needs the model,
# not the loader and its YAML and hashing.
_HOMES = {"KnowledgeBase": "expert.kb.model", "default_knowledge_dir": "expert.kb.location",
          "load_knowledge_base": "expert.kb.loader"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'expert.kb' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
