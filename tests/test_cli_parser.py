"""`kinerja` builds only the parser of the command it runs; every message stays the one the whole
parser gives."""

from __future__ import annotations

import pytest

from expert.cli import COMMANDS, _command_in, build_parser, main


def test_the_command_is_found_after_the_global_options() -> None:
    assert _command_in(["evaluate", "x.yaml"]) == "evaluate"
    assert _command_in(["--knowledge", "evaluate", "explain", "x", "y"]) == "explain"
    assert _command_in(["--knowledge=k", "--no-cache", "kb", "check"]) == "kb"
    assert _command_in(["--know", "k", "evaluate"]) is None  # anything unusual: the whole parser
    assert _command_in(["-h"]) is None
    assert _command_in(["bogus"]) is None
    assert _command_in([]) is None


def test_every_command_is_known() -> None:
    action = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(action.choices) == set(COMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize("argv", [
    ["evaluate"],
    ["evaluate", "x.yaml", "--format", "pdf"],
    ["evaluate", "x.yaml", "--bogus"],
    ["explain", "x.yaml"],
    ["kb", "nothing"],
    ["users", "add", "someone"],
    ["--knowledge"],
])
def test_mistakes_read_as_from_the_whole_parser(argv: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as partial:
        main(argv)
    message = capsys.readouterr().err
    with pytest.raises(SystemExit) as whole:
        build_parser().parse_args(argv)
    assert partial.value.code == whole.value.code == 2
    assert message == capsys.readouterr().err
    assert "error:" in message


@pytest.mark.parametrize("command", ["evaluate", "explain", "batch", "kb", "users"])
def test_a_command_help_is_the_same(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser(command).parse_args([command, "--help"])
    partial = capsys.readouterr().out
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    assert partial == capsys.readouterr().out


@pytest.mark.parametrize("columns", ["40", "100", "", "zero"])
def test_help_is_as_wide_as_argparse_makes_it(columns: str, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    monkeypatch.setenv("COLUMNS", columns)
    for argv in (["--help"], ["batch", "--help"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        ours = capsys.readouterr().out
        monkeypatch.setattr("expert.cli._HelpFormatter", argparse.HelpFormatter)
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        assert ours == capsys.readouterr().out
        monkeypatch.undo()
        monkeypatch.setenv("COLUMNS", columns)
