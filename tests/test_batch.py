"""Batch evaluation: the engine's batch API, worker processes, and `kinerja batch`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.cases import random_cases
from expert import KnowledgeBase, default_knowledge_dir, evaluate
from expert.batch import evaluate_many, run_batch, summary
from expert.cli import main

CASES = default_knowledge_dir() / "cases"


def test_evaluate_many_gives_what_evaluate_gives(kb: KnowledgeBase) -> None:
    cases = random_cases(kb, 40, seed=3)
    for case, evaluation in zip(cases, evaluate_many(kb, cases), strict=True):
        assert evaluation.case is case
        assert evaluation.to_dict() == evaluate(kb, case).to_dict()


def test_one_worker_and_two_write_the_same_lines(kb: KnowledgeBase) -> None:
    sources = sorted(CASES.glob("*.yaml"))
    one = [r.line for r in run_batch(sources, workers=1)]
    two = [r.line for r in run_batch(sources, workers=2)]
    assert one == two and len(one) == len(sources)
    first = json.loads(one[0])
    assert first["source"] == str(sources[0])
    from expert import read_case_file
    assert first["result"] == json.loads(json.dumps(summary(evaluate(
        kb, read_case_file(kb, sources[0])))))


def test_full_detail_is_the_output_document(kb: KnowledgeBase) -> None:
    source = sorted(CASES.glob("*.yaml"))[0]
    (result,) = run_batch([source], detail="full", lang="en")
    from expert import read_case_file
    expected = evaluate(kb, read_case_file(kb, source)).to_dict("en")
    assert json.loads(result.line)["result"] == json.loads(json.dumps(expected))


def test_a_bad_case_is_a_line_with_its_problems_not_an_exception() -> None:
    results = list(run_batch([{"subject": {"name": "A"}, "findings": {"ability": "superb"}},
                              {"subject": {"name": "B"}}]))
    assert [r.ok for r in results] == [False, True]
    bad = json.loads(results[0].line)
    assert bad["source"] == "#1" and "superb" in json.dumps(bad["problems"])


def test_an_unknown_detail_is_refused() -> None:
    with pytest.raises(ValueError, match="summary, full"):
        list(run_batch([], detail="everything"))


def test_kinerja_batch_writes_json_lines(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    (folder / "broken.yaml").write_text("subject: {name: X}\nfindings: {ability: superb}\n")
    (folder / "notes.txt").write_text("not a case")
    output = tmp_path / "out.jsonl"
    code = main(["batch", str(folder), "--output", str(output), "--workers", "2"])
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    cases = sorted(p.name for p in folder.glob("*.yaml"))
    assert code == 2  # one case was refused (bad input); every other one is in the output
    assert [Path(line["source"]).name for line in lines] == cases
    assert sum("problems" in line for line in lines) == 1
    assert f"{len(cases)} cases, {len(cases) - 1} evaluated, 1 refused" in err
    assert not list(tmp_path.glob(".*.partial"))


def test_kinerja_batch_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    source = sorted(CASES.glob("*.yaml"))[0]
    assert main(["batch", str(source)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["result"]["overall"] == "fair"


@pytest.mark.parametrize("argv, message", [
    (["batch", "no-such-folder"], "no such file or folder"),
    (["batch", str(CASES), "--workers", "0"], "--workers"),
    (["batch", str(CASES), "--output", "/no/such/dir/out.jsonl"], "no such folder"),
])
def test_kinerja_batch_bad_input_is_exit_2(argv: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_empty_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path)]) == 2
    assert "no case files" in capsys.readouterr().err
