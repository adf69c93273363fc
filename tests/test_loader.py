"""Loading the knowledge base: errors name the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from expert import KnowledgeBaseError, load_knowledge_base


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_base_loads() -> None:
    kb = load_knowledge_base()
    assert len(kb.indicators) == 10 and len(kb.dimensions) == 5
    assert len(kb.pattern_rules()) >= 30
    assert kb.version.startswith("sha256:")


def test_unknown_indicator_in_a_rule(kb_copy: Path) -> None:
    rules = kb_copy / "rules" / "competency.yaml"
    edit(rules, lambda d: d["rules"][0]["when"].append({"indicator": "stamina"}))
    found = problems(kb_copy)
    assert any(p.startswith("rules/competency.yaml: rules[0].when[") and "stamina" in p
               and "allowed: ability" in p for p in found), found


def test_bad_text_and_unknown_key(kb_copy: Path) -> None:
    def change(d):  # type: ignore[no-untyped-def]
        d["factors"][0]["label"] = {"id": "hanya bahasa Indonesia"}
        d["factors"][1]["colour"] = "red"

    edit(kb_copy / "factors.yaml", change)
    found = problems(kb_copy)
    assert any(p.startswith("factors.yaml: factors[0].label") for p in found), found
    assert any(p.startswith("factors.yaml: factors[1].colour: unknown key") for p in found)


def test_missing_file_and_unknown_reference(kb_copy: Path) -> None:
    (kb_copy / "measures.yaml").unlink()
    edit(kb_copy / "rules" / "verdicts.yaml",
         lambda d: d["rules"][0]["references"].append("nobody_2020"))
    found = problems(kb_copy)
    assert any(p.startswith("measures.yaml") and "missing" in p for p in found)
    assert any("nobody_2020" in p and "rules/verdicts.yaml" in p for p in found), found


def test_aggregation_bands_must_be_monotone(kb_copy: Path) -> None:
    def change(d):  # type: ignore[no-untyped-def]
        for rule in d["rules"]:
            if rule.get("kind") == "overall_aggregation":
                rule["policy"]["bands"][0]["rating"] = "poor"

    edit(kb_copy / "rules" / "verdicts.yaml", change)
    assert any("monotone" in p for p in problems(kb_copy))


def test_a_new_dimension_needs_only_knowledge(kb_copy: Path) -> None:
    """A knowledge engineer adds a sixth dimension (commitment) by editing knowledge/ alone."""
    def change(d):  # type: ignore[no-untyped-def]
        d["dimensions"].append({"id": "commitment", "label": {"id": "Komitmen", "en": "Commitment"},
                                "definition": {"id": "Komitmen kerja.", "en": "Commitment."}})
        d["indicators"].append({"id": "loyalty", "dimension": "commitment",
                                "label": {"id": "Loyalitas", "en": "Loyalty"},
                                "definition": {"id": "Setia.", "en": "Loyal."},
                                "aliases": ["loyalitas"]})

    edit(kb_copy / "model.yaml", change)
    from expert import evaluate, parse_case

    kb = load_knowledge_base(kb_copy)
    result = evaluate(kb, parse_case(kb, {"subject": {"name": "x"},
                                          "findings": {"loyalitas": "poor"}})).to_dict("en")
    assert {d["id"]: d["rating"] for d in result["dimensions"]}["commitment"] == "poor"


def test_unknown_references_are_named_where_they_stand(kb_copy: Path) -> None:
    edit(kb_copy / "factors.yaml", lambda d: d["factors"][2]["references"].append("ghost_2019"))
    edit(kb_copy / "recommendations.yaml",
         lambda d: d["recommendations"][1]["references"].append("ghost_2019"))
    edit(kb_copy / "model.yaml", lambda d: d["dimensions"][0]["references"].append("ghost_2019"))
    found = [p for p in problems(kb_copy) if "ghost_2019" in p]
    assert any(p.startswith("factors.yaml: factors[2].references[") for p in found), found
    assert any(p.startswith("recommendations.yaml: recommendations[1].references[")
               for p in found), found
    assert any(p.startswith("model.yaml: dimensions[0].references[") for p in found), found


def test_a_word_that_names_two_entries(kb_copy: Path) -> None:
    def change(d):  # type: ignore[no-untyped-def]
        d["ratings"][2]["aliases"].append("cukup")  # poor would steal fair's alias
        d["ratings"][0]["aliases"].append("belum dinilai")

    edit(kb_copy / "model.yaml", change)
    edit(kb_copy / "factors.yaml",
         lambda d: d["factors"][1]["aliases"].append(d["factors"][0]["id"]))
    found = problems(kb_copy)
    assert any("ratings[poor].aliases: 'cukup' also names 'fair'" in p for p in found), found
    assert any("means 'not assessed'" in p for p in found), found
    assert any(p.startswith("factors.yaml: factors[") and "also names" in p for p in found)


@pytest.mark.parametrize("score, message", [(".inf", "finite"), (".nan", "finite"),
                                            ("2.5", "whole number")])
def test_scores_are_whole_finite_numbers(kb_copy: Path, score: str, message: str) -> None:
    path = kb_copy / "model.yaml"
    text = path.read_text(encoding="utf-8").replace("score: 2\n", f"score: {score}\n", 1)
    path.write_text(text, encoding="utf-8")
    assert any("ratings[1].score" in p and message in p for p in problems(kb_copy))


def test_double_negation_and_negative_bounds(kb_copy: Path) -> None:
    edit(kb_copy / "rules" / "competency.yaml", lambda d: d["rules"][0]["when"].append(
        {"not": {"not": {"factor": "minimal_training"}}}))
    edit(kb_copy / "measures.yaml", lambda d: d["measures"][0].__setitem__("max", -1))
    found = problems(kb_copy)
    assert any("double negation" in p for p in found), found
    assert any(p.startswith("measures.yaml: measures[0].max") for p in found), found


def test_rule_ids_that_differ_only_in_dots_and_underscores_both_fire(kb_copy: Path) -> None:
    rule = {"title": {"id": "t", "en": "t"}, "when": [{"factor": "minimal_training"}],
            "justification": {"id": "j", "en": "j"}, "references": ["seed_rahim_2025"]}
    (kb_copy / "rules" / "zz.yaml").write_text(yaml.safe_dump({"rules": [
        {"id": "t.a.b", **rule, "then": {"diagnosis": "untrained_technology_gap"}},
        {"id": "t.a__b", **rule, "then": {"recommendation": "plan_minimum_training_hours"}},
    ]}), encoding="utf-8")
    from expert import evaluate, parse_case

    kb = load_knowledge_base(kb_copy)
    fired = evaluate(kb, parse_case(kb, {"subject": {"name": "x"},
                                         "factors": ["minimal_training"]})).fired_rule_ids
    assert {"t.a.b", "t.a__b"} <= set(fired)


def test_an_unknown_top_level_key_is_a_finding(kb_copy: Path) -> None:
    """Issue 6: `kb check` passed a file with a top-level key nothing reads (a typo)."""
    with (kb_copy / "factors.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nfactor: []\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy)
    problem = caught.value.problems[0]
    assert (problem.file, problem.path, problem.allowed) == ("factors.yaml", "factor",
                                                             ("factors",))
