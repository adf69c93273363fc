"""PyYAML's C loader, used when present, reads every shipped file exactly as the pure-Python
loader does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import expert.yaml_loader
from expert import default_knowledge_dir, load_case_text, load_knowledge_base
from expert.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*default_knowledge_dir().rglob("*.yaml"), *(ROOT / "tests").rglob("*.yaml")])


def test_the_c_loader_is_used_when_pyyaml_has_it() -> None:
    assert expert.yaml_loader.FAST == bool(getattr(yaml, "__with_libyaml__", False))


@pytest.mark.skipif(not expert.yaml_loader.FAST, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_loaders_read_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)


def test_the_knowledge_base_is_the_same_with_either_loader(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expert.yaml_loader, "SafeLoader", yaml.SafeLoader)
    assert load_knowledge_base() == kb


def test_repeated_keys_are_still_caught(kb: KnowledgeBase) -> None:
    from expert import CaseError

    with pytest.raises(CaseError) as caught:
        load_case_text(kb, "subject: {name: A}\nfactors: []\nfactors: [minimal_training]\n")
    assert "factors" in str(caught.value.problems)
