"""``kinerja audit verify [--instance DIR]`` and ``kinerja audit verify-pack FILE.zip``."""

from __future__ import annotations

import argparse
import sys

from webui.commands import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, instance_app


def run(args: argparse.Namespace) -> int:
    if args.audit_command == "verify-pack":
        return _verify_pack(args)
    from webui.db.audit import verify

    # verifying must not change the database: no upgrade, refuse an older schema instead
    app = instance_app(args, upgrade=False)
    with app.app_context():
        report = verify()
    if report.intact:
        print(f"{report.entries} entries, chain intact, head {report.head} "
              f"({report.evaluations} evaluations and {report.plan_statuses} plan statuses "
              "verified)")
        return EXIT_OK
    first = report.breaches[0]
    where = f"entry #{first.entry}" if first.entry is not None else "the stored records"
    print(f"NOT VERIFIED: first breach at {where}: {first.kind}: {first.message}")
    for breach in report.breaches[1:]:
        print(f"  also: {breach.kind}: {breach.message}")
    print(f"{report.entries} entries, {report.evaluations} evaluations, "
          f"{report.plan_statuses} plan statuses, {len(report.breaches)} breach(es)")
    return EXIT_FINDINGS


def _verify_pack(args: argparse.Namespace) -> int:
    from webui.auditpack import verify_pack

    if not args.pack.is_file():
        print(f"kinerja: {args.pack}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = verify_pack(args.pack)
    if not report.problems:
        print(f"{args.pack}: verified: {report.evaluations} evaluation(s), "
              f"{report.plan_statuses} plan status(es), {report.entries} audit entries, "
              f"chain head {report.head}")
        return EXIT_OK
    print(f"{args.pack}: NOT VERIFIED")
    for problem in report.problems:
        print(f"  {problem}")
    return EXIT_FINDINGS
