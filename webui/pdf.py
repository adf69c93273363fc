"""The official report as PDF, rendered by WeasyPrint from the report's own templates.

WeasyPrint fetches nothing from the network: stylesheets and images come from the package's
``static/`` folder, and the letterhead's logo from the file the instance configures
(``LETTERHEAD_LOGO``); any other URL is refused.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
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
