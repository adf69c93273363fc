"""The trainer's path in a real browser (issue 10): fifteen offices imported from one
spreadsheet with a preview, the needs page (heat map, HOW, 20 JP), a plan adjusted and saved,
the XLSX export and the printable AKPK; screenshots at desktop and phone width."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from expert import load_knowledge_base
from expert.io import import_cases, template_xlsx

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "akpk_15_offices.csv"


@pytest.fixture(scope="module")
def spreadsheet(tmp_path_factory: pytest.TempPathFactory, live_app: Any) -> Path:
    """The 15-office fixture as a filled XLSX template, its offices registered."""
    from webui.db.accounts import find_office
    from webui.db.audit import SYSTEM
    from webui.db.users import add_office

    kb = load_knowledge_base()
    cases = [item.case for item in import_cases(kb, FIXTURE.read_bytes(), FIXTURE.name)]
    with live_app.app_context():
        for name in sorted({c.office or c.subject_name for c in cases}):
            if find_office(name) is None:
                add_office(name, by=SYSTEM)
    path = tmp_path_factory.mktemp("akpk") / "lima-belas-dinas.xlsx"
    path.write_bytes(template_xlsx(kb, cases))
    return path


def test_a_trainer_imports_plans_exports_and_prints(page_as: Any, live_server: str,
                                                     spreadsheet: Path, screenshots: Path,
                                                     tmp_path: Path) -> None:
    page = page_as("pelatih")
    page.goto(f"{live_server}/assessments/import/")
    page.locator("#import-file").set_input_files(str(spreadsheet))
    page.locator("#import-preview").click()
    expect(page.locator("#import-ready")).to_contain_text("22 baris siap diimpor")
    expect(page.locator("#import-rows tbody tr")).to_have_count(22)
    page.screenshot(path=str(screenshots / "import-preview-desktop.png"), full_page=True)
    page.locator("#import-confirm").click()
    page.wait_for_url(f"{live_server}/training/")

    offices = "&".join(f"office={o}" for o in ("Dinas Pendidikan", "Dinas Kesehatan",
                                                "Dinas Perhubungan", "Dinas Sosial",
                                                "Dinas Pertanian", "Dinas Pariwisata"))
    page.goto(f"{live_server}/training/?{offices}")
    expect(page.locator("#needs-summary")).to_contain_text("6 unit, 3 kebutuhan")
    expect(page.locator("svg.heat-map")).to_be_visible()
    expect(page.locator("#jp-employees")).to_contain_text("Pegawai 02-A")
    page.locator("#needs-table details").first.locator("summary").click()
    expect(page.locator("#needs-table")).to_contain_text("competency.technology_gap")
    page.screenshot(path=str(screenshots / "training-desktop.png"), full_page=True)

    row = page.locator("#plan-technology_skills")
    row.locator("input[name='technology_skills.participants']").fill("30")
    row.locator("input[name='technology_skills.forms'][value='workshop']").uncheck()
    row.locator("textarea").fill("Angkatan pertama, Maret")
    page.locator("#plan-title").fill("Rencana pengembangan kompetensi 2026")
    page.locator("#save-plan").click()
    expect(page.locator("#saved-plan")).to_contain_text("oleh pelatih")
    expect(page.locator("#plan-technology_skills input[name$='.participants']")) \
        .to_have_value("30")

    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    target = tmp_path / "akpk.xlsx"
    download.value.save_as(target)
    plan = load_workbook(io.BytesIO(target.read_bytes()))["Rencana"]
    first = [c.value for c in plan[2]]
    assert first[0] == "Kemampuan kerja dengan teknologi terbaru" and first[2] == 30
    assert "Workshop" not in first[1]

    page.locator("#print-link").click()
    expect(page.locator("h1")).to_have_text("Analisis Kebutuhan Pengembangan Kompetensi (AKPK)")
    expect(page.locator("#print-plan")).to_contain_text("Angkatan pertama, Maret")
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / "akpk-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/training/?{offices}")
    expect(page.locator("svg.heat-map")).to_be_visible()
    page.screenshot(path=str(screenshots / "training-phone.png"), full_page=True)
