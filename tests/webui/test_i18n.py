"""webui/i18n.py: the interface's words in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from webui import i18n

WEBUI = Path(i18n.__file__).parent


def test_every_message_has_indonesian_and_english():
    for key, entry in i18n.messages().items():
        assert set(entry) == {"id", "en"}, key
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), key
        # the same placeholders in both languages
        assert set(re.findall(r"{(\w+)}", entry["id"])) == set(re.findall(r"{(\w+)}",
                                                                           entry["en"])), key


def test_every_key_used_in_code_and_templates_exists():
    used = set()
    for path in [*WEBUI.rglob("*.html"), *WEBUI.rglob("*.py")]:
        used |= set(re.findall(r"""\bt\(["']([a-z_.0-9]+)["']""", path.read_text()))
    static = {key for key in used if not key.endswith(".")}  # "error." ~ code is dynamic
    assert static - set(i18n.messages()) == set()


def test_every_key_built_from_data_exists(kb):
    from expert.kb.model import MONITOR_SCOPES
    from webui.errors import KNOWN_PAGES

    keys = {f"error.{code}.{part}" for code in (*KNOWN_PAGES, "csrf") for part in ("title",
                                                                                   "text")}
    keys |= {f"factor_kind.{f.kind}" for f in kb.factors.values()}
    keys |= {f"factor_scope.{f.scope}" for f in kb.factors.values()}
    keys |= {f"reference.kind.{r.kind}" for r in kb.references.values()}
    keys |= {f"lang.{code}" for code in ("id", "en")}
    keys |= {f"premise.{kind}" for kind in ("finding", "factor", "measure", "subject",
                                            "absence", "indicator", "dimension", "overall",
                                            "diagnosis", "recommendation")}
    keys |= {f"kb.vocab.{name}" for name in ("ratings", "sources", "agreements",
                                             "subject_kinds", "audiences", "priorities",
                                             "timeframes")}
    keys |= {f"kb.monitor.{scope}" for scope in MONITOR_SCOPES}
    assert keys - set(i18n.messages()) == set()


def test_missing_key_raises_while_testing(app):
    with app.test_request_context("/"), pytest.raises(KeyError):
        i18n.t("no.such.key")


def test_language_from_cookie(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.get_lang() == "en"
        assert i18n.t("nav.assessments") == "Assessments"
        assert i18n.t("nav.assessments", lang="id") == "Penilaian"
    with app.test_request_context("/"):
        assert i18n.get_lang() == "id"


def test_dates_and_numbers_in_each_language(app):
    moment = datetime(2025, 3, 1, 2, 5, tzinfo=UTC)
    with app.test_request_context("/"):  # the default zone is WITA (Kabupaten Balangan)
        assert i18n.format_datetime(moment) == "1 Maret 2025, 10.05 WITA"
        assert i18n.format_date(moment) == "1 Maret 2025"
        assert i18n.format_number(2.7) == "2,7"
        assert i18n.format_number(3) == "3"
        assert i18n.format_number(19.99) == "19,99"
        assert i18n.format_number(1234.5) == "1.234,5"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.format_datetime(moment.replace(tzinfo=None)) == "March 1, 2025, 10:05 WITA"
        assert i18n.format_number(2.75) == "2.75"
        assert i18n.format_number(1234.5) == "1,234.5"
        assert i18n.format_number(None) == "–"


@pytest.mark.parametrize("zone, shown", [
    ("Asia/Jakarta", "09.05 WIB"), ("Asia/Pontianak", "09.05 WIB"),
    ("Asia/Makassar", "10.05 WITA"), ("Asia/Jayapura", "11.05 WIT")])
def test_indonesian_time_zones_by_their_abbreviations(app, zone, shown):
    app.config["DISPLAY_TIMEZONE"] = zone
    moment = datetime(2025, 3, 1, 2, 5, tzinfo=UTC)
    for cookie in ("lang=id", "lang=en"):
        with app.test_request_context("/", headers={"Cookie": cookie}):
            assert i18n.format_datetime(moment).endswith(shown.replace(".", ".") if
                                                          cookie == "lang=id" else
                                                          shown.replace(".", ":"))


def test_an_unknown_time_zone_falls_back_to_utc(app):
    app.config["DISPLAY_TIMEZONE"] = "Nowhere/Nothing"
    with app.test_request_context("/"):
        assert i18n.format_datetime(datetime(2025, 3, 1, 2, 5, tzinfo=UTC)).endswith("02.05 UTC")
