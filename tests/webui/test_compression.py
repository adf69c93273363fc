"""Responses are compressed for clients that accept it: the report page, every explanation
inline, travels in well under 80 KB."""

from __future__ import annotations

import gzip
import re

from flask import Flask

from webui.db import seed_demo
from webui.expert_ext import knowledge_base


def test_the_report_page_is_compressed_below_80_kb(app: Flask) -> None:
    with app.app_context():
        demo = seed_demo(knowledge_base())
        assert demo is not None
        url = f"/assessments/{demo.id}"
    client = app.test_client()
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers.get("Vary", "")
    assert len(packed.data) <= 80 * 1024 < len(plain.data)
    token = re.compile(rb'value="[A-Za-z0-9._-]{30,}"')  # CSRF tokens carry a timestamp
    assert token.sub(b"", gzip.decompress(packed.data)) == token.sub(b"", plain.data)


def test_api_answers_are_compressed_too(app: Flask) -> None:
    response = app.test_client().post(
        "/api/v1/evaluate", json={"subject": {"name": "x"}, "findings": {"ability": "fair"}},
        headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"{")
