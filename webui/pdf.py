"""The official report as PDF, rendered by WeasyPrint from the report's own templates.

WeasyPrint fetches nothing from the network: stylesheets and images come from the package's
``static/`` folder, and the letterhead's logo from the file the instance configures
(``LETTERHEAD_LOGO``); any other URL is refused.
"""

from __future__ import annotations

import mimetypes
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
MAX_CACHED = 32  # PDFs kept per process (about 100 KB each)

_lock = threading.Lock()
_cache: OrderedDict[Hashable, bytes] = OrderedDict()
BASE_URL = "http://kinerja.invalid/"
LOGO_URL = BASE_URL + "letterhead-logo"


def local_file(url: str, logo: str | None) -> Path:
    """The file a URL of the PDF's page stands for; ValueError for anything else."""
    if url == LOGO_URL and logo:
        return Path(logo)
    marker = BASE_URL + "static/"
    if not url.startswith(marker):
        raise ValueError(f"the PDF may only use the package's static files, not {url}")
    path = (STATIC / url[len(marker):].split("?", 1)[0]).resolve()
    if STATIC.resolve() not in path.parents:
        raise ValueError(f"outside the static folder: {url}")
    return path


def render_pdf(html: str, logo: str | None = None) -> bytes:
    """The PDF of an HTML page whose static URLs start with ``/static/``."""
    import weasyprint  # heavy (Pango, fonts): loaded on the first PDF only
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackageFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = local_file(url, logo)
            mime, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": mime or "application/octet-stream"})

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=PackageFetcher())
    data: bytes = document.write_pdf()
    return data


def cached_pdf(key: Hashable, render: Callable[[], bytes]) -> bytes:
    """The PDF for ``key``, rendered once: WeasyPrint takes seconds for a long report, and a
    head downloads the same report again (the key changes with anything printed in it)."""
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    data = render()
    with _lock:
        _cache[key] = data
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return data
