"""Explanation trees of a stored evaluation are rendered once per process and reused; the page
stays the same, and another evaluation, language or database never gets them."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.webui.conftest import AdminClient, make_users
from webui import create_app, tree_cache
from webui.db import seed_demo
from webui.expert_ext import knowledge_base

TOKEN = re.compile(r'value="[A-Za-z0-9._-]{30,}"')


def _page(app: Flask, url: str, lang: str = "id") -> str:
    client = app.test_client()
    client.set_cookie("lang", lang)
    return TOKEN.sub("TOKEN", client.get(url).get_data(as_text=True))


def _demo(app: Flask) -> str:
    with app.app_context():
        demo = seed_demo(knowledge_base())
        assert demo is not None
        return f"/assessments/{demo.id}"


def test_a_cached_page_is_the_page(app: Flask) -> None:
    tree_cache.clear()
    url = _demo(app)
    first = _page(app, url)
    cached = len(tree_cache._trees)
    assert cached > 0 and "how depth-0" in first
    assert _page(app, url) == first
    assert len(tree_cache._trees) == cached  # nothing rendered again


def test_languages_and_databases_do_not_share_trees(app: Flask, tmp_path: Path) -> None:
    tree_cache.clear()
    url = _demo(app)
    indonesian = _page(app, url, "id")
    english = _page(app, url, "en")
    assert indonesian != english
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False},
                       instance_path=tmp_path / "other")
    make_users(other)  # every page needs a login (issue 7): the admin reads it
    other.test_client_class = AdminClient
    assert _demo(other) == url  # the same id in another database
    before = len(tree_cache._trees)
    _page(other, url, "id")
    assert len(tree_cache._trees) > before
