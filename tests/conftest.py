"""Shared fixtures: the shipped knowledge base, case builders, and the seed case."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from expert import KnowledgeBase, default_knowledge_dir, load_knowledge_base, parse_case
from expert.case import Case

REPO = Path(__file__).resolve().parents[1]
RULE_CASES = REPO / "tests" / "rule_cases"

# Fuzzers take their example counts from a profile: `dev` (default) is quick; `ci` (.ci/run sets
# HYPOTHESIS_PROFILE=ci) runs the attack fuzzers with thousands of examples.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The CLI's knowledge-base cache (expert.cache) in a folder of this test session, never
    the user's own; subprocesses inherit it."""
    before = os.environ.get("KINERJA_CACHE_DIR")
    os.environ["KINERJA_CACHE_DIR"] = str(tmp_path_factory.mktemp("kinerja-cache"))
    yield
    if before is None:
        os.environ.pop("KINERJA_CACHE_DIR", None)
    else:
        os.environ["KINERJA_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return next((default_knowledge_dir() / "cases").glob("*seed*.yaml"))


@pytest.fixture
def make_case(kb: KnowledgeBase) -> Callable[..., Case]:
    """A case from keyword parts: make_case(findings={...}, factors=[...], measures={...})."""

    def build(**parts: Any) -> Case:
        data: dict[str, Any] = {"subject": {"name": "Unit uji"}}
        data.update(parts)
        return parse_case(kb, data)

    return build


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


def all_indicators(kb: KnowledgeBase, rating: str) -> dict[str, str]:
    return dict.fromkeys(kb.indicators, rating)
