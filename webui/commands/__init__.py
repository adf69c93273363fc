"""The instance commands of ``kinerja``: ``users``, ``audit`` and ``db`` (their arguments are
declared in ``expert/cli.py``). Each works on an instance's database, found as ``kinerja
serve`` finds it: ``--instance DIR`` (default ``./instance``), its ``config.py`` and the
``KINERJA_*`` environment variables.

Exit status: 0 done; 1 ``audit verify``/``verify-pack`` found tampering; 2 bad input (an
unknown user, a short password, a database that cannot be opened).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flask import Flask

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
_opened: list[Flask] = []


def instance_app(args: argparse.Namespace, *, upgrade: bool | str = True) -> Flask:
    from webui import create_app

    folder = getattr(args, "instance", None) or Path.cwd() / "instance"
    settings: dict[str, object] = {"AUTO_UPGRADE": upgrade}
    if getattr(args, "knowledge", None):
        settings["KNOWLEDGE_DIR"] = str(args.knowledge)
    app = create_app(instance_path=Path(folder), settings=settings)
    _opened.append(app)
    return app


def _close() -> None:
    """Close the database connections the command opened (a command may run in a test)."""
    from webui.db import db

    while _opened:
        with _opened.pop().app_context():
            db.engine.dispose()


def run(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from webui.db.schema import SchemaError

    try:
        if args.command == "users":
            from webui.commands import users

            return users.run(args)
        if args.command == "audit":
            from webui.commands import audit

            return audit.run(args)
        from webui.commands import database

        return database.run(args)
    except SchemaError as error:
        print(f"kinerja: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except sa.exc.OperationalError as error:
        print(f"kinerja: cannot use the database: {error.orig}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        _close()
