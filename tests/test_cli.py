"""The kinerja command: every command, its formats, and its bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from expert import load_knowledge_base
from expert.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_json(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, out, err = run(capsys, "evaluate", str(seed_path), "--format", "json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["overall"] == {"rating": "fair", "label": "Cukup baik", "score": 2.7,
                                 "provisional": False}
    assert result["knowledge_base"]["version"].startswith("sha256:")


def test_evaluate_text_groups_recommendations_by_audience(capsys: pytest.CaptureFixture[str],
                                                          seed_path: Path) -> None:
    code, out, _ = run(capsys, "evaluate", str(seed_path))
    assert code == 0
    assert "Penilaian keseluruhan: CUKUP BAIK" in out
    assert out.index("Untuk Pimpinan unit kerja:") < out.index("Untuk Pegawai:")
    code, out, _ = run(capsys, "evaluate", str(seed_path), "--lang", "en")
    assert "Overall verdict: FAIR" in out and "For Head of the work unit:" in out


def test_evaluate_markdown(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, out, _ = run(capsys, "evaluate", str(seed_path), "--format", "markdown", "--lang", "en")
    assert code == 0
    assert out.startswith("# Performance assessment result")
    assert "| Dimension | Indicator | Rating | Source agreement |" in out


def test_evaluate_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                              seed_path: Path) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_path.read_bytes())))
    code, out, _ = run(capsys, "evaluate", "-", "--format", "json")
    assert code == 0 and json.loads(out)["overall"]["rating"] == "fair"


@pytest.mark.parametrize("content, expected", [
    ("subject: {name: x}\nfindings: {abilty: good}\n", "findings.abilty"),
    ("subject: {name: x}\nfindings: {ability: {interview: great}}\n",
     "findings.ability.interview"),
    ("subject: {name: x}\nmeasures: {unexcused_absence_days: -3}\n",
     "measures.unexcused_absence_days"),
    ("", "empty"),
    ("subject: [", "not valid YAML or JSON"),
])
def test_bad_case_exits_2_with_every_problem_and_no_output(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path), "--format", "json", "--lang", "en")
    assert code == 2
    assert out == ""
    assert expected in err and "Traceback" not in err


def test_all_problems_are_listed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("subject: {name: x}\nfindings: {abilty: good, sop: great}\n"
                    "factors: [rain]\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", str(path), "--lang", "en")
    assert code == 2
    assert "3 problem(s) in the case" in err
    assert "allowed: good, fair, poor" in err


def test_missing_case_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "evaluate", str(tmp_path / "nope.yaml"))
    assert code == 2 and out == "" and "tidak dapat membaca" in err


def test_explain_how_and_why_not(capsys: pytest.CaptureFixture[str], seed_path: Path,
                                 tmp_path: Path) -> None:
    code, out, _ = run(capsys, "explain", str(seed_path), "hold_competency_development")
    assert code == 0 and out.startswith("Bagaimana:")
    assert "findings.ability.interview" in out
    code, out, _ = run(capsys, "explain", str(seed_path), "overall", "--format", "json")
    assert code == 0 and json.loads(out)["reached"] is True
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"subject": {"name": "x"}, "findings": {"ability": "good"}}),
                    encoding="utf-8")
    code, out, _ = run(capsys, "explain", str(good), "hold_competency_development", "--lang",
                       "en")
    assert code == 0 and out.startswith("Why not:") and "✗" in out
    # named by its title, not its id
    assert out.splitlines()[0].startswith("Why not: The head of the unit holds competency-")
    code, out, _ = run(capsys, "explain", str(good), "hold_competency_development")
    assert out.startswith("Mengapa tidak: ") and "hold_competency_development" not in \
        out.splitlines()[0]


def test_explain_unknown_target(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, out, err = run(capsys, "explain", str(seed_path), "world_peace")
    assert code == 2 and out == ""
    assert "sasaran 'world_peace' tidak dikenal" in err and "overall" in err
    code, out, err = run(capsys, "explain", str(seed_path), "world_peace", "--lang", "en")
    assert "unknown target 'world_peace'" in err


def test_kb_check_passes_on_the_shipped_base(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "check")
    assert code == 0 and out.startswith("basis pengetahuan baik")
    code, out, _ = run(capsys, "kb", "check", "--lang", "en")
    assert code == 0 and out.startswith("knowledge base OK")


def test_kb_check_reports_and_exits_1(capsys: pytest.CaptureFixture[str], kb_copy: Path) -> None:
    path = kb_copy / "rules" / "verdicts.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["rules"][0]["references"] = []
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "--knowledge", str(kb_copy), "kb", "check")
    assert code == 1
    assert "[no-references] rules/verdicts.yaml" in out
    code, out, _ = run(capsys, "--knowledge", str(kb_copy), "kb", "check", "--format", "json")
    assert code == 1 and json.loads(out)["findings"][0]["check"] == "no-references"


def test_broken_knowledge_base_is_bad_input_for_evaluate(
        capsys: pytest.CaptureFixture[str], kb_copy: Path, seed_path: Path) -> None:
    (kb_copy / "factors.yaml").write_text("factors: [", encoding="utf-8")
    code, out, err = run(capsys, "--knowledge", str(kb_copy), "evaluate", str(seed_path))
    assert code == 2 and out == "" and "factors.yaml" in err and "not valid YAML" in err


def test_kb_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "coverage")
    assert "kasus;" in out and "aturan dijalankan" in out
    assert code == 0, out


def test_kb_coverage_lists_unfired_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         seed_path: Path) -> None:
    (tmp_path / "seed.yaml").write_bytes(seed_path.read_bytes())
    code, out, _ = run(capsys, "kb", "coverage", "--cases", str(tmp_path))
    assert code == 1
    assert "tidak dijalankan oleh kasus mana pun: discipline." in out
    code, out, _ = run(capsys, "kb", "coverage", "--cases", str(tmp_path), "--lang", "en")
    assert "not fired by any case: discipline." in out


def test_argument_errors_exit_2(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, _, err = run(capsys, "evaluate", str(seed_path), "--format", "pdf")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys)
    assert code == 2


def test_case_problems_follow_lang(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("subjek: {nama: x}\ntemuan: {kemampuan: hebat}\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path), "--lang", "id")
    assert code == 2 and out == ""
    assert "masalah dalam kasus" in err and "di luar skala penilaian" in err
    code, _, err = run(capsys, "evaluate", str(path), "--lang", "en")
    assert "outside the scale" in err


def test_kb_coverage_with_a_folder_that_is_not_there(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    code, out, err = run(capsys, "kb", "coverage", "--cases", str(tmp_path / "nowhere"))
    assert code == 2 and out == "" and "not a folder of cases" in err


def test_kb_coverage_reports_unreadable_cases(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe")
    (tmp_path / "dir.yaml").mkdir()
    code, out, _ = run(capsys, "kb", "coverage", "--cases", str(tmp_path))
    assert code == 1
    assert "bad.yaml is not UTF-8 text" in out and "dir.yaml" in out


def test_kb_show_a_rule_for_auditors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "show", "competency.technology_gap_untrained", "--lang",
                       "en")
    assert code == 0
    assert "IF indicator «Ability to complete the work» is Fair or Poor" in out
    assert "THEN diagnosis «Technology skills gap left untrained»" in out
    assert "[pp_11_2017] Peraturan Pemerintah Nomor 11 Tahun 2017" in out
    assert "← evidence.triangulation" in out and "← input from the case" in out
    assert "hold_competency_development" in out.split("Recommendations it can lead to:")[1]


def test_kb_show_lists_rules_and_refuses_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "show", "--list")
    assert code == 0 and len(out.splitlines()) == len(load_knowledge_base().rules)
    code, out, err = run(capsys, "kb", "show", "no.such_rule")
    assert code == 2 and out == "" and "aturan 'no.such_rule' tidak dikenal" in err


def test_text_report_shows_the_secondary_source_caveat(capsys: pytest.CaptureFixture[str],
                                                       seed_path: Path) -> None:
    for lang, words in (("id", "Catatan sumber"), ("en", "Source caveat")):
        code, out, _ = run(capsys, "evaluate", str(seed_path), "--lang", lang)
        assert code == 0 and words in out


def test_kb_schema_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import REPO

    code, out, _ = run(capsys, "kb", "schema")
    assert code == 0
    assert json.loads(out) == json.loads((REPO / "knowledge" / "schema.json").read_text())
