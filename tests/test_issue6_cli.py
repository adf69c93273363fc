"""Issue 6 regressions at the command line and in the case reader: one test per row of the
issue's table that reaches the CLI (YAML alias bomb, amplification, deep nesting, duplicate
keys, YAML 1.1 numbers, control characters, unbounded input), plus numbers, text limits and
bounded problem lists."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from expert import CaseError, KnowledgeBase, load_case_text, parse_case
from expert.cli import main
from tests.test_reader import alias_bomb


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def problems(kb: KnowledgeBase, data: Any) -> dict[str, str]:
    with pytest.raises(CaseError) as caught:
        parse_case(kb, data) if not isinstance(data, str) else load_case_text(kb, data)
    return {p.path: p.text("en") for p in caught.value.problems}


def test_row_alias_bomb_via_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "bomb.yaml"
    case.write_text("subject: {name: x}\n" + alias_bomb(), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(case), "--lang", "en")
    assert (code, out) == (2, "")
    assert "a0: YAML anchors (&name) are not allowed" in err


def test_row_amplification_is_bounded(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    """The issue's 720 KB body of 180,000 factors: refused whole, in one short line."""
    body = json.dumps({"subject": {"name": "x"}, "factors": ["x"] * 180_000})
    case = tmp_path / "big.json"
    case.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(case), "--lang", "en")
    assert (code, out) == (2, "")
    assert "holds more than 20000 values" in err and len(err) < 1024


@pytest.mark.parametrize("text", [
    json.dumps({"subject": {"name": "x"}, "factors": ["x"] * 5000}),
    "subject: {name: x}\nfactors: [" + ", ".join(["x"] * 5000) + "]\n",
])
def test_row_amplification_problems_are_listed_50_then_counted(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    case = tmp_path / "many.yaml"
    case.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(case), "--lang", "en")
    assert (code, out) == (2, "")
    assert "5000 problem(s) in the case" in err and "and 4950 more problem(s)" in err
    assert err.count("lack_of_innovation") == 1  # the allowed values once, not once a problem
    assert len(err) < 8 * 1024


def test_row_deep_nesting(capsys: pytest.CaptureFixture[str]) -> None:
    sys.stdin = io.TextIOWrapper(io.BytesIO(b"[" * 1000 + b"]" * 1000))
    try:
        code, out, err = run(capsys, "evaluate", "-", "--lang", "en")
    finally:
        sys.stdin = sys.__stdin__
    assert (code, out) == (2, "") and "nested deeper than 32 levels" in err


def test_row_duplicate_keys(kb: KnowledgeBase) -> None:
    found = problems(kb, '{"subject": {"name": "x"}, "findings": {"ability": "good", '
                         '"ability": "poor"}}')
    assert found == {"findings.ability": "'ability' is given twice"}


@pytest.mark.parametrize("written", ["1:30", "0x10", "0o17", "1_000", ".inf", ".nan", "true",
                                     "١٢", "-0", "-0.0", '"4 hari"', "[4]"])
def test_row_yaml_1_1_numbers_and_other_non_decimals_are_refused(kb: KnowledgeBase,
                                                                 written: str) -> None:
    found = problems(kb, f"subject: {{name: x}}\nmeasures: {{unexcused_absence_days: {written}}}")
    message = found["measures.unexcused_absence_days"]
    assert "plain decimal number such as 4 or 19.5" in message or "negative" in message


@pytest.mark.parametrize("written, value", [("4", 4.0), ("19.5", 19.5), ('"19,5"', 19.5),
                                            ('"8"', 8.0), ("0", 0.0), ("1e1", 10.0)])
def test_plain_decimals_and_the_indonesian_decimal_comma_are_read(kb: KnowledgeBase,
                                                                  written: str,
                                                                  value: float) -> None:
    case = load_case_text(kb, f"subject: {{name: x}}\nmeasures: {{training_hours_last_year: "
                              f"{written}}}")
    assert case.measures["training_hours_last_year"] == value


def test_the_1_30_case_is_not_a_dismissal(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    case = tmp_path / "c.yaml"
    case.write_text("subject: {name: x}\nmeasures:\n  unexcused_absence_days: 1:30\n")
    code, out, err = run(capsys, "evaluate", str(case))
    assert (code, out) == (2, "") and "1:30" in err


@pytest.mark.parametrize("field, value", [
    ("name", "a\x1bb"), ("name", "bell\x07"), ("name", "nul\x00"), ("name", "\x9bcsi"),
    ("notes", "line\r\nbreak"), ("period", "2024\x1b[2J"),
])
def test_row_control_characters_are_refused_with_their_place(kb: KnowledgeBase, field: str,
                                                             value: str) -> None:
    data: dict[str, Any] = {"subject": {"name": "x"}}
    if field == "notes":
        data["notes"] = value
    else:
        data["subject"][field] = value
    found = problems(kb, data)
    path = "notes" if field == "notes" else f"subject.{field}"
    assert "control character" in found[path]


def test_newline_and_tab_are_allowed_in_notes(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"subject": {"name": "x"}, "notes": "a\n\tb"})
    assert case.notes == "a\n\tb"


def test_row_text_limits(kb: KnowledgeBase) -> None:
    found = problems(kb, {"subject": {"name": "x" * 201}, "notes": "y" * 5001})
    assert found["subject.name"] == "is too long: at most 200 characters (got 201)"
    assert found["notes"] == "is too long: at most 5000 characters (got 5001)"
    assert parse_case(kb, {"subject": {"name": "x" * 200}, "notes": "y" * 5000})


def test_row_control_characters_never_reach_the_terminal(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = tmp_path / "c.yaml"
    case.write_text('subject: {name: x}\n"\\e[31mred\\a": 1\nfactors: ["\\e]0;title\\a"]\n')
    code, out, err = run(capsys, "evaluate", str(case), "--lang", "en")
    assert code == 2 and out == ""
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b[31mred\\x07: unknown key" in err
    code, out, err = run(capsys, "explain", str(case), "\x1b[2Jtarget")
    assert "\x1b" not in err


def test_row_unbounded_cli_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "evaluate", "/dev/zero", "--lang", "en")
    assert (code, out) == (2, "") and "/dev/zero is larger than 1024 KiB" in err


def test_row_unbounded_stdin_in_a_real_process() -> None:
    """`kinerja evaluate -` fed without end: it stops after 1 MiB, exit 2."""
    process = subprocess.Popen([sys.executable, "-m", "expert.cli", "evaluate", "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdin is not None
    chunk = b" " * 65536
    try:
        for _ in range(64):  # 4 MiB offered; the reader stops at 1 MiB and exits
            process.stdin.write(chunk)
    except BrokenPipeError:
        pass
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and out == b""
    assert b"stdin" in err and b"1024 KiB" in err


def test_a_50_mb_name_is_refused_by_size_first(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as caught:
        load_case_text(kb, "subject: {name: " + "x" * (50 * 1024 * 1024) + "}")
    assert "larger than 1024 KiB" in str(caught.value)


def test_problems_are_bounded_and_say_how_many_more(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case(kb, {"subject": {"name": "x"}, "factors": [f"f{i}" for i in range(500)]})
    error = caught.value
    assert len(error.problems) == 50 and error.more == 450 and error.total == 500
    data = error.to_dict("id")
    assert data["more"] == 450 and "450 masalah lagi" in str(data["more_text"])
    listed = data["problems"]
    assert isinstance(listed, list)
    assert "allowed" in listed[0] and all("allowed" not in p for p in listed[1:])
    assert "(nilai yang diizinkan: lihat di atas)" in error.render("id")


def test_a_huge_value_is_quoted_short_in_its_problem(kb: KnowledgeBase) -> None:
    found = problems(kb, {"subject": {"name": "x"}, "factors": ["z" * 100_000]})
    assert len(found["factors[0]"]) < 300 and "100000 characters" in found["factors[0]"]


def test_keys_1_and_true_are_reported_as_written(kb: KnowledgeBase) -> None:
    found = problems(kb, "subject: {name: x}\n1: a\ntrue: b\n")
    assert set(found) == {"1", "true"}


def test_notes_nan_is_text_as_written(kb: KnowledgeBase) -> None:
    assert load_case_text(kb, "subject: {name: x}\nnotes: NaN\n").notes == "NaN"
    assert load_case_text(kb, "subject: {name: x}\nnotes: .nan\n").notes == ".nan"
