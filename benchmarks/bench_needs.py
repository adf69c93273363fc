"""The trainers' side (issue 10): import of a 500-row spreadsheet, and the needs analysis over
1,000 assessments as the web page gets them (stored results → needs summaries → analysis,
plan, trend and the report document), then as text, CSV and XLSX.

    python benchmarks/bench_needs.py [--rows 500] [--assessments 1000] [--seed 11]

Targets (issue 10): a 500-row file imports in under 30 s; the needs analysis over 1,000
stored assessments renders in under 1 s. ``--web`` also times the trainers' page itself
(database, summaries, template) over that many stored assessments.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cases import random_cases  # noqa: E402
from expert import load_knowledge_base  # noqa: E402
from expert.batch import evaluate_many  # noqa: E402
from expert.io import import_cases, template_xlsx  # noqa: E402
from expert.planning import (  # noqa: E402
    analyse,
    propose_plan,
    report_csv,
    report_dict,
    report_text,
    report_xlsx,
    subject_from_result,
    trend,
)

OFFICES = 15
PERIODS = ("2024", "2025")


def cases_for(kb, count: int, seed: int) -> list:  # type: ignore[no-untyped-def]
    """Random cases spread over 15 offices and two periods, a third of them employees."""
    rng = random.Random(seed)
    result = []
    for number, case in enumerate(random_cases(kb, count, seed=seed)):
        office = f"Dinas {number % OFFICES + 1:02d}"
        kind = rng.choice(("unit", "employee", "employee"))
        name = office if kind == "unit" else f"Pegawai {number:04d}"
        result.append(dataclasses.replace(
            case, subject_name=name, subject_kind=kind, period=PERIODS[number % 2],
            office=None if kind == "unit" else office))
    return result


def timed(label: str, work):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = work()
    elapsed = time.perf_counter() - started
    print(f"  {label:<58} {elapsed * 1000:9.1f} ms")
    return value, elapsed


def web(kb, evaluations, count: int) -> None:  # type: ignore[no-untyped-def]
    """The trainers' page over ``count`` stored assessments, signed in as a trainer."""
    import tempfile

    from tests.webui.conftest import TEST_CONFIG, login, make_users
    from webui import create_app
    from webui.db import Assessment, Evaluation, db
    from webui.db.transaction import writing
    from webui.i18n import LANGUAGES

    folder = tempfile.mkdtemp(prefix="kinerja-bench-")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db"},
                     instance_path=folder)
    make_users(app)
    with app.app_context(), writing():  # stored as record_evaluation stores them, in bulk
        for number in range(count):
            evaluation, result_id, result_en = evaluations[number % len(evaluations)]
            case = evaluation.case
            assessment = Assessment(subject_name=case.subject_name,
                                    subject_kind=case.subject_kind, period=case.period,
                                    overall=evaluation.overall)
            db.session.add(assessment)
            assessment.evaluations.append(Evaluation(
                kb_version=kb.version, overall=evaluation.overall, origin="import",
                case=case.to_dict(), indicator_notes={},
                result=dict(zip(LANGUAGES, (result_id, result_en), strict=True))))
    client = login(app.test_client(), "pelatih")

    def view(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - started

    first = view("/training/")
    print(f"  GET /training/ first view: {first * 1000:.0f} ms")
    for url in ("/training/", "/training/?office=Dinas+01"):
        times = sorted(view(url) for _ in range(7))
        print(f"  GET {url:<28} 7 views: median {times[3] * 1000:5.0f} ms, "
              f"best {times[0] * 1000:5.0f} ms, worst {times[-1] * 1000:5.0f} ms")

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--web", action="store_true",
                        help="also time the trainers' page over the stored assessments")
    args = parser.parse_args()
    kb = load_knowledge_base()
    print(f"needs: {args.rows} rows to import, {args.assessments} assessments, seed {args.seed}, "
          f"{os.cpu_count()} cores")

    print("import")
    rows = cases_for(kb, args.rows, args.seed)
    workbook = template_xlsx(kb, rows)
    print(f"  the {args.rows}-row workbook: {len(workbook) / 1024:.0f} KiB")
    imported, read = timed(f"read and check {args.rows} rows (XLSX → cases)",
                           lambda: import_cases(kb, workbook, "bench.xlsx"))
    evaluations, consult = timed(f"evaluate {args.rows} rows (both languages' results)",
                                 lambda: [(e, e.to_dict("id"), e.to_dict("en")) for e in
                                          evaluate_many(kb, [i.case for i in imported])])
    print(f"  import total {read + consult:.1f} s (target < 30 s; the web adds one database "
          "write per row)")

    print("needs analysis")
    stored = [(e.case.to_dict(), result_id) for e, result_id, _ in
              (evaluations * (args.assessments // len(evaluations) + 1))[:args.assessments]]
    subjects, summaries = timed(f"needs summaries of {args.assessments} stored results "
                                "(once, then cached)",
                                lambda: [subject_from_result(f"#{n}", case, result)
                                         for n, (case, result) in enumerate(stored)])

    def render() -> dict:  # type: ignore[type-arg]
        analysis = analyse(kb, subjects)
        return report_dict(kb, analysis, propose_plan(kb, analysis), trend(kb, subjects), "id")

    data, analysis_time = timed(f"analysis + plan + trend + report of {args.assessments}",
                                render)
    timed("as text", lambda: report_text(kb, data))
    timed("as CSV (plan)", lambda: report_csv(data, "plan"))
    timed("as XLSX (every table)", lambda: report_xlsx(data))
    print(f"  {len(data['needs'])} needs, {len(data['plan'])} programmes, "
          f"{len(data['units'])} units; analysis {analysis_time * 1000:.0f} ms "
          "(target < 1 s with the page)")
    if args.web:
        print(f"the trainers' page over {args.assessments} stored assessments")
        web(kb, evaluations, args.assessments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
