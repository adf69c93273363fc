from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

import expert
from expert import default_knowledge_dir


def test_all_is_exactly_the_public_surface() -> None:
    for name in expert.__all__:  # names load on first use
        getattr(expert, name)
    public = {name for name in vars(expert) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(expert, name)).__name__ == "module"}
    assert set(expert.__all__) == public - modules - {"annotations", "importlib", "TYPE_CHECKING",
                                                      "Any"}
    for name in expert.__all__:
        assert hasattr(expert, name), name


def test_engine_package_never_imports_flask() -> None:
    code = ("import sys, expert, expert.cli, expert.kb.verify, expert.coverage; "
            "print(any(m == 'flask' or m.startswith('flask.') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_experta_runs_on_a_maintained_frozendict() -> None:
    code = ("import logging, expert; expert.KinerjaEngine; import experta, frozendict; "
            "print(experta.__version__, frozendict.__version__.split('.')[0], "
            "len(logging.getLogger().handlers))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    version, frozendict_major, root_handlers = result.stdout.split()
    assert version == "1.9.4"
    assert int(frozendict_major) >= 2
    # experta calls logging.basicConfig() at import; importing expert must not let it through
    assert root_handlers == "0"


def _modules_after(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code + "; import sys; print(*sys.modules)"],
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_a_command_imports_only_what_it_needs() -> None:
    kb_check = _modules_after("from expert.cli import main; import contextlib, io\n"
                              "with contextlib.redirect_stdout(io.StringIO()):\n"
                              "    main(['kb', 'check'])")
    assert "experta" not in kb_check and "expert.engine" not in kb_check
    evaluate = _modules_after("from expert import evaluate")
    assert "experta" not in evaluate  # not until a case is evaluated


def test_evaluate_imports_only_what_a_consultation_needs(tmp_path: Path) -> None:
    # `kinerja evaluate` pays for every module it imports in every process: with the
    # knowledge-base cache warm it never loads the files' reader, a JSON case needs no YAML,
    # and no dataclass is made (see the next test).
    seed = default_knowledge_dir() / "cases" / "01_seed_balangan_2025.yaml"
    case = tmp_path / "case.json"
    case.write_text(json.dumps(yaml.safe_load(seed.read_text(encoding="utf-8"))),
                    encoding="utf-8")
    env = {**os.environ, "KINERJA_CACHE_DIR": str(tmp_path / "cache")}

    def modules(path: Path) -> set[str]:
        code = ("import contextlib, io, sys\nfrom expert.cli import main\n"
                "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
                f"    assert main(['evaluate', {str(path)!r}, '--format', 'json']) == 0\n"
                "assert out.getvalue().startswith('{')\nprint(*sys.modules)")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, env=env)
        return set(result.stdout.split())

    cold = modules(case)
    assert "expert.kb.loader" in cold  # the first run reads the files and fills the cache
    warm = modules(case)
    never = {"yaml", "expert.reader_yaml", "expert.yaml_loader", "expert.kb.loader",
             "expert.kb.verify", "expert.render", "schema", "flask", "webui", "dataclasses"}
    assert warm & never == set()
    yaml_case = modules(seed)
    assert "yaml" in yaml_case and "expert.kb.loader" not in yaml_case


def test_the_classes_a_consultation_imports_are_structs_not_dataclasses() -> None:
    # A dataclass compiles its generated methods at every import (half a millisecond a frozen
    # class on Python 3.11, a quarter of a `kinerja evaluate` process for these); a Struct's
    # are C. Equality, hashing, immutability and pickling are what the tests of each rely on.
    import msgspec

    from expert.case import Case, SourceFinding
    from expert.errors import Problem
    from expert.evaluation import Evaluation
    from expert.io.problems import CellProblem
    from expert.kb import model
    from expert.kb.development import DevelopmentCatalogue, DevelopmentForm, Programme
    from expert.rules.adapter import Match
    from expert.rules.conditions import CONDITION_CLASSES, Condition, Cut
    from expert.trace import FactRecord, Firing, Trace

    classes = [Case, SourceFinding, Problem, CellProblem, Evaluation, DevelopmentCatalogue,
               DevelopmentForm, Programme, Match, FactRecord, Firing, Trace, Condition, Cut,
               *CONDITION_CLASSES.values(),
               *(c for c in vars(model).values()
                 if isinstance(c, type) and c.__module__ == model.__name__)]
    assert len(classes) > 30
    assert [c for c in classes if not issubclass(c, msgspec.Struct)] == []


def test_problems_compare_without_their_translations() -> None:
    from expert.errors import Problem
    from expert.io.problems import CellProblem

    said = Problem("a.b", "bad", ("x",), translations=(("id", "buruk"),))
    plain = Problem("a.b", "bad", ("x",))
    assert said == plain and hash(said) == hash(plain)
    assert said != Problem("a.b", "bad", ("y",)) and said != Problem("a.c", "bad", ("x",))
    placed = CellProblem("a.b", "bad", ("x",), row=3, translations=(("id", "buruk"),))
    assert placed == CellProblem("a.b", "bad", ("x",), row=3)
    assert placed != CellProblem("a.b", "bad", ("x",), row=4) and placed != said
    assert len({said, plain, placed}) == 2
