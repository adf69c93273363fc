"""The department head's path in a real browser: the seed findings through the form, the
report, an explanation opened, English; screenshots at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from expert import default_knowledge_dir

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": 1280, "phone": 360}


def seed_case() -> dict[str, Any]:
    path = next(p for p in sorted((default_knowledge_dir() / "cases").iterdir())
                if "seed" in p.name)
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def fill_in(page: Any, case: dict[str, Any]) -> None:
    subject = case["subject"]
    page.get_by_label("Nama subjek").fill(subject["name"])
    page.get_by_label("Jenis subjek").select_option(subject.get("kind", "unit"))
    page.get_by_label("Periode", exact=True).fill(str(subject.get("period", "")))
    for indicator, sources in case["findings"].items():
        for source, rating in sources.items():
            page.locator(f"#rating-{indicator}-{source}").select_option(rating)
    for factor in case.get("factors", []):
        page.locator(f"#factor-{factor}").check()
    page.get_by_label("Catatan", exact=False).last.fill("Catatan <b>umum</b> dari e2e")


@pytest.mark.parametrize("device", list(WIDTHS))
def test_seed_findings_through_the_form_to_the_report(page: Any, live_server: str,
                                                      screenshots: Path, device: str) -> None:
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto(f"{live_server}/assessments/new")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Penilaian baru")).to_be_visible()
    fill_in(page, seed_case())
    page.screenshot(path=str(screenshots / f"form-{device}.png"), full_page=True)

    page.get_by_role("button", name="Evaluasi dan simpan").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    expect(page.locator(".verdict-value")).to_have_text("Cukup baik")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".notes")).to_have_text("Catatan <b>umum</b> dari e2e")
    # the page is no wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[device]

    recommendation = page.locator(
        'li.plan-item[data-recommendation="hold_competency_development"]')
    why = recommendation.locator("details.why")
    expect(why).not_to_have_attribute("open", "")
    why.locator("> summary").click()
    expect(why).to_have_attribute("open", "")
    tree = why.locator("> .how")
    expect(tree.locator("a").first).to_have_text(
        "Pimpinan unit kerja mengadakan kegiatan pengembangan kompetensi")
    expect(tree.locator(".how-because").first).to_be_visible()
    expect(tree.locator(".refs").first).to_contain_text("[")
    # the derived premises open, level by level, down to the findings they matched
    findings = why.locator("li.premise-input:visible", has_text="Temuan")
    for _ in range(10):
        if findings.count():
            break
        why.locator("details:not([open]) > summary:visible").first.click()
    expect(findings.first).to_have_attribute("title", re.compile(r"^findings\."))
    page.screenshot(path=str(screenshots / f"result-{device}.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".verdict-value")).to_have_text("Fair")
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # remembered
    if device == "desktop":
        page.screenshot(path=str(screenshots / "result-desktop-en.png"), full_page=True)


def test_keyboard_only_why_not_and_explanations(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/assessments/new")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("Nama subjek").fill("Unit uji papan ketik")
    page.locator("#rating-ability-interview").select_option("poor")
    page.locator("#factor-minimal_training").focus()
    page.keyboard.press("Space")
    expect(page.locator("#factor-minimal_training")).to_be_checked()
    page.get_by_role("button", name="Evaluasi dan simpan").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))

    summary = page.locator("li.plan-item details.why > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.plan-item details.why").first).to_have_attribute("open", "")

    picker = page.get_by_label("Rekomendasi yang tidak diberikan")
    picker.select_option("impose_light_sanction")
    page.get_by_role("button", name="Jelaskan").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"why_not=impose_light_sanction#why-not$"))
    result = page.locator(".whynot-result")
    expect(result.locator('a[href$="/knowledge/rules/discipline.light_sanction"]')).to_be_visible()
    expect(result.locator(".is-unmet").first).to_contain_text("Tidak terpenuhi")


def test_an_invalid_form_shows_errors_and_keeps_input(page: Any, live_server: str,
                                                      allowed_console: list[str]) -> None:
    allowed_console.append("status of 400")  # the form comes back as 400 Bad Request
    page.goto(f"{live_server}/assessments/new")
    page.locator("#rating-ability-interview").select_option("fair")
    page.get_by_label("Hari kerja tidak masuk tanpa alasan yang sah (kumulatif)", exact=False).fill(
        "empat")
    page.locator("#subject_name").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Evaluasi dan simpan").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Wajib diisi")
    expect(page.locator("#error-measure-unexcused_absence_days")).to_contain_text(
        "Masukkan angka")
    expect(page.locator("#rating-ability-interview")).to_have_value("fair")
    expect(page.locator("#measure-unexcused_absence_days")).to_have_value("empat")
