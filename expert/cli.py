"""The ``kinerja`` command.

Exit status: 0 success; 1 ``kb check`` or ``kb coverage`` found something; 2 bad input (a
malformed case, an unknown target, a broken knowledge base, wrong arguments). Bad input is
reported as a list of problems on stderr and nothing goes to stdout: never a partial result,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

# Control characters other than newline and tab, from any data: shown escaped, never sent raw
# to a terminal (an ESC from a case or a file name could recolour or rewrite the screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, json_text: bool = False) -> str:
    """``text`` with control characters escaped (as JSON escapes in JSON, which stays valid)."""
    form = "\\u{:04x}" if json_text else "\\x{:02x}"
    return _CONTROL.sub(lambda m: form.format(ord(m.group())), text)


def _out(text: str, json_text: bool = False) -> None:
    sys.stdout.write(printable(text, json_text))


def _err(text: str) -> None:
    sys.stderr.write(printable(text) + "\n")


def _terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size()`` gives it (COLUMNS, else the
    terminal of stdout, else 80)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, as wide as argparse makes it, without importing shutil: argparse
    makes a formatter for every add_argument (to check its metavar), each asks shutil for the
    terminal's width, and shutil imports the compression modules — a few percent of a run."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         width if width is not None else _terminal_columns() - 2)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; say so explicitly
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class _Partial(_Parser):
    """A parser built for one command only (see :func:`build_parser`): any error is reported
    by the whole parser instead, so messages and usage lines stay the same."""

    def error(self, message: str) -> NoReturn:
        raise _Reparse


class _Reparse(Exception):
    pass


class _Ignored:
    """Stands in for the parser of a command that is not being run: every call does nothing."""

    def __getattr__(self, name: str) -> Any:
        return self._ignore

    def _ignore(self, *_args: Any, **_kwargs: Any) -> _Ignored:
        return self


class _OnlyCommand:
    """The subcommands action, building only ``only``'s parser (each costs a fraction of a
    millisecond, and ``evaluate`` is run far more often than ``--help``)."""

    def __init__(self, commands: Any, only: str):
        self.commands, self.only = commands, only

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if name != self.only:
            return _Ignored()
        return self.commands.add_parser(name, **kwargs)


COMMANDS = ("evaluate", "explain", "batch", "kb", "template", "needs", "what-if", "serve",
            "users", "audit", "db")


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, if its only options before it are the plain global ones."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--knowledge":
            index += 2
        elif token.startswith("--knowledge=") or token == "--no-cache":
            index += 1
        else:
            return token if token in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only``, one whose errors raise :class:`_Reparse` and which
    knows that command's arguments alone (its top level parses the same)."""
    parser_class = _Partial if only else _Parser
    parser = parser_class(prog="kinerja", description="Kinerja: explainable advice on "
                          "civil-servant performance (Kinerja: saran kinerja PNS yang dapat "
                          "dijelaskan).")
    parser.add_argument("--knowledge", metavar="DIR", type=Path,
                        help="knowledge base folder (default: the one shipped with Kinerja)")
    parser.add_argument("--no-cache", action="store_true",
                        help="read the knowledge base from its files, not from the cache "
                        "(KINERJA_CACHE_DIR; `kb check` never uses it)")
    commands: Any = parser.add_subparsers(dest="command", required=True, prog=parser.prog,
                                          parser_class=parser_class)
    if only:
        commands = _OnlyCommand(commands, only)

    evaluate = commands.add_parser("evaluate", help="evaluate a case file")
    evaluate.add_argument("case", type=Path, help="case file (YAML or JSON); - for stdin")
    evaluate.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    evaluate.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)

    explain = commands.add_parser("explain", help="HOW a conclusion was reached, or WHY-NOT")
    explain.add_argument("case", type=Path)
    explain.add_argument("target", help="a recommendation, diagnosis, indicator or dimension "
                         "id, or 'overall'")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)

    batch = commands.add_parser("batch", help="evaluate many cases: case files, folders, "
                                "spreadsheets (XLSX, CSV), multi-document YAML, ZIP")
    batch.add_argument("cases", nargs="+", type=Path, metavar="INPUT",
                       help="case files, folders of them, .xlsx/.csv tables (one row per "
                       "subject), multi-document YAML, ZIP of case files")
    batch.add_argument("--output", "-o", metavar="FILE", type=Path,
                       help="write the results here: .csv or .xlsx gives one row per case, "
                       "any other name JSON lines (default: JSON lines on standard output)")
    batch.add_argument("--strict", action="store_true",
                       help="write nothing if any case is refused")
    batch.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes (default 1)")
    batch.add_argument("--detail", choices=("summary", "full"), default="summary",
                       help="a summary per case (default) or the whole output document")
    batch.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)

    kb = commands.add_parser("kb", help="knowledge-base tools")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True, prog=f"{kb.prog}",
                                    parser_class=parser_class)
    check = kb_commands.add_parser("check", help="verify the knowledge base")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    show = kb_commands.add_parser("show", help="a rule in plain language, with what feeds it "
                                  "and what it leads to")
    show.add_argument("rule", help="a rule id (kinerja kb show --list lists them)", nargs="?")
    show.add_argument("--list", action="store_true", help="list every rule id and title")
    show.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    kb_commands.add_parser("schema", help="print the JSON Schema of the knowledge files "
                           "(for an editor's completion and checking)")
    cover = kb_commands.add_parser("coverage", help="list rules no known case fires")
    cover.add_argument("--cases", metavar="DIR", type=Path, action="append",
                       help="folder of cases (repeatable; default: the knowledge base's "
                       "cases/ and ./tests/rule_cases)")
    cover.add_argument("--format", choices=("text", "json"), default="text")
    cover.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)

    if only in (None, "template", "needs"):
        from expert.cli_bulk import add_commands

        add_commands(commands)  # template, needs
    if only in (None, "what-if"):
        from expert import cli_whatif

        cli_whatif.add_parser(commands)

    serve = commands.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", default="8000", help="TCP port, 1-65535 (default 8000)")
    serve.add_argument("--threads", type=int, metavar="N",
                       help="worker threads (default: KINERJA_SERVER_THREADS, 8)")
    serve.add_argument("--connection-limit", type=int, metavar="N",
                       help="open connections at most (default: "
                       "KINERJA_SERVER_CONNECTION_LIMIT, 1000)")
    serve.add_argument("--channel-timeout", type=int, metavar="SECONDS",
                       help="close a connection idle this long (default: "
                       "KINERJA_SERVER_CHANNEL_TIMEOUT, 30)")
    serve.add_argument("--instance", metavar="DIR", type=Path,
                       help="instance folder (database, secret key); default: ./instance")
    serve.add_argument("--workers", metavar="N",
                       help="worker processes (default: KINERJA_SERVER_WORKERS, else one per "
                       "core; gunicorn on Linux, a single waitress process elsewhere)")
    if only in (None, "users", "audit", "db"):
        _add_instance_commands(commands, parser_class)
    return parser


def _add_instance_commands(commands: Any, parser_class: type[_Parser] = _Parser) -> None:
    """``users``, ``audit`` and ``db``: they work on an instance's database; their code is in
    ``webui/commands/`` (imported only when one of them runs, so the engine's commands stay
    free of Flask)."""
    instance = _Parser(add_help=False)
    instance.add_argument("--instance", metavar="DIR", type=Path,
                          help="instance folder (database, configuration); default: ./instance")

    users = commands.add_parser("users", help="user accounts (admin, head, trainer, auditor)")
    group = users.add_subparsers(prog=f"{users.prog}", dest="users_command", required=True,
                                  parser_class=parser_class)
    add = group.add_parser("add", parents=[instance], help="add a user")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("admin", "head", "trainer", "auditor"))
    add.add_argument("--office", action="append", default=[], metavar="NAME",
                     help="an office the user works for (repeatable; a head needs one)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin (no prompt)")
    group.add_parser("list", parents=[instance], help="list the users")
    for name, text in (("disable", "disable a user (users are never deleted)"),
                       ("enable", "enable a disabled user"),
                       ("passwd", "set a user's password"),
                       ("token", "print a new API token for a user, once")):
        command = group.add_parser(name, parents=[instance], help=text)
        command.add_argument("username")
        if name == "passwd":
            command.add_argument("--password-stdin", action="store_true")
    tokens = group.add_parser("tokens", parents=[instance],
                              help="list a user's API tokens: id, issued, revoked")
    tokens.add_argument("username")
    revoke = group.add_parser("revoke-token", parents=[instance],
                              help="revoke one API token of a user (--id) or all of them (--all)")
    revoke.add_argument("username")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, metavar="N", help="the token's id (kinerja users tokens)")
    which.add_argument("--all", action="store_true", help="every token still in use")

    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    group = audit.add_subparsers(prog=f"{audit.prog}", dest="audit_command", required=True,
                                  parser_class=parser_class)
    group.add_parser("verify", parents=[instance],
                     help="recompute the hash chain and every evaluation; exit 1 if broken")
    pack = group.add_parser("verify-pack", help="check an assessment's audit pack offline")
    pack.add_argument("pack", type=Path, metavar="FILE.zip")

    database = commands.add_parser("db", help="the database schema (Alembic migrations)")
    group = database.add_subparsers(prog=f"{database.prog}", dest="db_command", required=True,
                                  parser_class=parser_class)
    group.add_parser("upgrade", parents=[instance], help="bring the database to this "
                     "version's schema (kinerja serve does it at start)")
    group.add_parser("current", parents=[instance], help="show the database's revision")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    only = _command_in(arguments)
    try:
        args = build_parser(only).parse_args(arguments)
    except _Reparse:  # a mistake: the whole parser reports it
        args = build_parser().parse_args(arguments)
    code = _run(args)
    if argv is None and args.command in ("evaluate", "explain"):
        _exit_now(code)
    return code


def _exit_now(code: int) -> NoReturn:
    """End the ``kinerja`` process of a single consultation once its output is flushed:
    tearing the interpreter down (every module, the knowledge base, the network) would cost a
    sixth of the run and has nothing left to write. Only when run as the program (``main()``
    without arguments), never when called from Python."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left (`kinerja … | head`), as in _run
        code = EXIT_FINDINGS
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    from expert.errors import KinerjaError

    try:
        if args.command == "evaluate":
            return _one_consultation(_evaluate, args)
        if args.command == "explain":
            return _one_consultation(_explain, args)
        if args.command == "what-if":
            return _what_if(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "batch":
            return _batch(args)
        if args.command in ("template", "needs"):
            from expert.cli_bulk import run as run_bulk

            return run_bulk(args, args.knowledge)
        if args.command in ("users", "audit", "db"):
            from webui.commands import run

            return int(run(args))
        if args.kb_command == "check":
            return _check(args)
        if args.kb_command == "show":
            return _show(args)
        if args.kb_command == "schema":
            return _schema(args)
        return _coverage(args)
    except KinerjaError as error:
        _report(error, getattr(args, "lang", "en"))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kinerja … | head`: the reader left; no traceback at exit either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS


def _one_consultation(command: Any, args: argparse.Namespace) -> int:
    """Run a single-case command with the cyclic garbage collector paused: its passes would
    only re-scan the knowledge base and network just restored (a tenth of the process's time),
    and the process ends right after. The collector's state is restored (tests call main())."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return int(command(args))
    finally:
        if was_enabled:
            gc.enable()


def _report(error: Exception, lang: str) -> None:
    from expert.errors import CaseError, UnknownTargetError

    if isinstance(error, UnknownTargetError):
        if lang == "id":
            _err(f"kinerja: sasaran '{error.target}' tidak dikenal. Yang dapat dipakai: "
                 f"{', '.join(error.allowed)}")
        else:
            _err(f"kinerja: unknown target '{error.target}'. Allowed: {', '.join(error.allowed)}")
    elif isinstance(error, CaseError):  # the case's author reads these: in their language
        _err(f"kinerja: {error.render(lang)}")
    else:
        _err(f"kinerja: {error}")


def _load(args: argparse.Namespace, cached: bool = False) -> Any:
    """The knowledge base; ``cached``: restored with its network from the persistent cache
    when that matches the files (a command that consults: evaluate, explain)."""
    if cached and not args.no_cache:
        from expert.cache import load_knowledge_base_cached

        return load_knowledge_base_cached(args.knowledge)
    from expert import load_knowledge_base

    return load_knowledge_base(args.knowledge)


def _read_case(kb: Any, path: Path) -> Any:
    from expert import read_case_file, read_case_stream

    if str(path) == "-":  # bounded like a file: at most 1 MiB is read
        return read_case_stream(kb, sys.stdin.buffer, name="stdin")
    return read_case_file(kb, path)


def _audiences(kb: Any, lang: str) -> dict[str, str]:
    return {a: kb.label("audiences", a, lang) for a in kb.audiences}


def _evaluate(args: argparse.Namespace) -> int:
    from expert import evaluate

    kb = _load(args, cached=True)
    result = evaluate(kb, _read_case(kb, args.case)).to_dict(args.lang)
    if args.format == "json":
        from expert.json_text import dumps

        output = dumps(result) + "\n"
    elif args.format == "markdown":
        from expert.render import render_markdown

        output = render_markdown(result, _audiences(kb, args.lang))
    else:
        from expert.render import render_text

        output = render_text(result, _audiences(kb, args.lang))
    _out(output, json_text=args.format == "json")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from expert import evaluate
    from expert.render import render_explanation

    kb = _load(args, cached=True)
    explanation = evaluate(kb, _read_case(kb, args.case)).explain(args.target, args.lang)
    kind = {"recommendation": "recommendations", "diagnosis": "diagnoses"}.get(
        explanation.get("kind", ""))
    if kind:  # WHY-NOT names its target by its title, not its id
        explanation.setdefault("title", kb.label(kind, args.target, args.lang))
    if args.format == "json":
        from expert.json_text import dumps

        _out(dumps(explanation) + "\n", json_text=True)
    else:
        _out(render_explanation(explanation, args.lang))
    return EXIT_OK


def _what_if(args: argparse.Namespace) -> int:
    from expert import cli_whatif

    kb = _load(args)
    return cli_whatif.run(args, kb, _read_case(kb, Path(args.case)), _out)


def _check(args: argparse.Namespace) -> int:
    from expert.kb.verify import check_directory

    kb, findings = check_directory(args.knowledge)
    if args.format == "json":
        print(json.dumps({"findings": [f.to_dict() for f in findings],
                          "rules": len(kb.rules) if kb else None}, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            print(finding)
        if findings:
            print(f"{len(findings)} " + ("temuan" if args.lang == "id" else "finding(s)"))
        elif args.lang == "id":
            assert kb is not None
            print(f"basis pengetahuan baik: {len(kb.rules)} aturan, {len(kb.diagnoses)} "
                  f"diagnosis, {len(kb.recommendations)} saran, {len(kb.references)} rujukan "
                  f"({kb.version[:19]}…)")
        else:
            assert kb is not None
            print(f"knowledge base OK: {len(kb.rules)} rules, {len(kb.diagnoses)} diagnoses, "
                  f"{len(kb.recommendations)} recommendations, {len(kb.references)} references "
                  f"({kb.version[:19]}…)")
    return EXIT_FINDINGS if findings else EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from expert.render import render_rule

    kb = _load(args)
    if args.list or not args.rule:
        for rule in kb.rules.values():
            print(f"{rule.id}  {kb.label('rules', rule.id, args.lang)}")
        return EXIT_OK
    if args.rule not in kb.rules:
        _err(f"kinerja: aturan '{args.rule}' tidak dikenal; `kinerja kb show --list` "
             "mendaftar semuanya" if args.lang == "id" else
             f"kinerja: unknown rule '{args.rule}'; `kinerja kb show --list` lists them")
        return EXIT_BAD_INPUT
    sys.stdout.write(render_rule(kb, kb.rules[args.rule], args.lang))
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from expert.kb.schema import knowledge_schema

    sys.stdout.write(json.dumps(knowledge_schema(_load(args)), ensure_ascii=False, indent=2)
                     + "\n")
    return EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    from expert.coverage import coverage

    kb = _load(args)
    if args.cases:
        missing = [str(f) for f in args.cases if not f.is_dir()]
        if missing:
            print(f"kinerja: not a folder of cases: {', '.join(missing)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        folders = args.cases
    else:  # the defaults: whichever of them exist here
        folders = [f for f in (kb.directory / "cases", Path("tests") / "rule_cases") if f.is_dir()]
    report = coverage(kb, folders)
    if args.format == "json":
        print(json.dumps({"cases": len(report.cases), "unfired": report.unfired,
                          "fired": report.fired, "problems": report.problems}, indent=2))
    else:
        indonesian = args.lang == "id"
        for problem in report.problems:
            print(("masalah: " if indonesian else "problem: ") + str(problem))
        for rule_id in report.unfired:
            print(("tidak dijalankan oleh kasus mana pun: " if indonesian else
                   "not fired by any case: ") + f"{rule_id} ({kb.rules[rule_id].file})")
        fired = len(kb.rules) - len(report.unfired)
        print(f"{len(report.cases)} kasus; {fired} dari {len(kb.rules)} aturan dijalankan"
              if indonesian else
              f"{len(report.cases)} cases; {fired} of {len(kb.rules)} rules fired")
    return EXIT_FINDINGS if report.unfired or report.problems else EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    import time

    from expert.batch import run_batch
    from expert.io.batch import collect_files, read_inputs
    from expert.io.results import TABLE_SUFFIXES, problem_line, verdict_counts, write_table

    if not 1 <= args.workers <= 256:
        print("kinerja: --workers must be from 1 to 256", file=sys.stderr)
        return EXIT_BAD_INPUT
    missing = [str(p) for p in args.cases if not p.exists()]
    if missing:
        print(f"kinerja: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.output is not None and not args.output.parent.is_dir():
        print(f"kinerja: no such folder for --output: {args.output.parent}", file=sys.stderr)
        return EXIT_BAD_INPUT
    empty = [str(p) for p in args.cases if p.is_dir() and not collect_files([p])[0]]
    if empty:
        print("kinerja: no case files (*.yaml, *.yml, *.json) or tables (*.xlsx, *.csv, "
              f"*.zip) in: {', '.join(empty)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    kb = _load(args)
    items = read_inputs(kb, args.cases)  # spreadsheets and streams split into their cases
    if not items:
        print("kinerja: no cases in the inputs", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    good = [(item.label, item.case.to_dict()) for item in items
            if item.case is not None and not item.problems]
    results = iter(run_batch(good, args.knowledge, args.workers, args.detail, args.lang))
    lines: list[str] = []
    refused = []
    as_table = args.output is not None and args.output.suffix.lower() in TABLE_SUFFIXES
    buffered = args.strict or as_table
    partial = args.output.with_name(f".{args.output.name}.partial") if args.output else None
    with (_progress(len(items)) as bar,
          (partial.open("w", encoding="utf-8") if partial and not buffered
           else _stdout()) as out):
        for item in items:
            if item.case is None or item.problems:
                refused.append(item)
                line = problem_line(item, args.lang)
            else:
                result = next(results)
                line = result.line
            if buffered:
                lines.append(line)
            else:
                out.write(line + "\n")
            bar.update(1)
    for item in refused:  # the problems on stderr too, where a person reads them
        print(f"kinerja: {item.label}:", file=sys.stderr)
        for problem in item.problems:
            print(f"  - {problem.render(args.lang)}", file=sys.stderr)
    if buffered and not (args.strict and refused):
        if as_table:
            assert partial is not None
            partial.write_bytes(write_table(lines, args.output.suffix.lower()))
        elif partial is not None:
            partial.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        else:
            sys.stdout.write("".join(line + "\n" for line in lines))
    if partial is not None and partial.exists():
        if args.strict and refused:
            partial.unlink()
        else:
            os.replace(partial, args.output)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{k} {v}" for k, v in verdict_counts(lines).items()) if lines else ""
    written = " (--strict: nothing written)" if args.strict and refused else ""
    print(f"kinerja: {len(items)} cases, {len(items) - len(refused)} evaluated, "
          f"{len(refused)} refused ({len(items) / elapsed:.0f} cases/s, {args.workers} worker"
          f"{'s' if args.workers != 1 else ''}){written}" + (f"; {counts}" if counts else ""),
          file=sys.stderr)
    return EXIT_BAD_INPUT if refused else EXIT_OK


def _progress(total: int) -> Any:
    """A progress bar on a terminal (stderr); nothing when stderr is a file or a pipe."""
    from tqdm import tqdm

    return tqdm(total=total, unit=" kasus", file=sys.stderr, disable=None, leave=False,
                dynamic_ncols=True)


def _stdout() -> Any:
    import contextlib

    return contextlib.nullcontext(sys.stdout)


def _serve(args: argparse.Namespace) -> int:
    from webui.server import serve

    return serve(host=args.host, port=args.port, instance=args.instance,
                 knowledge=args.knowledge, workers=args.workers, threads=args.threads,
                 connection_limit=args.connection_limit, channel_timeout=args.channel_timeout)


if __name__ == "__main__":
    sys.exit(main())
