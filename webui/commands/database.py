"""``kinerja db upgrade`` and ``kinerja db current``."""

from __future__ import annotations

import argparse

from webui.commands import EXIT_OK, instance_app


def run(args: argparse.Namespace) -> int:
    from webui.db import schema

    # neither upgrade nor refuse at start: this command is the one that looks and upgrades
    app = instance_app(args, upgrade=schema.LEAVE)
    with app.app_context():
        if args.db_command == "upgrade":
            print(f"kinerja: {schema.upgrade()}")
        else:
            revision, _ = schema.state()
            print(f"{revision or 'none'} (this Kinerja: {schema.head_revision()})")
    return EXIT_OK
