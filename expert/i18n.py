"""Bilingual texts: every human-readable string in the knowledge base is {id: ..., en: ...}."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

Text = Mapping[str, str]


def tr(text: Text | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text in ``lang``, falling back to the other language rather than to nothing."""
    if not text:
        return ""
    return text.get(lang) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")


def normalise_word(word: str) -> str:
    """Case- and space-insensitive form of a vocabulary word; `_` and space are alike."""
    return " ".join(str(word).replace("_", " ").casefold().split())
