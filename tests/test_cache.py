"""The CLI's persistent cache of the knowledge base and its network (expert/cache.py): used only
when it matches the files, the code and the folder; anything else is ignored and rebuilt."""

from __future__ import annotations

import io
import os
import pickle
import shutil
from pathlib import Path

import pytest

from benchmarks.cases import random_cases
from expert import cache as kb_cache
from expert import evaluate, load_knowledge_base, read_case_file
from expert.cli import main
from expert.engine import KinerjaEngine, pool_for
from expert.kb.model import KnowledgeBase
from expert.rules.adapter import NetworkUnpickler


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def knowledge(tmp_path: Path, kb: KnowledgeBase) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(kb.directory, folder)
    return folder


def entry(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob("kb-*.pickle")
    return found


def restored(folder: Path) -> KnowledgeBase | None:
    """The base restored from the cache, or None if the cache was not used."""
    result = kb_cache._restore(kb_cache._entry_path(kb_cache.cache_dir(), folder), folder)
    return None if result is None else result[0]


def test_a_restored_base_and_network_give_the_same_results(cache_dir: Path,
                                                            knowledge: Path) -> None:
    loaded = load_knowledge_base(knowledge)
    first = kb_cache.load_knowledge_base_cached(knowledge)  # loads the files, saves
    assert entry(cache_dir).stat().st_mode & 0o077 == 0
    second = kb_cache.load_knowledge_base_cached(knowledge)  # restores
    assert restored(knowledge) == loaded == first == second
    assert second.directory == Path(knowledge)
    cases = random_cases(loaded, 40, seed=11) + [
        read_case_file(loaded, p) for p in sorted((knowledge / "cases").glob("*.yaml"))]
    for case in cases:
        expected = evaluate(loaded, case, KinerjaEngine(loaded)).to_dict("en")
        assert evaluate(second, case).to_dict("en") == expected  # the restored network
        assert evaluate(second, case).to_dict("en") == expected  # reused, reset


def test_the_cli_output_is_the_same_with_and_without_the_cache(
        cache_dir: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for options in ([], [], ["--no-cache"]):
        assert main([*options, "evaluate", str(seed_path), "--format", "json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert entry(cache_dir).is_file()
    assert outputs[0] == outputs[1] == outputs[2]
    assert main(["explain", str(seed_path), "overall", "--format", "json"]) == 0
    cached = capsys.readouterr().out
    assert main(["--no-cache", "explain", str(seed_path), "overall", "--format", "json"]) == 0
    assert capsys.readouterr().out == cached


def test_no_cache_and_an_empty_setting_write_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(folder))
    assert main(["--no-cache", "evaluate", str(seed_path)]) == 0
    assert not folder.exists()
    monkeypatch.setenv("KINERJA_CACHE_DIR", "")
    assert kb_cache.cache_dir() is None
    assert main(["evaluate", str(seed_path)]) == 0
    assert not folder.exists()
    capsys.readouterr()


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KINERJA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if os.name == "posix" and kb_cache.sys.platform != "darwin":
        assert kb_cache.cache_dir() == tmp_path / "kinerja"


def change(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_file_is_read_again(cache_dir: Path, knowledge: Path) -> None:
    kb = kb_cache.load_knowledge_base_cached(knowledge)
    diagnosis = next(iter(kb.diagnoses.values()))
    title = diagnosis.title["en"]
    change(knowledge / "diagnoses.yaml", title, title + " (changed)")
    assert restored(knowledge) is None
    again = kb_cache.load_knowledge_base_cached(knowledge)
    assert again.diagnoses[diagnosis.id].title["en"] == title + " (changed)"
    assert again.version != kb.version
    assert restored(knowledge) == again  # saved anew


def test_a_new_removed_or_renamed_rule_file_is_noticed(cache_dir: Path, knowledge: Path) -> None:
    kb_cache.load_knowledge_base_cached(knowledge)
    rules = sorted((knowledge / "rules").glob("*.yaml"))
    moved = rules[0].read_bytes()
    rules[0].unlink()
    assert restored(knowledge) is None
    (knowledge / "rules" / ("zz_" + rules[0].name)).write_bytes(moved)  # same rules, renamed
    assert restored(knowledge) is None
    kb = kb_cache.load_knowledge_base_cached(knowledge)
    assert any(r.file == "rules/zz_" + rules[0].name for r in kb.rules.values())
    assert restored(knowledge) == kb


def test_an_optional_file_that_appears_or_goes_is_noticed(cache_dir: Path,
                                                          knowledge: Path) -> None:
    optional = knowledge / "development.yaml"
    kept = optional.read_bytes()
    optional.unlink()
    kb_cache.load_knowledge_base_cached(knowledge)
    assert restored(knowledge) is not None
    optional.write_bytes(kept)
    assert restored(knowledge) is None
    assert kb_cache.load_knowledge_base_cached(knowledge) == load_knowledge_base(knowledge)


def test_a_broken_base_is_reported_not_restored(cache_dir: Path, knowledge: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    kb_cache.load_knowledge_base_cached(knowledge)
    (knowledge / "model.yaml").write_text("dimensions: [", encoding="utf-8")
    case = knowledge / "cases" / "01_seed_balangan_2025.yaml"
    assert main(["--knowledge", str(knowledge), "evaluate", str(case)]) == 2
    assert "model.yaml" in capsys.readouterr().err
    # kb check always reads the files themselves
    assert main(["--knowledge", str(knowledge), "kb", "check"]) == 1
    assert "model.yaml" in capsys.readouterr().out


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[: len(data) // 2],  # truncated
    lambda data: b"garbage" + data,
    lambda data: data[:-40] + bytes(40),  # the payload's end overwritten
    lambda data: kb_cache.FORMAT + pickle.dumps({"root": 1}),
])
def test_a_corrupt_entry_is_ignored_and_rewritten(cache_dir: Path, knowledge: Path,
                                                   damage: object) -> None:
    expected = kb_cache.load_knowledge_base_cached(knowledge)
    path = entry(cache_dir)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert kb_cache.load_knowledge_base_cached(knowledge) == expected
    assert restored(knowledge) == expected


def test_an_entry_naming_other_code_is_refused(cache_dir: Path, knowledge: Path) -> None:
    kb_cache.load_knowledge_base_cached(knowledge)
    path = entry(cache_dir)
    data = path.read_bytes()
    stream = io.BytesIO(data)
    stream.seek(len(kb_cache.FORMAT))
    pickle.load(stream)  # the header
    evil = data[:stream.tell()] + pickle.dumps((os.system, "true"))
    path.write_bytes(evil)
    assert restored(knowledge) is None
    with pytest.raises(pickle.UnpicklingError):
        NetworkUnpickler(io.BytesIO(pickle.dumps(os.system))).load()


def test_other_code_or_another_folder_makes_the_entry_stale(
        cache_dir: Path, knowledge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb_cache.load_knowledge_base_cached(knowledge)
    fingerprint = kb_cache.code_fingerprint()
    paths = {Path(p).name for p, _size, _mtime in fingerprint[-1]}
    assert {"model.py", "conditions.py", "adapter.py", "check.py", "nodes.py"} <= paths
    monkeypatch.setattr(kb_cache, "code_fingerprint",
                        lambda: (*fingerprint[:-1], fingerprint[-1][1:]))  # one file changed
    assert restored(knowledge) is None
    monkeypatch.undo()
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(cache_dir))
    assert restored(knowledge) is not None
    # the same files in another folder: its own entry, its own directory
    other = tmp_path / "other"
    shutil.copytree(knowledge, other)
    assert restored(other) is None
    assert kb_cache.load_knowledge_base_cached(other).directory == other


def test_an_unwritable_cache_folder_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                knowledge: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(blocker / "cache"))
    assert kb_cache.load_knowledge_base_cached(knowledge) == load_knowledge_base(knowledge)
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")
def test_an_entry_others_can_write_is_not_trusted(cache_dir: Path, knowledge: Path) -> None:
    kb_cache.load_knowledge_base_cached(knowledge)
    path = entry(cache_dir)
    path.chmod(0o666)
    assert restored(knowledge) is None
    path.chmod(0o600)
    assert restored(knowledge) is not None
    if os.getuid() == 0:  # root can give the file away: another user's file is not loaded
        os.chown(path, 65534, 65534)
        assert restored(knowledge) is None


def test_the_engine_pool_gets_the_ready_engine(cache_dir: Path, knowledge: Path) -> None:
    for _ in range(2):  # saved, then restored: either way the first engine is ready
        kb = kb_cache.load_knowledge_base_cached(knowledge)
        pool = pool_for(kb)
        assert len(pool._idle) == 1
        assert pool._idle[0].kb is kb
