"""``kinerja users add|list|disable|enable|passwd|token|tokens|revoke-token``."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from webui.commands import EXIT_BAD_INPUT, EXIT_OK, instance_app


def _password(args: argparse.Namespace) -> str | None:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        print("kinerja: no terminal to ask for the password: use --password-stdin",
              file=sys.stderr)
        return None
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("kinerja: the passwords differ; nothing changed", file=sys.stderr)
        return None
    return first


def _utc(moment: datetime) -> str:
    """A stored time in UTC (SQLite gives it back without its zone)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def run(args: argparse.Namespace) -> int:
    from webui.db.audit import Actor
    from webui.db.users import (
        AccountError,
        add_user,
        all_users,
        issue_token,
        revoke_tokens,
        set_active,
        set_password,
        tokens_of,
    )

    # The command line is the operator of the machine: named as such in the audit log.
    by = Actor(username=None, role="system", remote_addr="cli")
    command = args.users_command
    password = None
    if command in ("add", "passwd"):
        password = _password(args)
        if password is None:
            return EXIT_BAD_INPUT
    app = instance_app(args)
    with app.app_context():
        try:
            if command == "add":
                assert password is not None
                user = add_user(args.username, args.role, password, args.office, by=by)
                offices = ", ".join(o.name for o in user.offices)
                print(f"added {user.username} ({user.role}{'; ' + offices if offices else ''})")
            elif command == "list":
                for user in all_users():
                    offices = ", ".join(o.name for o in user.offices) or "-"
                    state = "active" if user.active else "disabled"
                    print(f"{user.username}\t{user.role}\t{state}\t{offices}")
            elif command in ("disable", "enable"):
                set_active(args.username, command == "enable", by=by)
                print(f"{args.username} {command}d")
            elif command == "passwd":
                assert password is not None
                set_password(args.username, password, by=by)
                print(f"password of {args.username} changed")
            elif command == "tokens":
                for token in tokens_of(args.username):
                    revoked = f"revoked {_utc(token.revoked_at)}" if token.revoked_at \
                        else "in use"
                    print(f"{token.id}\tissued {_utc(token.created_at)}\t{revoked}")
            elif command == "revoke-token":
                ids = revoke_tokens(args.username, None if args.all else args.id, by=by)
                print(f"revoked {len(ids)} token{'s' if len(ids) != 1 else ''} of "
                      f"{args.username}" + (f": {', '.join(map(str, ids))}" if ids
                                            else " (none was in use)"))
            else:
                secret = issue_token(args.username, by=by)
                print(secret)
                print("This token is shown once; Kinerja keeps only its hash. Send it as "
                      "'Authorization: Bearer TOKEN'.", file=sys.stderr)
        except AccountError as error:
            print(f"kinerja: {error.place}: {error.message}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return EXIT_OK
