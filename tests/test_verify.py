"""`kinerja kb check`: each check finds what it is for, and the shipped base is clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from expert.kb.verify import check_directory


def rule(rule_id: str, when: list[dict[str, Any]], then: dict[str, str],
         references: list[str] | None = None) -> dict[str, Any]:
    return {"id": rule_id, "title": {"id": rule_id, "en": rule_id}, "when": when, "then": then,
            "justification": {"id": "alasan", "en": "reason"},
            "references": ["seed_rahim_2025"] if references is None else references}


def add_rules(kb_copy: Path, *rules: dict[str, Any]) -> None:
    (kb_copy / "rules" / "zz_test.yaml").write_text(
        yaml.safe_dump({"rules": list(rules)}, allow_unicode=True), encoding="utf-8")


def checks(kb_copy: Path) -> dict[str, list[str]]:
    _, findings = check_directory(kb_copy)
    found: dict[str, list[str]] = {}
    for finding in findings:
        found.setdefault(finding.check, []).append(f"{finding.where}: {finding.message}")
    return found


def add_diagnosis(kb_copy: Path, diagnosis_id: str) -> None:
    path = kb_copy / "diagnoses.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["diagnoses"].append({"id": diagnosis_id,
                                  "title": {"id": diagnosis_id, "en": diagnosis_id},
                                  "description": {"id": "uji", "en": "test"}})
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_shipped_base_is_clean() -> None:
    kb, findings = check_directory()
    assert kb is not None
    assert findings == []


def test_unreachable_and_unused(kb_copy: Path) -> None:
    add_diagnosis(kb_copy, "orphan")
    add_diagnosis(kb_copy, "dead_end")
    add_rules(kb_copy, rule("test.dead_end", [{"factor": "minimal_training"}],
                            {"diagnosis": "dead_end"}))
    found = checks(kb_copy)
    assert any("orphan" in f for f in found["unreachable"])
    assert any("dead_end" in f for f in found["unused"])


def test_cycle(kb_copy: Path) -> None:
    add_diagnosis(kb_copy, "chicken")
    add_diagnosis(kb_copy, "egg")
    add_rules(kb_copy,
              rule("test.chicken", [{"diagnosis": "egg"}], {"diagnosis": "chicken"}),
              rule("test.egg", [{"diagnosis": "chicken"}], {"diagnosis": "egg"}),
              rule("test.use", [{"diagnosis": "egg"}],
                   {"recommendation": "hold_competency_development"}))
    found = checks(kb_copy)
    assert found["cycle"] and "chicken" in found["cycle"][0] and "egg" in found["cycle"][0]
    assert any("test.use" in f for f in found["unreachable"])


def test_duplicate_and_subsumed(kb_copy: Path) -> None:
    wide = [{"indicator": "ability", "rating": ["fair", "poor"]}]
    narrow = [{"indicator": "ability", "rating": "poor"}, {"factor": "minimal_training"}]
    then = {"recommendation": "hold_competency_development"}
    add_rules(kb_copy, rule("test.wide", wide, then), rule("test.wide_again", wide, then),
              rule("test.narrow", narrow, then))
    found = checks(kb_copy)
    assert any("test.wide_again" in f and "test.wide" in f for f in found["duplicate"])
    assert any("test.narrow" in f for f in found["subsumed"])


def test_missing_references(kb_copy: Path) -> None:
    add_rules(kb_copy, rule("test.unsourced", [{"factor": "minimal_training"},
                                               {"factor": "frequent_lateness"}],
                            {"recommendation": "keep_working_hours"}, references=[]))
    assert any("test.unsourced" in f for f in checks(kb_copy)["no-references"])


def test_schema_errors_are_findings(kb_copy: Path) -> None:
    add_rules(kb_copy, rule("test.typo", [{"indicatr": "ability"}],
                            {"recommendation": "keep_working_hours"}))
    found = checks(kb_copy)
    assert any("rules/zz_test.yaml" in f for f in found["schema"] + found.get(
        "unknown-reference", []))


def test_rules_that_can_never_fire(kb_copy: Path) -> None:
    then = {"recommendation": "keep_working_hours"}
    add_rules(kb_copy,
              rule("test.both_ratings", [{"indicator": "ability", "rating": "good"},
                                         {"indicator": "ability", "rating": "poor"}], then),
              rule("test.and_not", [{"factor": "frequent_lateness"},
                                    {"not": {"factor": "frequent_lateness"}}], then),
              rule("test.beyond_max", [{"measure": "unexcused_absence_days", "min": 500}], then),
              rule("test.fair_and_none_fair", [
                  {"indicator": "ability", "rating": "fair"},
                  {"not": {"indicator": "any", "rating": ["fair", "poor"]}}], then))
    never = " ".join(checks(kb_copy)["never-fires"])
    for rule_id in ("test.both_ratings", "test.and_not", "test.beyond_max",
                    "test.fair_and_none_fair"):
        assert rule_id in never


def test_a_narrower_rule_with_a_lower_priority_is_subsumed(kb_copy: Path) -> None:
    then = {"recommendation": "keep_working_hours"}
    add_rules(kb_copy,
              rule("test.wide", [{"factor": "frequent_lateness"}], {**then, "priority": "high"}),
              rule("test.narrow_low", [{"factor": "frequent_lateness"},
                                       {"factor": "minimal_training"}],
                   {**then, "priority": "low"}),
              rule("test.narrow_high", [{"factor": "frequent_lateness"},
                                        {"factor": "lack_of_innovation"}],
                   {**then, "priority": "high"}))
    subsumed = " ".join(checks(kb_copy)["subsumed"])
    assert "test.narrow_low" in subsumed and "test.narrow_high" in subsumed


def test_unknown_keys_are_schema_findings(kb_copy: Path) -> None:
    add_rules(kb_copy, {**rule("test.extra", [{"factor": "frequent_lateness"}],
                                {"recommendation": "keep_working_hours"}), "colour": "red"})
    found = checks(kb_copy)
    assert any("colour" in f for f in found["schema"])
    assert not any("colour" in f for f in found.get("unknown-reference", []))


# -- band gaps and overlaps (issue 8: the 19.99 hole) ----------------------------------------
def test_reintroduced_19_99_hole_is_caught(kb_copy: Path) -> None:
    training = kb_copy / "rules" / "training.yaml"
    text = training.read_text(encoding="utf-8")
    assert "below: 20" in text
    training.write_text(text.replace("below: 20", "max: 19.99", 1), encoding="utf-8")
    found = checks(kb_copy)
    gaps = found["band-gap"]
    assert len(gaps) == 1
    assert "training_hours_last_year" in gaps[0] and "19.995" in gaps[0]
    assert "training.below_entitlement" in gaps[0]
    assert "training.hours_met_gap_persists" in gaps[0]


def test_band_overlap_on_a_continuous_measure(kb_copy: Path) -> None:
    add_rules(kb_copy, rule("test.upper", [{"measure": "training_hours_last_year", "max": 20}],
                            {"recommendation": "plan_minimum_training_hours"}),
              rule("test.lower", [{"measure": "training_hours_last_year", "min": 20},
                                  {"factor": "minimal_training"}],
                   {"recommendation": "plan_minimum_training_hours"}))
    overlaps = checks(kb_copy)["band-overlap"]
    assert any("values 20 fall on both sides" in f and "test.upper" in f for f in overlaps)


def test_whole_number_bands_meet_across_a_unit(kb_copy: Path) -> None:
    """On a whole-number measure 'max: 3' and 'min: 4' meet exactly; 'max: 3' and 'min: 5'
    leave 4 out."""
    add_rules(kb_copy, rule("test.low_band", [{"measure": "unexcused_absence_days", "min": 1,
                                               "max": 2}],
                            {"recommendation": "keep_working_hours"}))
    assert "band-gap" not in checks(kb_copy)  # 2 | 3 meets the 3-day band exactly
    add_rules(kb_copy, rule("test.low_band", [{"measure": "unexcused_absence_days", "min": 1,
                                               "max": 1}],
                            {"recommendation": "keep_working_hours"}))
    gaps = checks(kb_copy)["band-gap"]
    assert any("values 2 fall on neither side" in f for f in gaps)


def test_exclusive_bounds_meet_inclusive_ones(kb_copy: Path) -> None:
    add_rules(kb_copy, rule("test.under", [{"measure": "training_hours_last_year", "below": 8}],
                            {"recommendation": "plan_minimum_training_hours"}),
              rule("test.from", [{"measure": "training_hours_last_year", "min": 8},
                                 {"factor": "minimal_training"}],
                   {"recommendation": "plan_minimum_training_hours"}),
              rule("test.open_both", [{"measure": "training_hours_last_year", "above": 8},
                                      {"factor": "lack_of_innovation"}],
                   {"recommendation": "plan_minimum_training_hours"}))
    found = checks(kb_copy)
    # below 8 | min 8 meet; below 8 | above 8 leave 8 itself out
    assert [f for f in found.get("band-gap", []) if "test.from" in f] == []
    assert any("values 8 fall on neither side" in f and "test.open_both" in f
               for f in found["band-gap"])


def test_measure_bounds_are_checked(kb_copy: Path) -> None:
    add_rules(kb_copy,
              rule("test.both_lower", [{"measure": "training_hours_last_year", "min": 1,
                                        "above": 2}], {"recommendation": "keep_working_hours"}),
              rule("test.empty", [{"measure": "training_hours_last_year", "above": 5,
                                   "below": 5}], {"recommendation": "keep_working_hours"}),
              rule("test.no_whole_day", [{"measure": "unexcused_absence_days", "above": 3,
                                          "below": 4}], {"recommendation": "keep_working_hours"}))
    found = checks(kb_copy)
    assert any("one lower bound" in f for f in found["schema"])
    assert any("no value fits" in f for f in found["schema"])
