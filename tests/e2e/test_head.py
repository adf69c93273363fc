"""A department head's whole path in a real browser: a case entered quickly (one rating for
all sources), the draft surviving a language switch, the plan read and a status updated, a
second evaluation compared with the first, a WHAT-IF, the official PDF downloaded; every page
checked to fit a 375 px phone. Screenshots (desktop and phone) and the PDF's first page as
PNG go to screenshots/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = 375
SLOW = 20_000  # ms: saving evaluates and renders the report; CI machines are shared
SEED_FAIR = ("ability", "attendance_discipline", "facility_use")


def fits(page: Any, width: int = PHONE) -> None:
    """Nothing on the page is wider than the screen."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px screen"


def enter_quickly(page: Any, live_server: str, name: str) -> None:
    page.goto(f"{live_server}/assessments/new")
    page.get_by_label("Nama subjek").fill(name)
    for select in page.locator("select.rating-all").all():
        indicator = select.get_attribute("data-indicator")
        select.select_option("fair" if indicator in SEED_FAIR else "good")
    # the one control filled every source
    expect(page.locator("#rating-ability-observation")).to_have_value("fair")
    expect(page.locator("#rating-creativity-documentation")).to_have_value("good")
    for factor in ("lack_of_innovation", "minimal_training", "adequate_facilities",
                   "good_budget_planning"):
        page.locator(f"#factor-{factor}").check()
    page.locator("#measure-training_hours_last_year").fill("8")
    page.locator("#measure-unexcused_absence_days").fill("4")


def test_a_head_from_entry_to_pdf(page: Any, live_server: str, screenshots: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    enter_quickly(page, live_server, "Dinas Uji Kepala")

    # the draft survives a language switch, and the form is then in English
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Subject name")).to_have_value("Dinas Uji Kepala")
    expect(page.locator("#rating-ability-interview")).to_have_value("fair")
    expect(page.locator("#factor-minimal_training")).to_be_checked()
    expect(page.locator("#measure-training_hours_last_year")).to_have_value("8")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_label("Nama subjek")).to_have_value("Dinas Uji Kepala")

    # leaving with unsaved entries asks first
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#subject_name").click()
    page.keyboard.type(" ")
    page.get_by_role("link", name="Basis pengetahuan").click()
    for _ in range(50):  # the dialog comes as the navigation starts
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    page.remove_listener("dialog", answer)
    expect(page).to_have_url(re.compile(r"/assessments/new$"))
    page.screenshot(path=str(screenshots / "head-form-desktop.png"), full_page=True)

    page.get_by_role("button", name="Evaluasi dan simpan").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"), timeout=SLOW)
    report_url = page.url
    expect(page.locator(".verdict-value")).to_have_text("Cukup baik")

    # the report opens with this month, then the one plan
    month = page.locator("#this-month")
    expect(month).to_be_visible()
    items = page.locator("li.plan-item")
    assert items.count() >= 5
    ids = [items.nth(i).get_attribute("data-recommendation") for i in range(items.count())]
    assert len(ids) == len(set(ids))
    inputs = page.locator("#inputs")
    expect(inputs).to_contain_text("Ketersediaan sarana dan prasarana yang memadai")
    expect(inputs).to_contain_text("8 JP")

    # a status set with a note, kept with its history
    first = items.first
    first.locator("select[name=status]").select_option("in_progress")
    first.locator("input[name=note]").fill("Apel pagi dimulai")
    first.get_by_role("button", name="Simpan status").click()
    expect(page.locator(".flash-success")).to_contain_text("Sedang berjalan")
    first = page.locator("li.plan-item").first
    expect(first.locator(".status-badge")).to_have_text("Sedang berjalan")
    first.locator("details.status-history > summary").click()
    expect(first.locator(".history-entries")).to_contain_text("Apel pagi dimulai")
    page.screenshot(path=str(screenshots / "head-report-desktop.png"), full_page=True)

    # a second evaluation: ability now good
    page.get_by_role("link", name="Ubah dan evaluasi ulang").click()
    page.locator("#rating-ability-all").select_option("good")
    expect(page.locator("#rating-ability-interview")).to_have_value("good")
    page.get_by_role("button", name="Evaluasi dan simpan").click()
    expect(page).to_have_url(report_url, timeout=SLOW)
    expect(page.locator(".verdict-value")).to_have_text("Baik")

    # compare with the earlier evaluation
    page.get_by_role("button", name="Bandingkan").click()
    expect(page.get_by_role("heading", name="Perbandingan dua penilaian")).to_be_visible(
        timeout=SLOW)
    expect(page.locator('tr[data-id="ability"]')).to_contain_text("Lebih baik")
    expect(page.locator('tr[data-path="findings.ability.interview"]')).to_be_visible()
    page.screenshot(path=str(screenshots / "head-compare-desktop.png"), full_page=True)
    page.get_by_role("link", name="Lihat perkembangan nilai dari waktu ke waktu").click()
    expect(page.locator("svg.trend-chart circle.trend-overall")).to_have_count(2)

    # WHAT-IF on the report: ability poor again, minimal training gone
    page.goto(report_url)
    page.locator("#what-if details > summary").click()
    page.locator("#wi-ability").select_option("poor")
    page.locator("#wi-factor-minimal_training").uncheck()
    page.get_by_role("button", name="Lihat apa yang berubah").click()
    outcome = page.locator(".whatif-outcome")
    expect(outcome).to_contain_text("Apa yang akan berubah", timeout=SLOW)
    expect(outcome.locator('tr[data-id="ability"]')).to_contain_text("Lebih buruk")
    expect(outcome.locator('tr[data-path="factors.minimal_training"]')).to_be_visible()
    page.screenshot(path=str(screenshots / "head-whatif-desktop.png"), full_page=True)
    page.goto(report_url)
    expect(page.locator(".verdict-value")).to_have_text("Baik")  # nothing was saved

    # the official PDF
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Unduh PDF resmi").click()
    pdf = screenshots / "report.pdf"
    download_info.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(screenshots / "report-pdf-page1")], check=True)
        assert (screenshots / "report-pdf-page1.png").stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True,
                              text=True).stdout
        assert "Baik" in text and "Halaman 1 dari" in text and "Rencana tindak lanjut" in text


PAGES = ("/", "/assessments/new", "/assessments/upload", "/knowledge/", "/knowledge/factors",
         "/knowledge/measures", "/knowledge/diagnoses", "/knowledge/recommendations",
         "/knowledge/references", "/knowledge/rules", "/knowledge/rules/verdict.overall",
         "/knowledge/glossary")


def test_every_page_fits_a_phone(page_as: Any, live_server: str, screenshots: Path) -> None:
    page = page_as("kepala")
    page.set_viewport_size({"width": PHONE, "height": 800})
    enter_quickly(page, live_server, "Unit " + "sangat-panjang-" * 12)
    page.locator("#notes").fill("x" * 600)  # an unbroken note must wrap too
    page.locator("#note-ability").fill("y" * 600)
    fits(page)
    page.screenshot(path=str(screenshots / "head-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Evaluasi dan simpan").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"), timeout=SLOW)
    report_url = page.url
    fits(page)
    page.screenshot(path=str(screenshots / "head-report-phone.png"), full_page=True)
    page.get_by_role("link", name="Ubah dan evaluasi ulang").click()
    fits(page)
    page.locator("#rating-ability-all").select_option("good")
    page.get_by_role("button", name="Evaluasi dan simpan").click()
    expect(page).to_have_url(report_url, timeout=SLOW)
    assessment = report_url.rsplit("/", 1)[1]
    evaluation = re.search(r"/evaluations/(\d+)/what-if",
                           page.content()).group(1)  # type: ignore[union-attr]
    for path in (f"/assessments/{assessment}/compare", f"/assessments/{assessment}/trend",
                 f"/assessments/{assessment}/evaluations/{evaluation}/what-if"
                 "?finding-ability=poor", *PAGES):
        page.goto(live_server + path)
        fits(page)
    page.goto(f"{live_server}/assessments/{assessment}/compare")
    page.screenshot(path=str(screenshots / "head-compare-phone.png"), full_page=True)
    page.goto(f"{live_server}/assessments/{assessment}/evaluations/{evaluation}/what-if"
              "?finding-ability=poor")
    page.screenshot(path=str(screenshots / "head-whatif-phone.png"), full_page=True)
