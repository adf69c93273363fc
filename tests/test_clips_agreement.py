"""The engine's semantics checked against CLIPS: the knowledge base translated rule for rule
(benchmarks/clips_kb.py) must reach the same verdicts, diagnoses, recommendations in order and
firing sequence on random cases. benchmarks/agreement.py runs the same check on 800 cases."""

from __future__ import annotations

import os

import pytest

from benchmarks.cases import random_cases
from expert import KnowledgeBase, read_case_file
from expert.rules.conditions import Condition

if os.environ.get("CI"):
    import clips  # noqa: F401  (CI installs the bench extra: a missing clipspy is a failure)
else:
    pytest.importorskip("clips")

from benchmarks.agreement import disagreements  # noqa: E402
from benchmarks.clips_kb import pattern, translate  # noqa: E402


def test_engine_agrees_with_clips_on_random_cases(kb: KnowledgeBase) -> None:
    cases = random_cases(kb, 80, seed=20261129)
    assert disagreements(kb, cases) == []


def test_engine_agrees_with_clips_on_the_worked_cases(kb: KnowledgeBase) -> None:
    cases = [read_case_file(kb, path) for path in sorted((kb.directory / "cases").glob("*.yaml"))]
    assert cases
    assert disagreements(kb, cases) == []


def test_every_rule_is_translated(kb: KnowledgeBase) -> None:
    source = translate(kb)
    assert source.count("(defrule rule-") == len(kb.pattern_rules())


def test_every_condition_kind_has_a_translator() -> None:
    from benchmarks.clips_kb import CONDITIONS
    from expert.rules.conditions import CONDITION_CLASSES

    assert set(CONDITION_CLASSES) - {"not"} <= set(CONDITIONS)


def test_an_untranslated_condition_kind_is_named() -> None:
    from benchmarks.clips_kb import _Patterns

    class Future(Condition):
        kind = "future_kind"

    with pytest.raises(NotImplementedError, match="'future_kind'"):
        pattern(Future("x"), _Patterns())
