"""The JSON Schema of the knowledge files: generated from the condition classes, committed as
knowledge/schema.json, and every shipped knowledge file is valid against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from expert import KnowledgeBase
from expert.kb.schema import knowledge_schema
from expert.rules.conditions import CONDITION_KINDS
from tests.conftest import REPO

KNOWLEDGE = REPO / "knowledge"
FILES = sorted([*KNOWLEDGE.glob("*.yaml"), *(KNOWLEDGE / "rules").glob("*.yaml")])


@pytest.fixture(scope="module")
def validator(kb: KnowledgeBase) -> jsonschema.protocols.Validator:
    schema = knowledge_schema(kb)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_up_to_date(kb: KnowledgeBase) -> None:
    committed = json.loads((KNOWLEDGE / "schema.json").read_text(encoding="utf-8"))
    assert committed == knowledge_schema(kb), "run: kinerja kb schema > knowledge/schema.json"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_knowledge_file_is_valid(validator: Any, path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator.iter_errors(document)]
    assert errors == []


def test_every_condition_kind_is_in_the_schema(kb: KnowledgeBase) -> None:
    conditions = knowledge_schema(kb)["$defs"]["condition"]["oneOf"]
    assert sorted(kind for c in conditions for kind in c["required"]) == sorted(CONDITION_KINDS)


@pytest.mark.parametrize("condition", [
    {"measure": "training_hours_last_year", "min": 1, "above": 2},  # two lower bounds
    {"measure": "training_hours_last_year"},                      # no bound
    {"indicator": "ability", "rating": "excellent"},              # outside the scale
    {"factor": "minimal_training", "rating": "good"},             # option of another kind
    {"skp": "outstanding"},
])
def test_schema_rejects_what_the_loader_rejects(validator: Any,
                                                condition: dict[str, Any]) -> None:
    document = {"rules": [{"id": "x.y", "title": {"id": "a", "en": "a"}, "when": [condition],
                           "then": {"diagnosis": "attendance_lapses"},
                           "justification": {"id": "a", "en": "a"},
                           "references": ["pp_94_2021"]}]}
    assert list(validator.iter_errors(document))
