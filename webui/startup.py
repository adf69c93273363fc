"""Faults at start, told in one line: ``kinerja: cannot start: <what> (<how to fix>)``.

``kinerja serve`` checks what would otherwise be found by the first user — the port, the host,
the settings, the instance folder, the database (SQLite's ``PRAGMA quick_check``, its schema,
that it can be written) — and turns every exception met on the way into a :class:`StartupError`.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask

from expert import KinerjaError
from expert.errors import KnowledgeBaseError

SERVER_SETTINGS = {  # setting: (smallest, largest)
    "SERVER_THREADS": (1, 256),
    "SERVER_CONNECTION_LIMIT": (1, 100_000),
    "SERVER_CHANNEL_TIMEOUT": (1, 86_400),
}
REPORT_CACHE_MAX = 100_000
TRUST_PROXY_MAX = 10


class StartupError(Exception):
    """Kinerja cannot start: what is wrong, and how to fix it."""

    def __init__(self, what: str, fix: str):
        self.what = what
        self.fix = fix
        super().__init__(f"{what} ({fix})")


def check_port(port: Any) -> int:
    try:
        number = int(str(port).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise StartupError(f"port {str(port)[:40]!r} is not a TCP port",
                           "give --port a number from 1 to 65535")
    return number


def check_host(host: str, port: int) -> None:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise StartupError(f"the host {host[:80]!r} cannot be resolved: {reason}",
                           "give --host an address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
                           ) from None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


FLAG_WORDS = {"true": True, "yes": True, "on": True, "1": True,
              "false": False, "no": False, "off": False, "0": False}


def flag(config: Mapping[str, Any], name: str, default: bool = True) -> bool:
    """A yes/no setting: a bool (``KINERJA_X=true`` arrives as one), or true/false, yes/no,
    on/off, 1/0 in any case; anything else is a fault naming the setting."""
    value = config.get(name, default)
    if isinstance(value, bool):
        return value
    found = FLAG_WORDS.get(str(value).strip().lower())
    if found is None:
        raise StartupError(f"{name} is {str(value)[:40]!r}, not true or false",
                           f"set KINERJA_{name} to true or false")
    return found


def check_config(config: Mapping[str, Any]) -> dict[str, int]:
    """The settings that would fail later, checked now; the server settings as integers."""
    limit = config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (_whole(limit) is None or not 1024 <= (_whole(limit) or 0)):
        raise StartupError(f"MAX_CONTENT_LENGTH is {str(limit)[:40]!r}, not a size in bytes",
                           "set KINERJA_MAX_CONTENT_LENGTH to a whole number of bytes, at least "
                           "1024, e.g. 1048576")
    found = {}
    for name, (low, high) in SERVER_SETTINGS.items():
        value = _whole(config.get(name))
        if value is None or not low <= value <= high:
            raise StartupError(f"{name} is {str(config.get(name))[:40]!r}",
                               f"set KINERJA_{name} to a whole number from {low} to {high}")
        found[name] = value
    flag(config, "FIRST_ADMIN")
    trust_proxy_hops(config)
    cache = _whole(config.get("REPORT_CACHE_SIZE", 0))
    if cache is None or not 0 <= cache <= REPORT_CACHE_MAX:
        raise StartupError(f"REPORT_CACHE_SIZE is {str(config.get('REPORT_CACHE_SIZE'))[:40]!r}",
                           "set KINERJA_REPORT_CACHE_SIZE to a whole number from 0 (off) to "
                           f"{REPORT_CACHE_MAX}")
    return found


def trust_proxy_hops(config: Mapping[str, Any]) -> int:
    """How many reverse proxies' X-Forwarded-* headers the application believes: TRUST_PROXY
    if set, else one when TRUSTED_PROXY names the proxy (the usual single nginx), else none."""
    value = config.get("TRUST_PROXY")
    if value is None or value == "":
        return 1 if config.get("TRUSTED_PROXY") else 0
    hops = _whole(value)
    if hops is None or not 0 <= hops <= TRUST_PROXY_MAX:
        raise StartupError(f"TRUST_PROXY is {str(value)[:40]!r}",
                           f"set KINERJA_TRUST_PROXY to a whole number of proxies from 0 to "
                           f"{TRUST_PROXY_MAX}, or leave it unset")
    return hops


def check_database(app: Flask) -> None:
    """The database opens, is intact (SQLite: quick_check), has Kinerja's schema, and can be
    written — or Kinerja does not start."""
    from webui.db import Setting, db

    with app.app_context():
        engine = db.engine
        where = engine.url.render_as_string(hide_password=True)
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                rows = connection.exec_driver_sql("PRAGMA quick_check").fetchall()
                if [row[0] for row in rows] != ["ok"]:
                    raise StartupError(
                        f"the database {where} is damaged ({str(rows[0][0])[:120]})",
                        "restore it from a backup, or move it away to start with an empty one")
            inspector = sa.inspect(connection)
            for table in db.metadata.tables.values():
                columns = {column["name"] for column in inspector.get_columns(table.name)}
                missing = sorted(set(table.columns.keys()) - columns)
                if missing:
                    raise StartupError(
                        f"the database {where} is not a Kinerja database (table {table.name} "
                        f"lacks {', '.join(missing)})",
                        "point KINERJA_SQLALCHEMY_DATABASE_URI at Kinerja's database, or move "
                        "the file away to start with an empty one")
            connection.rollback()  # end the reads' transaction
            try:  # a write that changes nothing, rolled back: is the database writable?
                connection.execute(sa.update(Setting).where(Setting.key == "")
                                   .values(value=""))
            finally:
                connection.rollback()


def describe(error: BaseException, instance: str = "instance") -> StartupError:
    """Any exception met while starting, as one line with a way to fix it."""
    if isinstance(error, StartupError):
        return error
    from webui.db.schema import SchemaError

    if isinstance(error, SchemaError):  # its message says what to run
        what, _, fix = str(error).partition(": point ")
        if not fix:
            what, _, fix = str(error).partition(": run ")
            fix = f"run {fix}" if fix else "see README, 'The database and its schema'"
        else:
            fix = f"point {fix}"
        return StartupError(what, fix)
    if isinstance(error, KnowledgeBaseError):
        first = error.problems[0].render("en") if error.problems else str(error)
        return StartupError(f"the knowledge base has {error.total} problem(s); the first: "
                            f"{first[:200]}", "run `kinerja kb check` and correct the files")
    if isinstance(error, KinerjaError):
        return StartupError(str(error).splitlines()[0][:200], "correct the knowledge base")
    if isinstance(error, SyntaxError):
        return StartupError(f"{error.filename}: syntax error at line {error.lineno}: "
                            f"{error.msg}", "correct or remove the file")
    if isinstance(error, FileExistsError | NotADirectoryError):
        return StartupError(f"{error.filename or instance} is a file, not a folder",
                            "give --instance a folder; it is created if missing")
    if isinstance(error, PermissionError):
        return StartupError(f"cannot write {error.filename or instance}: {error.strerror}",
                            "make the folder writable by this user, or choose another with "
                            "--instance")
    if isinstance(error, OSError):
        return StartupError(f"{error.filename or instance}: {error.strerror or error}",
                            "check the instance folder (--instance)")
    if isinstance(error, sa.exc.ArgumentError | sa.exc.NoSuchModuleError):
        return StartupError(f"the database URL is not valid: {str(error).splitlines()[0][:200]}",
                            "set KINERJA_SQLALCHEMY_DATABASE_URI to e.g. sqlite:///kinerja.sqlite"
                            " or postgresql://user@host/kinerja")
    if isinstance(error, sa.exc.DBAPIError):
        reason = str(error.orig).splitlines()[0][:200] if error.orig else str(error)[:200]
        lowered = reason.lower()
        if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
            fix = "make the database file and its folder writable by this user"
        elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            fix = "restore it from a backup, or move it away to start with an empty one"
        elif "unable to open" in lowered:
            fix = "the database path must name a file in a writable folder"
        else:
            fix = "check KINERJA_SQLALCHEMY_DATABASE_URI and that the database server runs"
        return StartupError(f"the database cannot be used: {reason}", fix)
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return StartupError(f"{type(error).__name__}: {text}",
                        "check the instance folder's config.py and the KINERJA_ settings")
