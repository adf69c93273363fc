"""The interface's own words in Indonesian and English, and the language of a request.

Labels and help texts of the knowledge base come from the knowledge base (``tr``); this module
holds only the interface's words (``translations/messages.yaml``, each key with ``id`` and
``en``). Indonesian is the default; the choice is remembered in a cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from flask import Flask, current_app, g, has_request_context, request

from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text
from expert.i18n import tr as tr_text

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
MESSAGES_FILE = Path(__file__).parent / "translations" / "messages.yaml"

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


@cache
def messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.safe_load(handle)
    # one more file per area (training.yaml, …), so areas do not edit one shared file
    for extra in sorted(MESSAGES_FILE.parent.glob("*.yaml")):
        if extra != MESSAGES_FILE:
            with extra.open(encoding="utf-8") as handle:
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


def format_number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    shown = f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) \
        else str(value)
    return shown.replace(".", ",") if get_lang() == "id" else shown


def local_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite gives back naive datetimes; they are stored in UTC
        moment = moment.replace(tzinfo=UTC)
    try:
        zone: Any = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, KeyError):
        zone = UTC
    return moment.astimezone(zone)


def format_datetime(moment: datetime, with_time: bool = True) -> str:
    """'28 November 2025, 14.45 WIB' in Indonesian, '28 November 2025, 14:45 WIB' in English."""
    lang = get_lang()
    local = local_time(moment)
    text = f"{local.day} {MONTHS[lang][local.month - 1]} {local.year}"
    if with_time:
        separator = "." if lang == "id" else ":"
        text += f", {local.hour:02d}{separator}{local.minute:02d} {local.tzname() or ''}"
    return text.rstrip()


def format_date(moment: datetime) -> str:
    return format_datetime(moment, with_time=False)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, languages=LANGUAGES)
    app.jinja_env.filters.update(tr=tr, number=format_number, datetime=format_datetime,
                                 date=format_date)

    @app.context_processor
    def language() -> dict[str, Any]:
        return {"lang": get_lang()}
