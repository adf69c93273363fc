"""kinerja template, batch and needs (issue 10)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from expert import KnowledgeBase, read_case_file
from expert.cli import main
from expert.io import template_xlsx

CASES = Path(__file__).resolve().parents[1] / "knowledge" / "cases"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_template_xlsx_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "template", "--format", "xlsx", str(tmp_path / "t.xlsx"))
    assert code == 0 and err == ""
    assert load_workbook(tmp_path / "t.xlsx")["Penilaian"]["A1"].value == "nama"
    code, out, _ = run(capsys, "template", "-", "--format", "csv")
    assert code == 0 and out.startswith("nama,jenis,periode")
    code, _, err = run(capsys, "template", "-")
    assert code == 2 and "file name" in err


@pytest.fixture
def inputs(tmp_path: Path, kb: KnowledgeBase) -> Path:
    folder = tmp_path / "masuk"
    folder.mkdir()
    for path in sorted(CASES.glob("*.yaml"))[:3]:
        shutil.copy(path, folder / path.name)
    cases = [read_case_file(kb, p) for p in sorted(CASES.glob("*.yaml"))[3:5]]
    (folder / "tabel.xlsx").write_bytes(template_xlsx(kb, cases))
    (folder / "rusak.yaml").write_text("subject: {name: X}\nfindings: {ability: hebat}\n")
    return folder


def test_batch_reads_spreadsheets_lists_bad_cases_exits_2_and_writes_the_good(
        capsys: pytest.CaptureFixture[str], inputs: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "hasil.jsonl"
    code, out, err = run(capsys, "batch", str(inputs), "--output", str(out_file))
    assert code == 2 and out == ""
    assert "rusak.yaml" in err and "findings.ability" in err
    lines = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert len(lines) == 6 and sum("problems" in line for line in lines) == 1
    row = next(line for line in lines if line["source"].endswith("tabel.xlsx baris 2"))
    assert row["result"]["overall"] and lines[3]["source"].endswith("rusak.yaml")
    assert "6 cases, 5 evaluated, 1 refused" in err


def test_batch_strict_writes_nothing(capsys: pytest.CaptureFixture[str], inputs: Path,
                                     tmp_path: Path) -> None:
    out_file = tmp_path / "hasil.csv"
    code, _, err = run(capsys, "batch", str(inputs), "--output", str(out_file), "--strict")
    assert code == 2 and not out_file.exists() and "nothing written" in err
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_batch_summary_tables(capsys: pytest.CaptureFixture[str], inputs: Path,
                              tmp_path: Path, suffix: str) -> None:
    (inputs / "rusak.yaml").unlink()
    out_file = tmp_path / f"hasil{suffix}"
    code, _, err = run(capsys, "batch", str(inputs), "--output", str(out_file),
                       "--workers", "2")
    assert code == 0, err
    if suffix == ".csv":
        rows = out_file.read_text().splitlines()
    else:
        sheet = load_workbook(io.BytesIO(out_file.read_bytes())).active
        rows = [",".join(str(c.value or "") for c in row) for row in sheet.iter_rows()]
    assert rows[0].startswith("source,name,kind") and len(rows) == 6
    assert sum(",fair," in row for row in rows[1:]) >= 2


def test_batch_on_stdout_and_bad_arguments(capsys: pytest.CaptureFixture[str],
                                           seed_path: Path) -> None:
    code, out, _ = run(capsys, "batch", str(seed_path), "--lang", "en", "--detail", "full")
    assert code == 0 and json.loads(out)["result"]["overall"]["label"] == "Fair"
    code, _, err = run(capsys, "batch", str(seed_path), "--workers", "0")
    assert code == 2


def test_needs_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "needs", str(CASES), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["assessments"] == len(list(CASES.glob("*.yaml")))
    assert data["needs"][0]["rules"] and data["plan"][0]["forms"]
    code, out, _ = run(capsys, "needs", str(CASES), "--lang", "en")
    assert "Competency-development needs analysis" in out
    code, _, err = run(capsys, "needs", str(CASES), "--format", "xlsx")
    assert code == 2 and "--output" in err
    target = tmp_path / "akpk.xlsx"
    code, _, _ = run(capsys, "needs", str(CASES), "--format", "xlsx", "--output", str(target))
    assert code == 0 and load_workbook(target).sheetnames == [
        "Kebutuhan", "Rencana", "JP pegawai", "JP unit", "Tren"]
    code, out, _ = run(capsys, "needs", str(CASES), "--format", "csv", "--table", "plan")
    assert out.startswith("Program,Bentuk,Peserta")


def test_needs_refuses_bad_cases(capsys: pytest.CaptureFixture[str], inputs: Path) -> None:
    code, out, err = run(capsys, "needs", str(inputs))
    assert code == 2 and out == "" and "nothing analysed" in err
