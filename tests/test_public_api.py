from __future__ import annotations

import subprocess
import sys

import expert


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
