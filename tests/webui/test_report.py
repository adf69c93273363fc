"""webui/report.py: the typed result rearranged for reading."""

from __future__ import annotations

from datetime import date

from expert import evaluate, parse_case
from expert.result import read_result
from webui.report import build_report, fact_label, month_summary


def test_report_of_the_seed_case(kb, seed_case):
    result = read_result(evaluate(kb, parse_case(kb, seed_case)).to_dict("id"))
    report = build_report(kb, result, {"ability": "note"}, "id", "Belum dinilai",
                          case=parse_case(kb, seed_case).to_dict(),
                          evaluated_on=date(2026, 11, 29), today=date(2026, 11, 29))
    assert [d.id for d in report.dimensions] == list(kb.dimensions)
    ability = report.dimensions[0].indicators[0]
    assert ability.id == "ability" and ability.note == "note" and ability.rating == "fair"
    assert [s[0] for s in ability.sources] == list(kb.sources)
    assert dict((r, n) for r, _, n in report.counts) == {"good": 7, "fair": 3, "poor": 0}
    given = {r.id for r in result.recommendations}
    assert given.isdisjoint(dict(report.not_given))
    assert len(report.not_given) == len(kb.recommendations) - len(given)
    assert {row.item.id for row in report.plan} == given
    assert all(row.status == "planned" and not row.history for row in report.plan)
    assert list(report.numbers.values()) == list(range(1, len(result.references) + 1))
    # what was entered: the seed's four factors, inhibiting and supporting
    assert {f.id for f in report.inputs.inhibiting} == {"lack_of_innovation", "minimal_training"}
    assert {f.id for f in report.inputs.supporting} == {"adequate_facilities",
                                                        "good_budget_planning"}
    assert [n.id for n in report.inputs.indicator_notes] == ["ability"]


def test_month_summary_counts_due_overdue_and_done(kb, seed_case):
    result = read_result(evaluate(kb, parse_case(kb, seed_case)).to_dict("en"))
    report = build_report(kb, result, {}, "en", "Not assessed", evaluated_on=date(2026, 1, 10),
                          today=date(2026, 1, 20))
    immediate = [r for r in report.plan if r.item.recommendation.timeframe == "immediate"]
    assert {r.item.id for r in report.month.due} == {r.item.id for r in immediate}
    later = month_summary(report.plan, date(2026, 2, 5))
    assert {r.item.id for r in later.overdue} == {r.item.id for r in immediate}
    assert later.open == len(report.plan) and later.done == 0


def test_fact_labels(kb):
    assert fact_label(kb, "indicator:ability", "en") == kb.indicators["ability"].label["en"]
    assert fact_label(kb, "findings.ability.interview", "id").endswith("— Wawancara")
    assert fact_label(kb, "overall", "en") == "Overall verdict"
    assert fact_label(kb, "factors[0]", "id") == "factors[0]"  # without the case: no label
    case = {"factors": ["lack_of_innovation", "minimal_training"]}
    assert fact_label(kb, "factors[1]", "id", case) == kb.factors["minimal_training"].label["id"]
    assert fact_label(kb, "measures.unexcused_absence_days", "en") == \
        kb.measures["unexcused_absence_days"].label["en"]
    assert fact_label(kb, None, "id") == ""
