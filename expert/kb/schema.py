"""A JSON Schema of the knowledge files, for a knowledge engineer's editor (completion and
checking as they type). Conditions come from the condition classes themselves, ids from the
knowledge base, so the schema says what the loader accepts. ``kinerja kb schema`` prints it;
``knowledge/schema.json`` is the committed copy a test keeps up to date.

The loader stays the authority: it also checks what a schema cannot (references between files,
band order, cycles).
"""

from __future__ import annotations

from typing import Any

from expert.kb.development import FORM_CATEGORIES
from expert.kb.loader import (
    AGGREGATION_METHODS,
    COMBINE_METHODS,
    EVIDENCE_LEVELS,
    FACTOR_KINDS,
    FACTOR_SCOPES,
    REFERENCE_KINDS,
    VOCABULARIES,
)
from expert.kb.model import GENERIC_KINDS, MONITOR_SCOPES, KnowledgeBase
from expert.rules.conditions import BUILT_IN_VOCABULARIES, conditions_schema

SCHEMA_ID = "https://kinerja.invalid/knowledge.schema.json"  # a name, never fetched

_TEXT = {"type": "object", "required": ["id", "en"], "additionalProperties": False,
         "properties": {"id": {"type": "string", "minLength": 1},
                        "en": {"type": "string", "minLength": 1}},
         "description": "A text in Indonesian (id) and English (en)."}
_IDENT = {"type": "string", "pattern": "^[A-Za-z0-9_.]+$"}
_STRINGS = {"type": "array", "items": {"type": "string"}}


def _entry(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False,
            "properties": properties}


def _list_of(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": [key], "properties": {
        key: {"type": "array", "items": entry}}}


def _enum(values: Any) -> dict[str, Any]:
    return {"enum": list(values)}


def known_ids(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    return {"indicator": tuple(kb.indicators), "dimension": tuple(kb.dimensions),
            "factor": tuple(kb.factors), "measure": tuple(kb.measures),
            "diagnosis": tuple(kb.diagnoses), "recommendation": tuple(kb.recommendations),
            "source": tuple(kb.sources), "rating": tuple(kb.ratings),
            "agreement": tuple(kb.agreements), "subject_kind": tuple(kb.subject_kinds),
            "priority": tuple(kb.priorities), "skp_predicate": tuple(kb.skp_predicates),
            "reference": tuple(kb.references), "audience": tuple(kb.audiences),
            "topic": tuple(kb.topics), "timeframe": tuple(kb.timeframes),
            **BUILT_IN_VOCABULARIES}


def _development_schema(known: dict[str, tuple[str, ...]], refs: dict[str, Any]
                        ) -> dict[str, Any]:
    """development.yaml: the forms of competency development and the programmes."""
    form = _entry(["id", "category", "label", "description"],
                  {"id": _IDENT, "category": _enum(FORM_CATEGORIES), "label": _TEXT,
                   "description": _TEXT, "references": refs})
    programme = _entry(
        ["id", "title", "description", "diagnoses", "topic", "forms", "hours", "priority",
         "timeframe"],
        {"id": _IDENT, "title": _TEXT, "description": _TEXT,
         "diagnoses": {"type": "array", "minItems": 1, "items": _enum(known["diagnosis"])},
         "recommendations": {"type": "array", "items": _enum(known["recommendation"])},
         "topic": _enum(known["topic"]), "forms": {"type": "array", "minItems": 1,
                                                   "items": _IDENT},
         "hours": {"type": "number", "exclusiveMinimum": 0},
         "priority": _enum(known["priority"]), "timeframe": _enum(known["timeframe"]),
         "references": refs})
    return _entry(["forms", "programmes"], {
        "minimum_hours": _entry(["value"], {"value": {"type": "number", "exclusiveMinimum": 0},
                                            "references": refs}),
        "forms": {"type": "array", "items": form},
        "programmes": {"type": "array", "items": programme}})


def knowledge_schema(kb: KnowledgeBase) -> dict[str, Any]:
    """One schema for every knowledge file: a document matches the part its top-level key
    names (``rules``, ``factors``, …)."""
    known = known_ids(kb)
    refs = {"type": "array", "items": _enum(known["reference"])}
    term = _entry(["id", "label"], {"id": _IDENT, "label": _TEXT, "aliases": _STRINGS,
                                    "score": {"type": "integer"}, "rank": {"type": "integer"}})
    band = _entry(["rating"], {"rating": _enum(known["rating"]),
                               "min_score": {"type": "number"}})
    generic_rule = _entry(
        ["id", "kind", "title", "justification", "references", "policy"],
        {"id": _IDENT, "kind": _enum(GENERIC_KINDS), "title": _TEXT, "justification": _TEXT,
         "references": refs, "policy": {"type": "object", "properties": {
             "combine": _enum(COMBINE_METHODS), "method": _enum(AGGREGATION_METHODS),
             "bands": {"type": "array", "items": band, "minItems": 1},
             "coverage": _entry(["min_share"], {
                 "min_share": {"type": "number", "minimum": 0, "maximum": 1},
                 "every_dimension": {"type": "boolean"}})}}})
    conclusion = {"type": "object", "additionalProperties": False, "properties": {
        "diagnosis": _enum(known["diagnosis"]),
        "recommendation": _enum(known["recommendation"]),
        "priority": _enum(known["priority"])},
        "oneOf": [{"required": ["diagnosis"], "not": {"required": ["priority"]}},
                  {"required": ["recommendation"]}]}
    pattern_rule = _entry(
        ["id", "title", "when", "then", "justification", "references"],
        {"id": _IDENT, "kind": {"const": "pattern"}, "title": _TEXT,
         "when": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
         "then": conclusion, "justification": _TEXT, "references": refs})
    monitor = {"type": "object", "required": ["target"], "properties": {
        "target": _TEXT, "indicator": _enum(known["indicator"]),
        "dimension": _enum(known["dimension"]), "measure": _enum(known["measure"]),
        **{scope: {"const": True} for scope in MONITOR_SCOPES}},
        "additionalProperties": False, "minProperties": 2, "maxProperties": 2}
    documents = {
        "model": {"type": "object", "properties": {
            **{name: {"type": "array", "items": term} for name in VOCABULARIES},
            "dimensions": {"type": "array", "items": _entry(
                ["id", "label", "definition"], {"id": _IDENT, "label": _TEXT,
                                                "definition": _TEXT, "references": refs})},
            "indicators": {"type": "array", "items": _entry(
                ["id", "dimension", "label", "definition"],
                {"id": _IDENT, "dimension": _enum(known["dimension"]), "label": _TEXT,
                 "definition": _TEXT, "aliases": _STRINGS})}},
            "required": ["ratings", "indicators"]},
        "factors": _list_of("factors", _entry(
            ["id", "kind", "scope", "label", "description"],
            {"id": _IDENT, "kind": _enum(FACTOR_KINDS), "scope": _enum(FACTOR_SCOPES),
             "label": _TEXT, "description": _TEXT, "aliases": _STRINGS, "references": refs})),
        "measures": _list_of("measures", _entry(
            ["id", "label", "description", "unit"],
            {"id": _IDENT, "label": _TEXT, "description": _TEXT, "unit": _TEXT,
             "integer": {"type": "boolean"}, "max": {"type": "number", "minimum": 0},
             "aliases": _STRINGS, "references": refs})),
        "diagnoses": _list_of("diagnoses", _entry(
            ["id", "title", "description"],
            {"id": _IDENT, "title": _TEXT, "description": _TEXT})),
        "recommendations": _list_of("recommendations", _entry(
            ["id", "title", "description", "audience", "topics", "priority", "timeframe",
             "monitor"],
            {"id": _IDENT, "title": _TEXT, "description": _TEXT,
             "audience": {"type": "array", "minItems": 1, "items": _enum(known["audience"])},
             "topics": {"type": "array", "minItems": 1, "items": _enum(known["topic"])},
             "priority": _enum(known["priority"]), "timeframe": _enum(known["timeframe"]),
             "monitor": monitor, "references": refs})),
        "references": _list_of("references", _entry(
            ["id", "kind", "evidence", "citation"],
            {"id": _IDENT, "kind": _enum(REFERENCE_KINDS), "evidence": _enum(EVIDENCE_LEVELS),
             "citation": {"type": "string", "minLength": 1}, "note": _TEXT})),
        "rules": _list_of("rules", {"oneOf": [pattern_rule, generic_rule]}),
        "development": _development_schema(known, refs),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Kinerja knowledge file",
        "description": "model.yaml, factors.yaml, measures.yaml, diagnoses.yaml, "
                       "recommendations.yaml, references.yaml, development.yaml and rules/*.yaml "
                       "(generated by `kinerja kb schema`; see knowledge/SCHEMA.md).",
        "oneOf": [{"$ref": f"#/$defs/{name}_file"} for name in documents],
        "$defs": {**{f"{name}_file": schema for name, schema in documents.items()},
                  **conditions_schema(known)},
    }
