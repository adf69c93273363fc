"""webui/blueprints/lang.py: the remembered language switch."""

from __future__ import annotations

import pytest


def test_indonesian_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in page and "Daftar penilaian" in page


def test_switching_to_english_is_remembered(client):
    response = client.post("/lang", data={"lang": "en", "next": "/knowledge/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/knowledge/"
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Assessments" in page
    client.post("/lang", data={"lang": "id"})
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_switch_keeps_the_query_string(client):
    response = client.post("/lang", data={"lang": "en", "next": "/assessments/1?why_not=x"})
    assert response.headers["Location"] == "/assessments/1?why_not=x"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x",
                                    "/\\evil.example", "", "relative"])
def test_next_never_leaves_the_site(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_400(client):
    assert client.post("/lang", data={"lang": "fr"}).status_code == 400


def test_an_unknown_cookie_falls_back_to_indonesian(client):
    client.set_cookie("lang", "xx")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_every_page_has_the_switch_with_a_csrf_token(csrf_app):
    page = csrf_app.test_client().get("/").get_data(as_text=True)
    switch = page.split('class="lang-switch"')[1].split("</form>")[0]
    assert 'name="csrf_token"' in switch
    assert 'aria-pressed="true"' in switch
