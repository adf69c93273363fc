"""The report page keeps what depends only on a stored evaluation (webui/report_cache.py); the
page it serves is the page rendered without the cache, whatever changed in between: another
evaluation, a plan status, the language, the user's rights, a row altered behind the
application's back (whose seal then turns "not verified" and whose altered content is shown).
The cache is bounded, per application, and can be turned off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.webui.conftest import TEST_CONFIG, dispose, login, make_users
from tests.webui.test_audit import raw
from webui import create_app
from webui.db import Evaluation, db
from webui.db.audit import AuditEvent
from webui.report_cache import report_cache
from webui.startup import StartupError

TOKEN = re.compile(r'value="[A-Za-z0-9._-]{30,}"')  # CSRF tokens carry a timestamp


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub('value="TOKEN"', response.get_data(as_text=True))


class Pair:
    """Two applications on one database: ``cached`` with the report cache, ``plain`` without.
    Every page is asked of both, the cached one first and twice (so that it comes from the
    cache), and must be the same."""

    def __init__(self, uri: str, instance: Path) -> None:
        self.cached = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri},
                                 instance_path=instance)
        make_users(self.cached)
        self.plain = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                                 "REPORT_CACHE_SIZE": 0}, instance_path=instance)
        self.clients: dict[tuple[str, str], FlaskClient] = {}

    def client(self, which: str, username: str) -> FlaskClient:
        if (which, username) not in self.clients:
            app = self.cached if which == "cached" else self.plain
            self.clients[which, username] = login(app.test_client(), username)
        return self.clients[which, username]

    def same(self, url: str, username: str = "admin", lang: str = "id") -> str:
        cached, plain = self.client("cached", username), self.client("plain", username)
        cached.set_cookie("lang", lang)
        plain.set_cookie("lang", lang)
        page(cached, url)
        shown = page(cached, url)
        assert shown == page(plain, url), f"{url} as {username} in {lang} differs when cached"
        return shown

    def entries(self) -> int:
        with self.cached.test_request_context():
            return len(report_cache())


@pytest.fixture
def pair(database_uri: str, tmp_path: Path) -> Iterator[Pair]:
    both = Pair(database_uri, tmp_path / "instance")
    yield both
    dispose(both.cached)
    dispose(both.plain)


def post(pair: Pair, url: str, data: Any, username: str = "kepala") -> str:
    response = pair.client("cached", username).post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    return str(response.headers["Location"])


def plan_item(shown: str, recommendation: str) -> str:
    return shown.split(f'id="plan-{recommendation}"')[1].split('class="plan-item')[0]


def test_the_cached_page_is_the_page_through_every_change(pair: Pair, seed_case: Any,
                                                          form_fields: Any) -> None:
    location = post(pair, "/assessments/new", form_fields(seed_case))
    url = location[location.index("/assessments/"):]
    assert pair.entries() == 0
    for lang in ("id", "en"):
        for username in ("admin", "kepala", "auditor"):
            pair.same(url, username, lang)
    first = pair.same(url)
    assert pair.entries() == 2  # one per language
    assert "Terverifikasi" in first and 'data-verified="true"' in first

    # a plan status: shown at once, with its history, to the head and the admin
    item = re.findall(r'class="plan-item[^"]*" id="plan-([a-z_0-9]+)"', first)[0]
    with pair.cached.app_context():
        evaluation_id = db.session.scalar(sa.select(sa.func.max(Evaluation.id)))
    post(pair, f"{url}/evaluations/{evaluation_id}/plan/{item}",
         {"status": "in_progress", "date": "2026-11-20", "note": "Apel pagi setiap Senin"})
    for username in ("kepala", "admin"):
        card = plan_item(pair.same(url, username), item)
        assert "status-badge-in_progress" in card and "Apel pagi setiap Senin" in card
        assert '<option value="in_progress" selected>' in card
    english = plan_item(pair.same(url, "kepala", "en"), item)
    assert "Status history (1)" in english
    # the header's switch: the next view is English, from the English entry
    switcher = login(pair.cached.test_client(), "auditor")
    assert 'lang="id"' in page(switcher, url)
    assert switcher.post("/lang", data={"lang": "en", "next": url}).status_code == 303
    switched = page(switcher, url)
    assert 'lang="en"' in switched and "Status history (1)" in switched
    assert switched == pair.same(url, "auditor", "en")

    # a role without edit rights: no status form, no edit button, from the same cache entry
    read_only = pair.same(url, "auditor")
    assert 'class="status-form' not in read_only and "/edit" not in read_only
    assert "status-badge-in_progress" in plan_item(read_only, item)
    assert pair.entries() == 2

    # a second evaluation: the latest page shows it, the first one stays reachable
    fields = form_fields(seed_case)
    for source in ("interview", "observation", "documentation"):
        fields[f"rating-ability-{source}"] = "good"
    post(pair, f"{url}/edit", fields)
    latest = pair.same(url)
    assert "ke-2 dari 2" in latest and latest != first
    old = pair.same(f"{url}/evaluations/{evaluation_id}")
    assert "ke-1 dari 2" in old
    pair.same(url, "kepala", "en")


def test_a_row_altered_behind_the_application_is_shown_as_stored_and_not_verified(
        pair: Pair, seed_case: Any, form_fields: Any) -> None:
    location = post(pair, "/assessments/new", form_fields(seed_case))
    url = location[location.index("/assessments/"):]
    before = pair.same(url)
    assert 'data-verified="true"' in before
    with pair.cached.app_context():
        evaluation = db.session.get(Evaluation, db.session.scalar(
            sa.select(sa.func.max(Evaluation.id))))
        forged = dict(evaluation.result)
        diagnosis = forged["id"]["diagnoses"][0]
        forged["id"] = {**forged["id"], "diagnoses": [
            {**diagnosis, "title": "Judul yang dipalsukan"}, *forged["id"]["diagnoses"][1:]]}
        original_title, evaluation_id = diagnosis["title"], evaluation.id
    raw(pair.cached, ("UPDATE evaluation SET result = :result WHERE id = :id",
                      {"result": json.dumps(forged), "id": evaluation_id}))
    after = pair.same(url)
    assert 'data-verified="false"' in after and "TIDAK terverifikasi" in after
    assert "<h3>Judul yang dipalsukan</h3>" in after and f"<h3>{original_title}</h3>" in before
    assert f"<h3>{original_title}</h3>" not in after
    # the hash shown is the altered row's, recomputed from what is stored now
    with pair.cached.app_context():
        shown_hash = db.session.get(Evaluation, evaluation_id).content_hash()
    assert shown_hash in after and shown_hash not in before
    english = pair.same(url, lang="en")  # the other language was not altered: still caught
    assert 'data-verified="false"' in english


def test_the_cache_is_bounded_least_recently_viewed_out_first(tmp_path: Path, seed_case: Any,
                                                             form_fields: Any) -> None:
    app = create_app({**TEST_CONFIG, "REPORT_CACHE_SIZE": 2}, instance_path=tmp_path / "i")
    make_users(app)
    client = login(app.test_client(), "admin")
    urls = []
    for _ in range(3):
        response = client.post("/assessments/new", data=form_fields(seed_case))
        urls.append(response.headers["Location"])
    for url in urls:
        client.get(url)
    with app.test_request_context():
        cache = report_cache()
        assert len(cache) == 2 and cache.size == 2
        kept = {key[0] for key in cache._pages}
    with app.app_context():
        ids = [db.session.scalar(sa.select(Evaluation.id).where(
            Evaluation.assessment_id == int(url.rsplit("/", 1)[1]))) for url in urls]
    assert kept == set(ids[1:])


def test_applications_do_not_share_their_caches(tmp_path: Path, seed_case: Any,
                                                form_fields: Any) -> None:
    """Two databases hold evaluations with the same id: each application has its own cache."""
    shown = []
    for name, subject in (("one", "Dinas Satu"), ("two", "Dinas Dua")):
        app = create_app(TEST_CONFIG, instance_path=tmp_path / name)
        make_users(app)
        client = login(app.test_client(), "admin")
        case = {**seed_case, "subject": {**seed_case["subject"], "name": subject}}
        url = client.post("/assessments/new", data=form_fields(case)).headers["Location"]
        shown.append((url, client.get(url).get_data(as_text=True)))
    assert shown[0][0] == shown[1][0]
    assert "Dinas Satu" in shown[0][1] and "Dinas Dua" in shown[1][1]
    assert "Dinas Satu" not in shown[1][1]


def test_the_cache_size_is_checked_at_start(tmp_path: Path) -> None:
    for wrong in ("many", -1, 10**9):
        with pytest.raises(StartupError, match="REPORT_CACHE_SIZE"):
            create_app({**TEST_CONFIG, "REPORT_CACHE_SIZE": wrong},
                       instance_path=tmp_path / "i")


def test_the_seal_still_checks_the_link_before_its_entry_on_every_view(
        pair: Pair, seed_case: Any, form_fields: Any) -> None:
    location = post(pair, "/assessments/new", form_fields(seed_case))
    url = location[location.index("/assessments/"):]
    assert 'data-verified="true"' in pair.same(url)
    with pair.cached.app_context():
        entry = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "create").order_by(AuditEvent.seq.desc()).limit(1))
        assert entry is not None and entry.seq > 1
        seq = entry.seq
    raw(pair.cached, f"DELETE FROM audit_event WHERE seq = {seq - 1}")
    assert 'data-verified="false"' in pair.same(url)
