"""The knowledge base: its model, its loader, and its verifier."""

from expert.kb.loader import default_knowledge_dir, load_knowledge_base
from expert.kb.model import KnowledgeBase

__all__ = ["KnowledgeBase", "default_knowledge_dir", "load_knowledge_base"]
