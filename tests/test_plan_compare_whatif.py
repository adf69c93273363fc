"""The action plan, the comparison of two evaluations, WHAT-IF and its command."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from expert import CaseError, KnowledgeBase, evaluate, read_case_file
from expert.cli import main
from expert.compare import compare
from expert.plan import action_plan, add_months, due_date, due_within
from expert.result import Result, read_result
from expert.whatif import apply_changes, what_if


def result_of(kb: KnowledgeBase, case, lang: str = "id") -> Result:  # type: ignore[no-untyped-def]
    return read_result(evaluate(kb, case).to_dict(lang))


# -- the typed result -------------------------------------------------------------------------
def test_typed_view_reads_every_recommendation_and_tree(kb: KnowledgeBase,
                                                        seed_path: Path) -> None:
    document = evaluate(kb, read_case_file(kb, seed_path)).to_dict("en")
    result = read_result(document)
    assert result.overall.rating == "fair" and result.overall.label == "Fair"
    assert [r.id for r in result.recommendations] == [r["id"] for r in
                                                      document["recommendations"]]
    assert result.indicator("ability") is not None
    assert result.indicator("ability").sources["interview"] == "fair"  # type: ignore[union-attr]

    def depth(node) -> int:  # type: ignore[no-untyped-def]
        inner = [depth(p.explanation) for p in node.premises if p.explanation]
        return 1 + max(inner, default=0)

    # the derivation reaches the input findings through typed nodes
    assert all(depth(r.explanation) >= 2 for r in result.recommendations)


def test_typed_view_reads_documents_without_version_2_keys(kb: KnowledgeBase,
                                                           seed_path: Path) -> None:
    document = evaluate(kb, read_case_file(kb, seed_path)).to_dict("id")
    for key in ("coverage", "inputs"):
        document.pop(key, None)
    document["overall"].pop("provisional", None)
    result = read_result(document)
    assert result.coverage.assessed == 10 and result.coverage.total == 10
    assert result.overall.provisional is False and result.inputs is None


# -- the action plan ---------------------------------------------------------------------------
def test_plan_has_one_item_per_recommendation_with_all_owners(kb: KnowledgeBase,
                                                              seed_path: Path) -> None:
    result = result_of(kb, read_case_file(kb, seed_path))
    plan = action_plan(kb, result, date(2026, 11, 29))
    assert sorted(i.id for i in plan) == sorted(r.id for r in result.recommendations)
    assert [i.number for i in plan] == list(range(1, len(plan) + 1))
    for item in plan:
        assert set(item.owners) == set(item.recommendation.audience)
        assert len(item.owner_labels) == len(item.owners)


def test_plan_orders_by_priority_then_timeframe_then_knowledge_order(
        kb: KnowledgeBase, seed_path: Path) -> None:
    plan = action_plan(kb, result_of(kb, read_case_file(kb, seed_path)), date(2026, 1, 15))
    timeframes = list(kb.timeframes)
    order = list(kb.recommendations)
    keys = [(kb.priority_rank(i.recommendation.priority),
             timeframes.index(i.recommendation.timeframe), order.index(i.id)) for i in plan]
    assert keys == sorted(keys)
    # the seed's medium items: the short-term SOP task comes before the long programme
    medium = [i.recommendation.timeframe for i in plan if i.recommendation.priority == "medium"]
    assert medium.index("short") < medium.index("long")


@pytest.mark.parametrize("start, timeframe, due", [
    (date(2026, 11, 29), "immediate", date(2026, 11, 30)),
    (date(2026, 2, 3), "immediate", date(2026, 2, 28)),
    (date(2026, 11, 30), "short", date(2027, 2, 28)),
    (date(2026, 1, 31), "medium", date(2026, 7, 31)),
    (date(2024, 2, 29), "long", date(2025, 2, 28)),
    (date(2026, 5, 1), "unknown", date(2027, 5, 1)),
])
def test_due_dates(start: date, timeframe: str, due: date) -> None:
    assert due_date(start, timeframe) == due


def test_add_months_clamps_and_crosses_years() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), 0) == date(2026, 3, 15)


def test_due_within_selects_this_month(kb: KnowledgeBase, seed_path: Path) -> None:
    plan = action_plan(kb, result_of(kb, read_case_file(kb, seed_path)), date(2026, 11, 29))
    due = due_within(plan, date(2026, 11, 1), date(2026, 11, 30))
    assert due and all(i.recommendation.timeframe == "immediate" for i in due)


# -- comparison ----------------------------------------------------------------------------
def test_compare_lists_inputs_verdicts_and_recommendations(kb: KnowledgeBase,
                                                           make_case) -> None:  # type: ignore[no-untyped-def]
    before_case = make_case(findings={"ability": {"interview": "fair", "observation": "fair"},
                                      "attendance_discipline": "good"},
                            factors=["minimal_training"], measures={"unexcused_absence_days": 2})
    after_case = make_case(findings={"ability": {"interview": "good", "observation": "good"},
                                     "attendance_discipline": "good"},
                           factors=["adequate_facilities"], measures={"unexcused_absence_days": 5})
    before, after = result_of(kb, before_case, "en"), result_of(kb, after_case, "en")
    comparison = compare(kb, before_case.to_dict(), before, after_case.to_dict(), after)
    paths = {c.path: c for c in comparison.inputs}
    assert paths["findings.ability.interview"].before == "Fair"
    assert paths["findings.ability.interview"].after == "Good"
    assert paths["factors.minimal_training"].after is None
    assert paths["factors.adequate_facilities"].before is None
    assert paths["measures.unexcused_absence_days"].before.startswith("2")  # type: ignore[union-attr]
    ability = next(v for v in comparison.verdicts if v.id == "ability")
    assert (ability.before, ability.after, ability.direction) == ("fair", "good", 1)
    added = {r.id for r in comparison.added}
    removed = {r.id for r in comparison.removed}
    assert added == {r.id for r in after.recommendations} - {r.id for r in before.recommendations}
    assert removed == {r.id for r in before.recommendations} - {r.id for r in after.recommendations}
    assert added or removed
    assert not comparison.unchanged


def test_compare_an_evaluation_with_itself_finds_nothing(kb: KnowledgeBase,
                                                         seed_path: Path) -> None:
    case = read_case_file(kb, seed_path)
    result = result_of(kb, case)
    assert compare(kb, case.to_dict(), result, case.to_dict(), result).unchanged


# -- WHAT-IF --------------------------------------------------------------------------------------
def test_what_if_ability_good_and_training_hours(kb: KnowledgeBase, seed_path: Path) -> None:
    case = read_case_file(kb, seed_path)
    result = what_if(kb, case, {"findings.ability": "good",
                                "measures.training_hours_last_year": "24"}, "en")
    assert result.before.overall.rating == "fair" and result.after.overall.rating == "good"
    assert result.case["findings"]["ability"] == {"interview": "good", "observation": "good",
                                                  "documentation": "good"}
    assert result.case["measures"]["training_hours_last_year"] == 24
    direct = what_if(kb, case, {"findings.ability": "good"}, "en")
    assert direct.after.overall.rating == "good"


def test_what_if_added_recommendation_carries_its_how(kb: KnowledgeBase, make_case) -> None:  # type: ignore[no-untyped-def]
    case = make_case(findings={"ability": "good"})
    result = what_if(kb, case, {"temuan.kemampuan": "kurang", "faktor.minim_pelatihan": "tambah"},
                     "id")
    assert result.comparison.added
    for rec in result.comparison.added:
        assert rec.explanation.rule in kb.rules
        assert rec.explanation.premises


def test_what_if_factor_remove_and_source_change(kb: KnowledgeBase, seed_path: Path) -> None:
    case = read_case_file(kb, seed_path)
    document, applied = apply_changes(kb, case.to_dict(), {
        "factors.minimal_training": "remove", "findings.ability.interview": "poor",
        "measures.unexcused_absence_days": "19,5"})
    assert "minimal_training" not in document["factors"]
    assert document["findings"]["ability"]["interview"] == "poor"
    assert document["measures"]["unexcused_absence_days"] == 19.5
    assert applied["factors.minimal_training"] is False


def test_what_if_reports_every_bad_change(kb: KnowledgeBase, seed_path: Path) -> None:
    case = read_case_file(kb, seed_path)
    with pytest.raises(CaseError) as caught:
        what_if(kb, case, {"subject.name": "x", "findings.abilty": "good",
                           "findings.ability": "great", "measures.training_hours_last_year": "a",
                           "factors.minimal_training": "maybe", "factors.nope": "add"}, "id")
    paths = [p.path for p in caught.value.problems]
    assert paths == ["subject.name", "findings.abilty", "findings.ability",
                     "measures.training_hours_last_year", "factors.minimal_training",
                     "factors.nope"]
    assert all(p.text("id") != p.text("en") for p in caught.value.problems)
    with pytest.raises(CaseError):
        what_if(kb, case, {}, "id")


def test_what_if_negative_measure_is_the_case_readers_problem(kb: KnowledgeBase,
                                                              seed_path: Path) -> None:
    with pytest.raises(CaseError) as caught:
        what_if(kb, read_case_file(kb, seed_path),
                {"measures.unexcused_absence_days": "-3"}, "en")
    assert caught.value.problems[0].path == "measures.unexcused_absence_days"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_what_if_text_and_json(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, out, err = run(capsys, "what-if", str(seed_path), "--set", "findings.ability=good",
                         "--set", "measures.training_hours_last_year=24")
    assert code == 0 and err == ""
    assert "Penilaian keseluruhan: Cukup baik → Baik (lebih baik)" in out
    assert "Saran yang hilang" in out
    code, out, _ = run(capsys, "what-if", str(seed_path), "--set", "findings.ability=good",
                       "--format", "json", "--lang", "en")
    data = json.loads(out)
    assert data["before"]["overall"]["rating"] == "fair"
    assert data["after"]["overall"]["rating"] == "good"
    assert {v["id"] for v in data["verdicts"]} >= {"overall", "quality", "ability"}


def test_cli_what_if_bad_change_exits_2_in_indonesian(capsys: pytest.CaptureFixture[str],
                                                      seed_path: Path) -> None:
    code, out, err = run(capsys, "what-if", str(seed_path), "--set", "findings.ability")
    assert code == 2 and out == ""
    assert "JALUR=NILAI" in err and "Traceback" not in err


def test_cli_what_if_added_recommendation_shows_how(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    case = tmp_path / "good.yaml"
    case.write_text("subject: {name: Unit}\nfindings: {ability: good}\n", encoding="utf-8")
    code, out, _ = run(capsys, "what-if", str(case), "--set", "findings.ability=poor",
                       "--set", "factors.minimal_training=add", "--lang", "en")
    assert code == 0
    added = out.split("Recommendations added:")[1]
    assert "How:" in added and "Rule:" in added and "because:" in added


def test_result_dataclasses_have_no_untyped_dict_fields() -> None:
    # the view is typed all the way down: a field typed Any would let a rename slip through
    assert all("Any" not in str(f.type) for f in fields(Result))


@pytest.mark.parametrize("value", ["1e999", "9" * 500, 10**400, float("nan"), [1], {"a": 1},
                                   "", None])
def test_what_if_odd_measure_values_are_problems_or_removals(kb: KnowledgeBase,
                                                             seed_path: Path, value) -> None:  # type: ignore[no-untyped-def]
    case = read_case_file(kb, seed_path)
    changes = {"measures.unexcused_absence_days": value}
    if value in ("", None):  # an empty value takes the measure out
        document, applied = apply_changes(kb, case.to_dict(), changes)
        assert "unexcused_absence_days" not in document.get("measures", {})
        return
    with pytest.raises(CaseError) as caught:
        what_if(kb, case, changes, "en")
    assert caught.value.problems[0].path == "measures.unexcused_absence_days"
