"""webui/security.py: CSRF on every form, security headers, no inline script or style."""

from __future__ import annotations

import io
import re

import pytest

PAGES = ["/", "/assessments/new", "/assessments/upload", "/knowledge/", "/knowledge/rules",
         "/knowledge/rules/verdict.overall", "/knowledge/references", "/nothing"]


@pytest.mark.parametrize("url", [*PAGES, "/static/kinerja.css", "/api/v1/knowledge"])
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:  # a static file is streamed: close it
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_when_configured(client, app):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["SEND_HSTS"] = True
    assert "max-age" in client.get("/").headers["Strict-Transport-Security"]


def test_pages_have_no_inline_script_style_or_external_resource(client, save, seed_case):
    assessment_id = save(seed_case)
    urls = [*PAGES, f"/assessments/{assessment_id}",
            f"/assessments/{assessment_id}?why_not=impose_light_sanction",
            f"/assessments/{assessment_id}/edit", f"/assessments/{assessment_id}/delete"]
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url
        assert not re.search(r'(src|href)="(https?:)?//', page), url


def test_every_post_form_carries_a_csrf_token(csrf_app, tmp_path):
    client = csrf_app.test_client()
    for url in ["/", "/assessments/new", "/assessments/upload"]:
        page = client.get(url).get_data(as_text=True)
        for form in re.findall(r'<form[^>]*method="post".*?</form>', page, re.S):
            assert 'name="csrf_token"' in form, url


def test_a_post_without_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    for url, data in (("/lang", {"lang": "en"}), ("/assessments/upload", {
            "case_file": (io.BytesIO(b"subject: {name: x}"), "c.yaml")}),
            ("/assessments/1/archive", {"reason": "x"})):
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


def test_an_expired_assessment_form_comes_back_with_the_input_kept(csrf_app, seed_case,
                                                                   form_fields, csrf_token):
    client = csrf_app.test_client()
    response = client.post("/assessments/new", data=form_fields(seed_case))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Formulir ini kedaluwarsa" in page
    assert f'value="{seed_case["subject"]["name"]}"' in page
    fields = form_fields(seed_case)
    fields["csrf_token"] = csrf_token(page)  # the page carries a fresh token
    assert client.post("/assessments/new", data=fields).status_code == 303
    fields.setlist("csrf_token", ["stale"])
    edit = client.post("/assessments/1/edit", data=fields)
    assert edit.status_code == 400 and "Formulir ini kedaluwarsa" in edit.get_data(as_text=True)
    assert client.post("/assessments/9/edit", data=fields).status_code == 400


def test_a_post_with_the_csrf_token_is_accepted(csrf_app, seed_case, form_fields, csrf_token):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/assessments/new").get_data(as_text=True))
    fields = form_fields(seed_case)
    fields["csrf_token"] = token
    response = client.post("/assessments/new", data=fields)
    assert response.status_code == 303
    archive = client.post("/assessments/1/archive", data={"csrf_token": "forged",
                                                          "reason": "x"})
    assert archive.status_code == 400
    archive = client.post("/assessments/1/archive", data={"csrf_token": token, "reason": "x"})
    assert archive.status_code == 303


def test_static_files_are_served_from_the_package(client):
    for name in ("kinerja.css", "print.css", "kinerja.js", "favicon.svg"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200
    with client.get("/static/print.css") as response:
        assert "size: A4" in response.get_data(as_text=True)
