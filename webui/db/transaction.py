"""Serialised write transactions: one writer at a time, across threads and processes.

The audit chain is linear only if no two appends read the same chain head. Every write
therefore runs in :func:`writing`, which holds the database's own write lock from its first
statement: ``BEGIN IMMEDIATE`` on SQLite (the driver's implicit, deferred BEGIN is replaced, as
SQLAlchemy's pysqlite documentation recommends), a transaction-scoped advisory lock on
PostgreSQL. Reads stay concurrent: a SQLite file is in WAL mode and a writer waits for the lock
(``busy_timeout``, both set in ``webui/db/__init__.py``) instead of failing at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from webui.db.base import db

# pg_advisory_xact_lock's key for "a Kinerja write"; any constant unlikely to collide
WRITE_LOCK_KEY = 0x4B494E45  # "KINE"

_installed: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_depth: ContextVar[int] = ContextVar("kinerja_write_depth", default=0)
_immediate: ContextVar[bool] = ContextVar("kinerja_begin_immediate", default=False)


def in_write() -> bool:
    return _depth.get() > 0


@contextmanager
def writing() -> Iterator[None]:
    """Run the block as one serialised transaction, committed at its end (rolled back on
    an error). Nested blocks join the outer one."""
    if in_write():
        token = _depth.set(_depth.get() + 1)
        try:
            yield
        finally:
            _depth.reset(token)
        return
    session = db.session
    session.commit()  # end a read transaction, so that the write begins holding the lock
    depth, immediate = _depth.set(1), _immediate.set(True)
    try:
        connection = session.connection()  # BEGIN (IMMEDIATE on SQLite) happens here
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": WRITE_LOCK_KEY})
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(immediate)
        _depth.reset(depth)


def install_sqlite_begin(engine: sa.Engine) -> None:
    """Let :func:`writing` begin SQLite transactions IMMEDIATE (idempotent per engine)."""
    if engine.dialect.name != "sqlite" or engine in _installed:
        return
    _installed.add(engine)

    @sa.event.listens_for(engine, "connect")
    def _no_driver_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")
