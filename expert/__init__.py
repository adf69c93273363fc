"""Kinerja's expert core: the knowledge base, the inference engine and its explanations.

One entry point: ``evaluate(knowledge_base, case) -> Evaluation``. This package never imports
Flask; the CLI and the web UI are thin shells over it.
"""

from __future__ import annotations

from expert.case import Case, SourceFinding, load_case_text, parse_case, read_case_file
from expert.engine import KinerjaEngine, engine_for
from expert.errors import CaseError, KinerjaError, KnowledgeBaseError, Problem, UnknownTargetError
from expert.evaluation import Evaluation
from expert.kb import KnowledgeBase, default_knowledge_dir, load_knowledge_base

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
]


def evaluate(knowledge_base: KnowledgeBase, case: Case,
             engine: KinerjaEngine | None = None) -> Evaluation:
    """Run one consultation. By default this thread's reusable engine for the base is used;
    pass ``engine`` to choose (e.g. a fresh ``KinerjaEngine(kb)`` per consultation)."""
    engine = engine if engine is not None else engine_for(knowledge_base)
    trace = engine.consult(case)
    return Evaluation(knowledge_base, case, trace)
