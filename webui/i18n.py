"""The interface's own words in Indonesian and English, and the language of a request.

Labels and help texts of the knowledge base come from the knowledge base (``tr``); this module
holds only the interface's words (``translations/messages.yaml``, each key with ``id`` and
``en``). Indonesian is the default; the choice is remembered in a cookie.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel import dates as babel_dates
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_request_context, request

from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text
from expert.i18n import tr as tr_text

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
MESSAGES_FILE = Path(__file__).parent / "translations" / "messages.yaml"
AREA_FILES = ("training.yaml",)


@cache
def messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.safe_load(handle)
    # the interface words of an area kept in a file of its own, so areas do not all edit one
    # file (translations/ holds other data too, e.g. a glossary)
    for name in AREA_FILES:
        with (MESSAGES_FILE.parent / name).open(encoding="utf-8") as handle:
            data.update(yaml.safe_load(handle) or {})
    return data


def get_lang() -> str:
    """The request's language: the remembered choice, else Indonesian."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = g.get("lang")
    if lang is None:
        chosen = request.cookies.get(LANG_COOKIE, "")
        lang = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
        g.lang = lang
    return str(lang)


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The interface text ``key`` in the request's language, with ``{name}`` filled in."""
    entry = messages().get(key)
    if entry is None:
        if current_app and (current_app.testing or current_app.debug):
            raise KeyError(f"no interface text {key!r} in {MESSAGES_FILE.name}")
        return key
    text = entry.get(lang or get_lang()) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def tr(text: Text | None) -> str:
    """A knowledge-base text in the request's language."""
    return tr_text(text, get_lang())


def _locale(lang: str | None = None) -> str:
    return lang or get_lang()


def format_number(value: float | int | None, digits: int = 2) -> str:
    """A number in the user's language through Babel: '2,5' and '1.234' in Indonesian,
    '2.5' and '1,234' in English; at most ``digits`` decimals."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale())


def display_zone() -> Any:
    """The instance's time zone (KINERJA_DISPLAY_TIMEZONE); UTC if the name is unknown."""
    try:
        return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, KeyError, TypeError):
        return UTC


def local_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite gives back naive datetimes; they are stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(display_zone())


def today_local() -> date:
    """Today's date in the instance's time zone (the plan's "this month" and due dates)."""
    return local_time(datetime.now(UTC)).date()


def zone_abbreviation(moment: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones (their official abbreviations in both languages),
    else what Babel calls the zone."""
    return babel_dates.format_datetime(moment, "z", tzinfo=moment.tzinfo, locale="id")


def format_datetime(moment: datetime, with_time: bool = True) -> str:
    """'28 November 2025, 14.45 WITA' in Indonesian, 'November 28, 2025, 14:45 WITA' in
    English (Babel's long date; the time zone is the instance's)."""
    local = local_time(moment)
    text = babel_dates.format_date(local.date(), "long", locale=_locale())
    if with_time:
        pattern = "HH.mm" if get_lang() == "id" else "HH:mm"
        text += ", " + babel_dates.format_time(local, pattern, locale=_locale())
        text += " " + zone_abbreviation(local)
    return text


def format_date(moment: datetime) -> str:
    return format_datetime(moment, with_time=False)


def format_day(day: date) -> str:
    """A calendar date (a due date, a status date) in the user's language."""
    return babel_dates.format_date(day, "long", locale=_locale())


def format_month_year(day: date) -> str:
    return babel_dates.format_date(day, "MMMM y", locale=_locale())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, languages=LANGUAGES)
    app.jinja_env.filters.update(tr=tr, number=format_number, datetime=format_datetime,
                                 date=format_date, day=format_day,
                                 month_year=format_month_year)

    @app.context_processor
    def language() -> dict[str, Any]:
        return {"lang": get_lang()}
