"""The trainers' commands of ``kinerja``: ``template`` (the import template) and ``needs``
(the needs analysis over many cases). ``batch`` lives in :mod:`expert.cli` with the engine's
batch API.

Kept apart from :mod:`expert.cli` so the single-case commands stay small; ``cli`` registers
these parsers and hands the parsed arguments here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES

EXIT_OK, EXIT_BAD_INPUT = 0, 2
COMMANDS = ("template", "needs")


def add_commands(commands: Any) -> None:
    template = commands.add_parser(
        "template", help="write the import template (one row per subject) as XLSX or CSV")
    template.add_argument("file", type=Path, help="where to write it; - for stdout (CSV only)")
    template.add_argument("--format", choices=("xlsx", "csv"), default=None,
                          help="default: from the file's extension, else xlsx")

    needs = commands.add_parser(
        "needs", help="the competency-development needs analysis (AKPK) and programme plan "
        "over many cases")
    needs.add_argument("inputs", nargs="+", metavar="INPUT")
    needs.add_argument("--format", choices=("text", "json", "xlsx", "csv"), default="text")
    needs.add_argument("--output", type=Path, metavar="FILE",
                       help="write to FILE (required for xlsx); default: stdout")
    needs.add_argument("--table", choices=("needs", "plan", "employees", "units", "trend"),
                       default="needs", help="the table --format csv writes (default: needs)")
    needs.add_argument("--office", action="append", default=[],
                       help="only this office or unit (repeatable)")
    needs.add_argument("--period", action="append", default=[], help="only this period "
                       "(repeatable); the trend always shows every period")
    needs.add_argument("--kind", action="append", default=[],
                       choices=("unit", "group", "employee"), help="only this kind (repeatable)")
    needs.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)


def run(args: argparse.Namespace, kb_dir: Path | None) -> int:
    from expert import load_knowledge_base

    kb = load_knowledge_base(kb_dir)
    if args.command == "template":
        return _template(kb, args)
    return _needs(kb, args)


def _template(kb: Any, args: argparse.Namespace) -> int:
    from expert.io import template_csv, template_xlsx

    kind = args.format or ("csv" if str(args.file).lower().endswith(".csv") else "xlsx")
    if str(args.file) == "-":
        if kind != "csv":
            print("kinerja: an XLSX template needs a file name", file=sys.stderr)
            return EXIT_BAD_INPUT
        sys.stdout.write(template_csv(kb))
        return EXIT_OK
    data = template_xlsx(kb) if kind == "xlsx" else template_csv(kb).encode("utf-8")
    return _write(args.file, data)


def _write(path: Path, data: bytes) -> int:
    """Write through a temporary file and rename: a failure leaves no half-written file."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        print(f"kinerja: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _evaluate(kb: Any, args: argparse.Namespace) -> list[Any]:
    from expert.cli import _progress
    from expert.io.batch import evaluate_items, read_inputs

    items = read_inputs(kb, args.inputs)
    good = sum(1 for item in items if item.case is not None and not item.problems)
    with _progress(good) as bar:
        evaluate_items(kb, items, progress=bar.update)
    return items


def _report_bad(items: list[Any], lang: str) -> int:
    bad = [item for item in items if item.problems]
    for item in bad:
        print(f"kinerja: {item.label}:", file=sys.stderr)
        for problem in item.problems:
            print(f"  - {problem.render(lang)}", file=sys.stderr)
    return len(bad)


def _needs(kb: Any, args: argparse.Namespace) -> int:
    from expert.planning import (
        Selection,
        analyse,
        propose_plan,
        report_csv,
        report_dict,
        report_text,
        report_xlsx,
        trend,
    )

    if args.format == "xlsx" and not args.output:
        print("kinerja: --format xlsx needs --output FILE", file=sys.stderr)
        return EXIT_BAD_INPUT
    items = _evaluate(kb, args)
    if _report_bad(items, args.lang):  # an analysis that silently drops cases would mislead
        print("kinerja needs: nothing analysed; correct the cases above", file=sys.stderr)
        return EXIT_BAD_INPUT
    subjects = [item.subject for item in items if item.subject is not None]
    selection = Selection(frozenset(args.office), frozenset(args.period), frozenset(args.kind))
    analysis = analyse(kb, subjects, selection)
    trends = trend(kb, subjects, units=selection.offices, kinds=selection.kinds)
    data = report_dict(kb, analysis, propose_plan(kb, analysis), trends, args.lang)
    if args.format == "json":
        output = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif args.format == "csv":
        output = report_csv(data, args.table).encode("utf-8")
    elif args.format == "xlsx":
        output = report_xlsx(data)
    else:
        output = report_text(kb, data).encode("utf-8")
    if args.output:
        return _write(args.output, output)
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return EXIT_OK
