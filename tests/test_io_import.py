"""Bulk import: the template round trip, every format, and hostile spreadsheets (issue 10)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from expert import KnowledgeBase, evaluate, read_case_file
from expert.case import Case
from expert.io import ImportFileError, import_cases, read_items, template_csv, template_xlsx
from expert.io.columns import layout_for
from expert.io.tables import MAX_ROWS

CASES = sorted((Path(__file__).resolve().parents[1] / "knowledge" / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def yaml_cases(kb: KnowledgeBase) -> list[Case]:
    return [read_case_file(kb, path) for path in CASES]


def outcome(kb: KnowledgeBase, case: Case) -> dict[str, Any]:
    """An evaluation without its firing order (a spreadsheet lists factors in column order)."""
    result = evaluate(kb, case).to_dict("en")
    return {"overall": result["overall"], "dimensions": result["dimensions"],
            "indicators": result["indicators"], "not_assessed": result["not_assessed"],
            "diagnoses": sorted(d["id"] for d in result["diagnoses"]),
            "recommendations": sorted((r["id"], r["priority"])
                                      for r in result["recommendations"])}


def canonical(case: Case) -> dict[str, Any]:
    data = case.to_dict()
    data["factors"] = sorted(data["factors"])
    data["findings"] = dict(sorted(data["findings"].items()))
    return data


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_round_trip_template_to_evaluations(kb: KnowledgeBase, yaml_cases: list[Case],
                                            kind: str) -> None:
    data = (template_xlsx(kb, yaml_cases) if kind == "xlsx"
            else template_csv(kb, yaml_cases).encode())
    imported = import_cases(kb, data, f"penilaian.{kind}")
    assert [item.label for item in imported] == [f"baris {n}" for n in
                                                 range(2, len(yaml_cases) + 2)]
    for original, item in zip(yaml_cases, imported, strict=True):
        assert canonical(item.case) == canonical(original)
        assert outcome(kb, item.case) == outcome(kb, original)


def test_template_has_indonesian_headers_validation_and_instructions(kb: KnowledgeBase) -> None:
    book = load_workbook(io.BytesIO(template_xlsx(kb)))
    assert book.sheetnames == ["Penilaian", "Petunjuk"]
    sheet = book["Penilaian"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["nama", "jenis", "periode"]
    assert "kemampuan / wawancara" in headers and "faktor / minim_pelatihan" in headers
    assert "ukuran / jam_pelatihan" in headers
    lists = {str(v.sqref).split(":")[0][:-1]: v.formula1
             for v in sheet.data_validations.dataValidation if v.type == "list"}
    letter = sheet.cell(row=1, column=headers.index("kemampuan / wawancara") + 1).column_letter
    assert lists[letter] == '"Baik,Cukup baik,Kurang baik,Belum dinilai"'
    assert sheet.cell(row=1, column=1).comment is not None


def test_a_filled_template_imports_what_a_trainer_typed(kb: KnowledgeBase) -> None:
    book = load_workbook(io.BytesIO(template_xlsx(kb)))
    sheet = book["Penilaian"]
    headers = [cell.value for cell in sheet[1]]
    row = {"nama": "Dinas Sosial", "jenis": "Unit kerja", "periode": 2025,
           "kemampuan / wawancara": "Cukup baik", "kemampuan / observasi": "kurang",
           "kreativitas / gabungan": "Baik", "faktor / minim_pelatihan": "ya",
           "ukuran / jam_pelatihan": 12.5}
    sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    [item] = import_cases(kb, buffer.getvalue(), "isi.xlsx")
    assert item.case.subject_name == "Dinas Sosial" and item.case.period == "2025"
    assert item.case.factors == ("minimal_training",)
    assert item.case.measures == {"training_hours_last_year": 12.5}
    assert "untrained_technology_gap" in evaluate(kb, item.case).diagnosis_ids


def workbook(rows: list[list[Any]], setup: Any = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(kb: KnowledgeBase, data: bytes, name: str = "f.xlsx") -> list[dict[str, Any]]:
    with pytest.raises(ImportFileError) as caught:
        import_cases(kb, data, name)
    return [p.to_dict("en") for p in caught.value.problems]


def test_wrong_header_is_refused_at_its_cell(kb: KnowledgeBase) -> None:
    found = problems(kb, workbook([["nama", "kemampuan / wawancara", "kemampuan / telepati"],
                                   ["Dinas A", "baik", "baik"]]))
    assert len(found) == 1
    assert found[0]["row"] == 1 and found[0]["column"] == "C"
    assert "telepati" in found[0]["message"]
    assert "kemampuan / observasi" in found[0]["allowed"]


def test_missing_name_column_and_repeated_column(kb: KnowledgeBase) -> None:
    found = problems(kb, workbook([["kemampuan / wawancara", "ability / interview"],
                                   ["baik", "baik"]]))
    assert {(p["row"], p.get("column")) for p in found} == {(1, "B"), (1, None)}


def test_unknown_rating_names_row_column_and_allowed(kb: KnowledgeBase) -> None:
    found = problems(kb, workbook([["nama", "kemampuan / wawancara"],
                                   ["Dinas A", "baik"], ["Dinas B", "luar biasa"]]))
    assert len(found) == 1
    assert (found[0]["row"], found[0]["column"]) == (3, "B")
    assert found[0]["header"] == "kemampuan / wawancara"
    assert found[0]["path"] == "findings.ability.interview"
    assert set(found[0]["allowed"]) >= {"good", "fair", "poor"}


def test_every_bad_row_is_reported_and_nothing_is_returned(kb: KnowledgeBase) -> None:
    found = problems(kb, workbook([["nama", "jenis", "faktor / minim_pelatihan",
                                    "ukuran / jam_pelatihan"],
                                   ["", "unit", "ya", 3], ["Dinas B", "dinas", "mungkin", -1],
                                   ["Dinas C", "planet", "", 4]]))
    places = {(p["row"], p.get("column")) for p in found}
    assert places == {(2, "A"), (3, "C"), (3, "D"), (4, "B")}


def test_merged_cells_are_refused(kb: KnowledgeBase) -> None:
    data = workbook([["nama", "kemampuan / wawancara"], ["Dinas A", "baik"], ["", "baik"]],
                    lambda sheet: sheet.merge_cells("A2:A3"))
    found = problems(kb, data)
    assert any(p["row"] == 2 and p["column"] == "A" and "A2:A3" in p["message"] for p in found)


def test_formulas_are_refused(kb: KnowledgeBase) -> None:
    found = problems(kb, workbook([["nama", "ukuran / jam_pelatihan"],
                                   ["Dinas A", "=10+10"]]))
    assert [(p["row"], p["column"]) for p in found] == [(2, "B")]
    assert "formula" in found[0]["message"]


def test_ten_thousand_rows_are_refused_before_reading_them(kb: KnowledgeBase) -> None:
    rows = [["nama", "kemampuan / wawancara"]] + [[f"Unit {n}", "baik"] for n in range(10_000)]
    found = problems(kb, workbook(rows))
    assert len(found) == 1 and found[0]["row"] == MAX_ROWS + 2
    assert f"{MAX_ROWS:,}" in found[0]["message"]


def test_a_file_renamed_xlsx_is_refused(kb: KnowledgeBase) -> None:
    found = problems(kb, b"nama,jenis\nDinas A,unit\n", "penilaian.xlsx")
    assert "not an XLSX workbook" in found[0]["message"] and found[0]["file"] == "penilaian.xlsx"
    found = problems(kb, b"PK\x03\x04 broken zip", "rusak.xlsx")
    assert "not an XLSX workbook" in found[0]["message"]


def test_csv_with_semicolons_and_decimal_comma(kb: KnowledgeBase) -> None:
    text = "nama;kemampuan / gabungan;ukuran / jam_pelatihan\nDinas A;cukup baik;19,5\n"
    [item] = import_cases(kb, text.encode("utf-8-sig"), "a.csv")
    assert item.case.measures == {"training_hours_last_year": 19.5}


def test_multi_document_yaml(kb: KnowledgeBase) -> None:
    text = "\n---\n".join(path.read_text(encoding="utf-8") for path in CASES[:3])
    imported = import_cases(kb, ("# tiga kasus\n---\n" + text).encode(), "banyak.yaml")
    assert [i.case for i in imported] == [read_case_file(kb, p) for p in CASES[:3]]
    bad = problems(kb, b"subject: {name: A}\n---\nsubject: {name: B}\nfindings: {ability: x}\n",
                   "banyak.yaml")
    assert bad[0]["item"].startswith("dokumen 2") and bad[0]["path"] == "findings.ability"


def test_zip_of_case_files(kb: KnowledgeBase) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in CASES[:4]:
            archive.writestr(f"kasus/{path.name}", path.read_bytes())
        archive.writestr("kasus/README.txt", "ignored")
        archive.writestr("__MACOSX/kasus/._a.yaml", b"\0\0")
    imported = import_cases(kb, buffer.getvalue(), "kasus.zip")
    assert [i.label for i in imported] == [f"kasus/{p.name}" for p in CASES[:4]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.yaml", "subject: {name: A}\nfaktor: [terbang]\n")
    found = problems(kb, buffer.getvalue(), "kasus.zip")
    assert found[0]["item"] == "a.yaml" and found[0]["path"] == "faktor[0]"


def test_read_items_keeps_good_rows_beside_bad_ones(kb: KnowledgeBase) -> None:
    items = read_items(kb, workbook([["nama", "kemampuan / wawancara"], ["A", "baik"],
                                     ["B", "hebat"]]), "f.xlsx")
    assert [i.case is not None for i in items] == [True, False]


def test_every_template_header_resolves_to_itself(kb: KnowledgeBase) -> None:
    layout = layout_for(kb)
    assert all(layout.resolve(c.header) == c for c in layout.columns)
    assert layout.resolve("ABILITY / Interview").case_path == "findings.ability.interview"


def test_unknown_extension(kb: KnowledgeBase) -> None:
    found = problems(kb, b"x", "kasus.docx")
    assert ".xlsx" in found[0]["allowed"]


def test_yaml_documents_split_only_at_markers(kb: KnowledgeBase) -> None:
    text = "subject:\n  name: A\nnotes: |\n  ---\n  teks\n---\nsubject: {name: B}\n"
    imported = import_cases(kb, text.encode(), "a.yaml")
    assert [i.case.subject_name for i in imported] == ["A", "B"]
    assert imported[0].case.notes == "---\nteks\n"
