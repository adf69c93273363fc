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
    with app.test_request_context("/"):
        assert i18n.format_datetime(moment) == "1 Maret 2025, 09.05 WIB"
        assert i18n.format_date(moment) == "1 Maret 2025"
        assert i18n.format_number(2.7) == "2,7"
        assert i18n.format_number(3) == "3"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.format_datetime(moment.replace(tzinfo=None)) == "1 March 2025, 09:05 WIB"
        assert i18n.format_number(2.75) == "2.75"
        assert i18n.format_number(None) == "–"


def test_an_unknown_time_zone_falls_back_to_utc(app):
    app.config["DISPLAY_TIMEZONE"] = "Nowhere/Nothing"
    with app.test_request_context("/"):
        assert i18n.format_datetime(datetime(2025, 3, 1, 2, 5, tzinfo=UTC)).endswith("02.05 UTC")
