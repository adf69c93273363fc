"""webui/report.py: the result rearranged for reading."""

from __future__ import annotations

from expert import evaluate, parse_case
from webui.report import build_report, fact_label


def test_report_of_the_seed_case(kb, seed_case):
    result = evaluate(kb, parse_case(kb, seed_case)).to_dict("id")
    report = build_report(kb, result, {"ability": "note"}, "id", "Belum dinilai")
    assert [d.id for d in report.dimensions] == list(kb.dimensions)
    ability = report.dimensions[0].indicators[0]
    assert ability.id == "ability" and ability.note == "note" and ability.rating == "fair"
    assert [s[0] for s in ability.sources] == list(kb.sources)
    assert dict((r, n) for r, _, n in report.counts) == {"good": 7, "fair": 3, "poor": 0}
    given = {r["id"] for r in result["recommendations"]}
    assert given.isdisjoint(dict(report.not_given))
    assert len(report.not_given) == len(kb.recommendations) - len(given)
    for group in report.groups:
        assert all(group.id in r["audience"] for r in group.recommendations)
    assert report.first_group["hold_competency_development"] == "head"
    assert list(report.numbers.values()) == list(range(1, len(result["references"]) + 1))


def test_fact_labels(kb):
    assert fact_label(kb, "indicator:ability", "en") == kb.indicators["ability"].label["en"]
    assert fact_label(kb, "findings.ability.interview", "id").endswith("— Wawancara")
    assert fact_label(kb, "overall", "en") == "Overall verdict"
    assert fact_label(kb, "factors[0]", "id") == "factors[0]"
    assert fact_label(kb, None, "id") == ""
