"""The API's OpenAPI 3.1 description, served at ``/api/v1/openapi.json``.

Written by hand beside the views it describes (four operations); the test suite validates it
(openapi-spec-validator) and lets schemathesis call every operation against it. Vocabulary
(indicators, sources, ratings, factors, measures) comes from the knowledge base, so the document
stays true when the knowledge changes.
"""

from __future__ import annotations

from typing import Any

from expert import KnowledgeBase
from expert.case import MAX_NAME, MAX_NOTES, MAX_PERIOD
from expert.errors import MAX_PROBLEMS
from expert.i18n import LANGUAGES
from expert.reader import MAX_BYTES

_TEXT_NO_CONTROL = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _words(mapping: Any) -> list[str]:
    return sorted(str(key) for key in mapping)


def _schemas(kb: KnowledgeBase) -> dict[str, Any]:
    rating = {"type": ["string", "null"],
              "description": "good | fair | poor (or an Indonesian alias), null: not assessed"}
    return {
        "Case": {
            "type": "object",
            "description": "A case, as in the case format (YAML or JSON; the API takes JSON). "
                           f"At most {MAX_BYTES} bytes. Indonesian keys are accepted too.",
            "required": ["subject"],
            "properties": {
                "subject": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME,
                                 "pattern": _TEXT_NO_CONTROL},
                        "kind": {"type": "string", "examples": _words(kb.subject_kinds)},
                        "period": {"type": ["string", "integer"], "maxLength": MAX_PERIOD},
                    },
                },
                "findings": {
                    "type": ["object", "null"],
                    "description": "indicator -> rating, or indicator -> source -> rating",
                    "propertyNames": {"examples": _words(kb.indicators)},
                    "additionalProperties": {
                        "oneOf": [rating, {"type": "object", "additionalProperties": rating,
                                           "propertyNames": {"examples": _words(kb.sources)}}],
                    },
                },
                "factors": {"type": ["array", "null"],
                            "items": {"type": "string", "examples": _words(kb.factors)}},
                "measures": {
                    "type": ["object", "null"],
                    "propertyNames": {"examples": _words(kb.measures)},
                    "additionalProperties": {
                        "description": "a plain decimal number, or text such as \"19,5\"",
                        "type": ["number", "string", "null"]},
                },
                "notes": {"type": ["string", "null"], "maxLength": MAX_NOTES,
                          "pattern": _TEXT_NO_CONTROL},
            },
        },
        "Evaluation": {
            "type": "object",
            "required": ["subject", "overall", "dimensions", "indicators", "not_assessed",
                         "diagnoses", "recommendations", "fired_rules", "knowledge_base"],
            "properties": {
                "subject": {"type": "object", "required": ["name", "kind"]},
                "overall": {"type": "object", "required": ["rating"]},
                "dimensions": {"type": "array", "items": {"type": "object"}},
                "indicators": {"type": "array", "items": {"type": "object"}},
                "not_assessed": {"type": "array", "items": {"type": "string"}},
                "diagnoses": {"type": "array", "items": {"type": "object"}},
                "recommendations": {"type": "array", "items": {"type": "object"}},
                "fired_rules": {"type": "array", "items": {"type": "object"}},
                "knowledge_base": {"type": "object", "required": ["version"]},
            },
        },
        "Explanation": {"type": "object", "description": "HOW (reached) or WHY-NOT"},
        "Problems": {
            "type": "object",
            "description": f"Every problem with its place, at most {MAX_PROBLEMS}; `more` "
                           "counts the rest.",
            "required": ["error", "problems"],
            "properties": {
                "error": {"type": "string"},
                "problems": {"type": "array", "maxItems": MAX_PROBLEMS, "items": {
                    "type": "object", "required": ["path", "message"],
                    "properties": {"path": {"type": "string"}, "message": {"type": "string"},
                                   "allowed": {"type": "array", "items": {"type": "string"}}},
                }},
                "more": {"type": "integer", "minimum": 1},
                "more_text": {"type": "string"},
            },
        },
        "UnknownTarget": {
            "type": "object", "required": ["error", "target", "allowed"],
            "properties": {"error": {"type": "string"}, "target": {"type": "string"},
                           "allowed": {"type": "array", "items": {"type": "string"}}},
        },
        "HttpError": {
            "type": "object", "required": ["error", "status"],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                           "status": {"type": "integer"}},
        },
    }


def _case_operation(summary: str, result: str, parameters: list[dict[str, Any]]
                    ) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": parameters,
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("Case")}}},
        "responses": {
            "200": _json(_ref(result), summary),
            "400": _json({"oneOf": [_ref("Problems"), _ref("UnknownTarget")]},
                         "the case (or the target, or ?lang) is not valid: every problem"),
            "413": _json(_ref("HttpError"), "the body is larger than the request limit"),
            "415": _json(_ref("HttpError"), "the body is not sent as application/json"),
            **_AUTH_RESPONSES,
        },
    }


# Every operation needs `Authorization: Bearer TOKEN` (kinerja users token NAME).
_HTTP_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/HttpError"}}}
_AUTH_RESPONSES = {
    "401": {"description": "no valid API token", "content": _HTTP_ERROR,
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    "403": {"description": "the token's user's role may not use the API",
            "content": _HTTP_ERROR},
}


def document(kb: KnowledgeBase) -> dict[str, Any]:
    lang = {"name": "lang", "in": "query", "required": False,
            "description": "the language of labels and messages",
            "schema": {"type": "string", "enum": list(LANGUAGES), "default": "id"}}
    target = {"name": "target", "in": "path", "required": True,
              "description": "a recommendation, diagnosis, indicator or dimension id, or "
                             "'overall'", "schema": {"type": "string", "minLength": 1}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kinerja API", "version": "1",
                 "description": "Evaluate a case, explain a conclusion (HOW or WHY-NOT), read "
                                "the knowledge base."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/evaluate": {"post": _case_operation(
                "Evaluate a case", "Evaluation", [lang])},
            "/api/v1/explain/{target}": {"post": _case_operation(
                "Explain a conclusion for a case", "Explanation", [target, lang])},
            "/api/v1/what-if": {"post": {
                "summary": "Evaluate a case as given and with some inputs changed (nothing "
                           "is stored) and answer what would change",
                "parameters": [lang],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["case", "changes"],
                    "additionalProperties": False,
                    "properties": {
                        "case": _ref("Case"),
                        "changes": {"type": "object", "minProperties": 1,
                                    "description": "case path → new value, e.g. "
                                                   "findings.ability: good, "
                                                   "measures.training_hours_last_year: 24, "
                                                   "factors.minimal_training: remove",
                                    "additionalProperties": {
                                        "type": ["string", "number", "boolean", "null"]}}}}}}},
                "responses": {
                    "200": _json({"type": "object", "required": [
                        "changes", "before", "after", "inputs", "verdicts", "added", "removed",
                        "reprioritised", "unchanged"]}, "what would change"),
                    "400": _json(_ref("Problems"),
                                 "the case or the changes are not valid: every problem"),
                    "413": _json(_ref("HttpError"), "the body is larger than the request limit"),
                    "415": _json(_ref("HttpError"), "the body is not sent as application/json"),
                    **_AUTH_RESPONSES,
                }}},
            "/api/v1/knowledge": {"get": {
                "summary": "The knowledge base",
                "responses": {"200": _json({"type": "object"}, "the knowledge base"),
                              **_AUTH_RESPONSES}}},
            "/api/v1/training-needs": {"get": {
                "summary": "The competency-development needs analysis (AKPK) and the proposed "
                           "programme plan over the assessments the caller may see",
                "parameters": [*[{"name": name, "in": "query", "required": False,
                                  "description": description, "style": "form",
                                  "explode": True, "schema": {"type": "array", "items": {
                                      "type": "string", "maxLength": 200}}}
                                 for name, description in (
                                     ("office", "only these offices or units"),
                                     ("period", "only these periods"),
                                     ("kind", "only these kinds of subject"))], lang],
                "responses": {
                    "200": _json({"type": "object", "required": [
                        "assessments", "units", "needs", "training_hours", "plan", "trend",
                        "knowledge_base"]}, "the needs analysis"),
                    "400": _json(_ref("Problems"), "?lang is not valid"),
                    **_AUTH_RESPONSES}}},
            "/api/v1/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"),
                              **_AUTH_RESPONSES}}},
        },
        "security": [{"bearer": []}],
        "components": {"schemas": _schemas(kb), "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "an API token from `kinerja users token USERNAME`"}}},
    }
