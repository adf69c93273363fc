"""Accounts and accountability in a real browser: signing in; a head cannot open another
office's assessment; a trainer and an auditor cannot edit; archiving needs a reason; the
auditor finds the archiving in the audit log, and the report's record is verified."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from expert import parse_case
from webui.db import record_evaluation
from webui.db.accounts import find_office
from webui.expert_ext import knowledge_base

pytestmark = pytest.mark.e2e


def assessment_of(app: Any, office: str, name: str) -> int:
    with app.app_context():
        kb = knowledge_base()
        case = parse_case(kb, {"subject": {"name": name}, "findings": {"ability": "fair"}})
        return record_evaluation(kb, case, origin="form", office=find_office(office)).id


def test_signing_in(anonymous_page: Any, live_server: str,
                    allowed_console: list[str]) -> None:
    allowed_console.append("status of 401")  # the wrong password's answer
    page = anonymous_page
    page.goto(f"{live_server}/assessments/new")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.get_by_label("Nama pengguna").fill("kepala")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#login-error")).to_contain_text("salah")
    page.get_by_label("Kata sandi").fill("password-for-tests")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/assessments/new$"))  # back where it was going
    expect(page.locator(".user-name")).to_contain_text("kepala")
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_head_cannot_open_another_offices_assessment(page: Any, live_app: Any,
                                                       live_server: str,
                                                       allowed_console: list[str]) -> None:
    allowed_console.append("status of 404")
    theirs = assessment_of(live_app, "Dinas Lain", "Penilaian kantor lain")
    page.goto(f"{live_server}/")
    expect(page.get_by_text("Penilaian kantor lain")).to_have_count(0)
    page.goto(f"{live_server}/assessments/{theirs}")
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()


@pytest.mark.parametrize("username", ["pelatih", "auditor"])
def test_trainers_and_auditors_cannot_edit(page_as: Any, live_app: Any, live_server: str,
                                           allowed_console: list[str], username: str) -> None:
    allowed_console.append("status of 403")
    mine = assessment_of(live_app, "Dinas Uji", f"Dibaca oleh {username}")
    page = page_as(username)
    page.goto(f"{live_server}/assessments/{mine}")
    expect(page.locator(".verdict-value")).to_be_visible()  # they read the report
    expect(page.get_by_role("link", name="Ubah dan evaluasi ulang")).to_have_count(0)
    expect(page.get_by_role("link", name="Arsipkan")).to_have_count(0)
    expect(page.get_by_role("link", name="Penilaian baru")).to_have_count(0)
    page.goto(f"{live_server}/assessments/{mine}/edit")
    expect(page.get_by_role("heading", name="Akses ditolak")).to_be_visible()


def test_archive_with_a_reason_and_the_auditor_finds_it(page: Any, page_as: Any,
                                                        live_app: Any, live_server: str,
                                                        allowed_console: list[str]) -> None:
    allowed_console.append("status of 400")  # the archive form without a reason
    mine = assessment_of(live_app, "Dinas Uji", "Penilaian yang diarsipkan")
    page.goto(f"{live_server}/assessments/{mine}")
    expect(page.locator(".seal")).to_have_attribute("data-verified", "true")
    page.get_by_role("link", name="Arsipkan").click()
    page.get_by_role("button", name="Arsipkan").click()
    expect(page.locator("#error-reason")).to_contain_text("Tuliskan alasan")
    page.get_by_label("Alasan pengarsipan").fill("Entri ganda, diganti penilaian baru")
    page.get_by_role("button", name="Arsipkan").click()
    expect(page.locator(".flash-success")).to_contain_text("telah diarsipkan")
    expect(page.locator(f'main a[href="/assessments/{mine}"]')).to_have_count(0)

    auditor = page_as("auditor")
    auditor.goto(f"{live_server}/audit/")
    auditor.get_by_label("Tindakan").select_option("archive")
    auditor.get_by_role("button", name="Saring").click()
    row = auditor.locator("tr.audit-entry", has_text="Entri ganda")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("kepala")
    expect(row).to_contain_text(f"assessment/{mine}")
    row.get_by_role("link", name=f"assessment/{mine}").click()
    expect(auditor.locator(".archived-notice")).to_contain_text("Entri ganda")
    expect(auditor.locator(".seal")).to_have_attribute("data-verified", "true")
    expect(auditor.locator("code.hash").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
