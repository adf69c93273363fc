"""URL converters: an id in a URL is a database id or no route at all (404, never a 500)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**63 - 1  # the largest value of a 64-bit integer column


class IdConverter(IntegerConverter):
    """``<id:name>``: 1 … 2**63-1; ``/assessments/9223372036854775808`` matches no route."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Any) -> None:
    app.url_map.converters["id"] = IdConverter
