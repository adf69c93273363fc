"""Configuration: the defaults, and the secret key kept in the instance folder.

Precedence, lowest first: :class:`Defaults`; the instance folder's ``config.py``; environment
variables prefixed ``KINERJA_`` (``KINERJA_SQLALCHEMY_DATABASE_URI=postgresql://…``); then the
settings the caller passes (``kinerja serve --knowledge``, or a test's config).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


class Defaults:
    # The knowledge base folder; None is the one shipped with Kinerja.
    KNOWLEDGE_DIR: str | None = None
    # A relative SQLite path lives in the instance folder (Flask-SQLAlchemy 3).
    SQLALCHEMY_DATABASE_URI = "sqlite:///kinerja.sqlite"
    # Requests (form posts, uploads, API calls) larger than this are answered 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # A department head may spend longer than Flask-WTF's default hour on one form; the token
    # stays valid for the browser session instead.
    WTF_CSRF_TIME_LIMIT: int | None = None
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    # Dates are shown in this time zone (stored in UTC): the IANA name of the instance's zone,
    # Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT). The default is WITA,
    # the zone of Kabupaten Balangan, whose study the knowledge base is built from.
    DISPLAY_TIMEZONE = "Asia/Makassar"
    # The official PDF's letterhead and signature block (empty: blank lines to fill by hand).
    # LETTERHEAD_LOGO is the path of a PNG, JPEG or SVG file on the server.
    LETTERHEAD_GOVERNMENT = ""
    LETTERHEAD_OFFICE = ""
    LETTERHEAD_ADDRESS = ""
    LETTERHEAD_LOGO = ""
    SIGNATORY_NAME = ""
    SIGNATORY_NIP = ""
    SIGNATORY_TITLE = ""
    # Security headers; HSTS only when served over HTTPS behind a proxy that says so.
    SEND_HSTS = False
    # Flask-Compress: gzip's fastest level still takes the report page from about 220 KB to
    # 25 KB, at a third of the CPU of its default level (brotli and zstd keep theirs).
    COMPRESS_LEVEL = 1
    # The report page keeps, per server process, what depends only on a stored evaluation (its
    # typed result, content hash and the HTML of its sections and explanations) for this many
    # evaluations × languages (about 2 MB each), least recently viewed out first; 0 turns the
    # cache off.
    REPORT_CACHE_SIZE = 64
    # `kinerja serve`: waitress's worker threads, open connections at most (waitress; each
    # gunicorn worker), and seconds after which waitress closes an idle connection.
    SERVER_THREADS = 8
    SERVER_CONNECTION_LIMIT = 1000
    SERVER_CHANNEL_TIMEOUT = 30
    # Behind a reverse proxy: its address, whose X-Forwarded-* headers are then believed (so
    # links and secure cookies follow the proxy's https); None believes no one.
    TRUSTED_PROXY: str | None = None
    TRUSTED_PROXY_HEADERS = "x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port"
    # Served over HTTPS: set True so the session and remember cookies are sent only over it.
    SESSION_COOKIE_SECURE = False
    # The number of reverse proxies in front of Kinerja whose X-Forwarded-* headers are
    # trusted (werkzeug's ProxyFix); 0 trusts none; None (unset): one if TRUSTED_PROXY is set.
    TRUST_PROXY: int | None = None
    # Bring the database to the current schema at start; False refuses to start on an older
    # schema and asks for `kinerja db upgrade` instead.
    AUTO_UPGRADE = True
    # On a start with no user at all, `kinerja serve` creates the admin "admin" with a
    # one-time password shown once in the console; False for operators who provision users
    # themselves (`kinerja users add`).
    FIRST_ADMIN = True
    # Login attempts per remote address (Flask-Limiter notation) and where counts are kept
    # (memory:// is per process; redis://… shares them between server processes).
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True


def secret_key(instance_path: str | Path) -> str:
    """The instance's secret key, generated and stored (mode 0600) on first start."""
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
