"""webui/blueprints/knowledge.py: the knowledge base pages."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

PAGES = ["/knowledge/", "/knowledge/factors", "/knowledge/measures", "/knowledge/diagnoses",
         "/knowledge/recommendations", "/knowledge/references", "/knowledge/rules"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_in_both_languages(client, url):
    assert client.get(url).status_code == 200
    client.set_cookie("lang", "en")
    assert client.get(url).status_code == 200


def test_model_page_lists_dimensions_and_indicators(client, kb):
    page = client.get("/knowledge/").get_data(as_text=True)
    for item in (*kb.dimensions.values(), *kb.indicators.values()):
        assert item.label["id"] in page


def test_factors_are_grouped_and_described(client, kb):
    page = client.get("/knowledge/factors").get_data(as_text=True)
    assert page.index("Faktor penghambat") < page.index("Faktor pendukung")
    for factor in kb.factors.values():
        assert factor.description["id"] in page


def test_every_listing_covers_the_knowledge_base(client, kb):
    for url, table in (("/knowledge/measures", kb.measures), ("/knowledge/diagnoses",
                       kb.diagnoses), ("/knowledge/recommendations", kb.recommendations),
                       ("/knowledge/references", kb.references)):
        page = client.get(url).get_data(as_text=True)
        for item_id in table:  # each item's section; its code shown as a code, not a name
            assert re.search(rf'id="[a-z]+-{re.escape(item_id)}"', page), (url, item_id)
    references = client.get("/knowledge/references").get_data(as_text=True)
    visible = re.sub(r"<[^>]+>", " ", references.split('id="main"')[1])
    assert "robbins_2015" not in visible


def test_reference_lists_show_citations_not_ids(client, kb):
    page = client.get("/knowledge/").get_data(as_text=True)
    main = page.split('id="main"')[1]
    links = re.findall(r'href="/knowledge/references#ref-[^"]+"[^>]*>([^<]+)</a>', main)
    assert links and all(link.strip() not in kb.references for link in links)


def test_glossary_explains_the_words_a_head_meets(client):
    page = client.get("/knowledge/glossary").get_data(as_text=True)
    for word in ("Triangulasi", "JP (jam pelajaran)", "Tolok ukur", "Predikat", "Sumber bukti",
                 "WITA"):
        assert word in page
    client.set_cookie("lang", "en")
    assert "Triangulation" in client.get("/knowledge/glossary").get_data(as_text=True)


def test_every_rule_is_rendered_in_plain_language(client, kb):
    page = client.get("/knowledge/rules").get_data(as_text=True)
    for rule in kb.rules.values():
        assert f'id="rule-{rule.id}"' in page
    assert "JIKA" in page and "MAKA" in page
    client.set_cookie("lang", "en")
    english = client.get("/knowledge/rules").get_data(as_text=True)
    assert "IF" in english and "THEN" in english


def test_every_rule_has_a_page(client, kb):
    for rule_id in kb.rules:
        assert client.get(f"/knowledge/rules/{rule_id}").status_code == 200


def test_a_rule_page_shows_both_languages_what_feeds_it_and_what_it_leads_to(client, kb):
    page = client.get("/knowledge/rules/competency.hold_development_events").get_data(
        as_text=True)
    rule = kb.rules["competency.hold_development_events"]
    assert escape(rule.title["id"]) in page and escape(rule.title["en"]) in page
    assert escape(rule.justification["en"]) in page  # the other language
    assert "Yang memasok aturan ini" in page
    feeders = kb.rules_concluding("diagnosis", "competency_development_need")
    for feeder in feeders:
        assert f'href="/knowledge/rules/{feeder.id}"' in page
    assert "Ke mana aturan ini mengarah" in page
    assert "Mengadakan" in page or "mengadakan" in page


def test_a_generic_rule_shows_its_policy(client):
    page = client.get("/knowledge/rules/verdict.overall").get_data(as_text=True)
    assert "2,75" in page and "1,75" in page
    assert 'href="/knowledge/rules/evidence.triangulation"' in page
    assert "verdict.uniformly_good" in page or "verdict." in page


def test_an_unknown_rule_is_404(client):
    response = client.get("/knowledge/rules/no.such.rule")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
