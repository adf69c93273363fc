"""Kinerja's expert core: the knowledge base, the inference engine and its explanations.

One entry point: ``evaluate(knowledge_base, case) -> Evaluation``. This package never imports
Flask; the CLI and the web UI are thin shells over it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from expert.case import (
        Case,
        SourceFinding,
        load_case_text,
        parse_case,
        read_case_file,
        read_case_stream,
    )
    from expert.engine import KinerjaEngine, engine_for
    from expert.errors import (
        CaseError,
        KinerjaError,
        KnowledgeBaseError,
        Problem,
        UnknownTargetError,
    )
    from expert.evaluation import Evaluation
    from expert.kb import KnowledgeBase, default_knowledge_dir, load_knowledge_base

# Imported on first use (PEP 562), so that a command imports only what it needs: `kinerja kb
# check` never loads the engine, and `import expert.i18n` does not load everything.
_HOMES = {
    "Case": "expert.case", "SourceFinding": "expert.case", "load_case_text": "expert.case",
    "parse_case": "expert.case", "read_case_file": "expert.case",
    "read_case_stream": "expert.case",
    "KinerjaEngine": "expert.engine", "engine_for": "expert.engine",
    "CaseError": "expert.errors", "KinerjaError": "expert.errors",
    "KnowledgeBaseError": "expert.errors", "Problem": "expert.errors",
    "UnknownTargetError": "expert.errors", "Evaluation": "expert.evaluation",
    "KnowledgeBase": "expert.kb.model", "default_knowledge_dir": "expert.kb.location",
    "load_knowledge_base": "expert.kb.loader",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'expert' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "Case",
    "CaseError",
    "Evaluation",
    "KinerjaEngine",
    "KinerjaError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Problem",
    "SourceFinding",
    "UnknownTargetError",
    "default_knowledge_dir",
    "engine_for",
    "evaluate",
    "load_case_text",
    "load_knowledge_base",
    "parse_case",
    "read_case_file",
    "read_case_stream",
]


def evaluate(knowledge_base: KnowledgeBase, case: Case,
             engine: KinerjaEngine | None = None) -> Evaluation:
    """Run one consultation. By default an engine is borrowed from the process's pool for the
    base; pass ``engine`` to choose (e.g. a fresh ``KinerjaEngine(kb)`` per consultation)."""
    from expert.engine import pool_for
    from expert.evaluation import Evaluation

    if engine is not None:
        return Evaluation(knowledge_base, case, engine.consult(case))
    with pool_for(knowledge_base).borrow() as borrowed:
        trace = borrowed.consult(case)
    return Evaluation(knowledge_base, case, trace)
