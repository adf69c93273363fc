"""Properties over random well-formed and malformed cases (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert import CaseError, KnowledgeBase, evaluate, load_knowledge_base, parse_case

KB = load_knowledge_base()
RATINGS = list(KB.ratings)
SOURCES = list(KB.sources)
SCORE = {r: KB.rating_score(r) for r in RATINGS}
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


NAME_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))  # control chars: refused


def _word(entry_id: str, aliases: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from([entry_id, *aliases])


@st.composite
def findings(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(list(KB.indicators)), unique=True))
    result: dict[str, Any] = {}
    for indicator in chosen:
        if draw(st.booleans()):
            result[indicator] = draw(st.sampled_from(RATINGS))
        else:
            sources = draw(st.lists(st.sampled_from(SOURCES), min_size=1, unique=True))
            result[indicator] = {s: draw(st.sampled_from(RATINGS)) for s in sources}
    return result


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    measures: dict[str, Any] = {}
    if draw(st.booleans()):
        measures["unexcused_absence_days"] = draw(st.integers(0, 40))
    if draw(st.booleans()):
        measures["training_hours_last_year"] = draw(st.floats(0, 60, allow_nan=False))
    return {
        "subject": {"name": draw(st.text(NAME_CHARACTERS, min_size=1, max_size=20)
                                 .filter(str.strip)),
                    "kind": draw(st.sampled_from(list(KB.subject_kinds)))},
        "findings": draw(findings()),
        "factors": draw(st.lists(st.sampled_from(list(KB.factors)), unique=True)),
        "measures": measures,
    }


@st.composite
def indonesian_words(draw: st.DrawFn, case: dict[str, Any]) -> dict[str, Any]:
    """The same case with ids swapped for their aliases at random."""
    def rating(word: str) -> str:
        return draw(_word(word, KB.ratings[word].aliases))

    translated: dict[str, Any] = {}
    for indicator, value in case["findings"].items():
        key = draw(_word(indicator, KB.indicators[indicator].aliases))
        if isinstance(value, str):
            translated[key] = rating(value)
        else:
            translated[key] = {draw(_word(s, KB.sources[s].aliases)): rating(r)
                               for s, r in value.items()}
    return {"subjek": case["subject"], "temuan": translated,
            "faktor": [draw(_word(f, KB.factors[f].aliases)) for f in case["factors"]],
            "ukuran": case["measures"]}


def verdicts(result: dict[str, Any]) -> dict[str, str | None]:
    found: dict[str, str | None] = {"overall": result["overall"]["rating"]}
    found |= {f"dimension:{d['id']}": d["rating"] for d in result["dimensions"]}
    found |= {f"indicator:{i['id']}": i["rating"] for i in result["indicators"]}
    return found


@SETTINGS
@given(cases())
def test_any_well_formed_case_evaluates_the_same_every_time(data: dict[str, Any]) -> None:
    case = parse_case(KB, data)
    first = evaluate(KB, case).to_dict("en")
    assert evaluate(KB, case).to_dict("en") == first
    assert set(first["not_assessed"]) == set(KB.indicators) - set(data["findings"])


@SETTINGS
@given(st.data())
def test_aliases_do_not_change_the_result(data: st.DataObject) -> None:
    case = data.draw(cases())
    twin = data.draw(indonesian_words(case))
    assert (evaluate(KB, parse_case(KB, twin)).to_dict("id")
            == evaluate(KB, parse_case(KB, case)).to_dict("id"))


@SETTINGS
@given(st.data())
def test_a_better_finding_never_gives_a_worse_verdict(data: st.DataObject) -> None:
    case = data.draw(cases())
    places = [(i, s) for i, v in case["findings"].items()
              for s in ([None] if isinstance(v, str) else list(v))
              if (v if s is None else v[s]) != "good"]
    if not places:
        return
    indicator, source = data.draw(st.sampled_from(places))
    better = {k: (dict(v) if isinstance(v, dict) else v) for k, v in case["findings"].items()}
    current = better[indicator] if source is None else better[indicator][source]
    improved = data.draw(st.sampled_from([r for r in RATINGS if SCORE[r] > SCORE[current]]))
    if source is None:
        better[indicator] = improved
    else:
        better[indicator][source] = improved
    before = verdicts(evaluate(KB, parse_case(KB, case)).to_dict())
    after = verdicts(evaluate(KB, parse_case(KB, case | {"findings": better})).to_dict())
    assert before.keys() == after.keys()
    for key, rating in before.items():
        if rating is not None:
            assert SCORE[after[key] or rating] >= SCORE[rating], key


def _leaves_are_inputs(tree: dict[str, Any]) -> bool:
    for premise in tree["premises"]:
        if "explanation" in premise:
            if not _leaves_are_inputs(premise["explanation"]):
                return False
        elif not (premise["type"] == "absence" or (premise["input"] and premise["path"])):
            return False
    return True


@SETTINGS
@given(cases())
def test_every_recommendation_tree_ends_at_input_facts(data: dict[str, Any]) -> None:
    result = evaluate(KB, parse_case(KB, data)).to_dict("en")
    for rec in result["recommendations"]:
        for tree in [rec["explanation"], *rec["support"]]:
            assert _leaves_are_inputs(tree), rec["id"]


BREAKAGES = {
    "unknown indicator": (lambda c: c["findings"].__setitem__("stamina", "good"),
                          "findings.stamina"),
    "unknown source": (lambda c: c["findings"].__setitem__("ability", {"rumour": "good"}),
                       "findings.ability.rumour"),
    "rating outside the scale": (lambda c: c["findings"].__setitem__("creativity", "superb"),
                                 "findings.creativity"),
    "unknown factor": (lambda c: c["factors"].append("bad_weather"), None),
    "negative measure": (lambda c: c["measures"].__setitem__("unexcused_absence_days", -2),
                         "measures.unexcused_absence_days"),
    "non-numeric measure": (lambda c: c["measures"].__setitem__("training_hours_last_year",
                                                                "many"),
                            "measures.training_hours_last_year"),
    "unknown measure": (lambda c: c["measures"].__setitem__("overtime", 3), "measures.overtime"),
    "unknown key": (lambda c: c.__setitem__("comments", "x"), "comments"),
}


@SETTINGS
@given(cases(), st.sampled_from(sorted(BREAKAGES)))
def test_malformed_cases_get_the_documented_error(data: dict[str, Any], breakage: str) -> None:
    data = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
            for k, v in data.items()}
    data["findings"] = {k: (dict(v) if isinstance(v, dict) else v)
                        for k, v in data["findings"].items()}
    data["findings"].pop("ability", None)
    data["findings"].pop("creativity", None)
    break_it, path = BREAKAGES[breakage]
    break_it(data)
    with pytest.raises(CaseError) as caught:
        parse_case(KB, data)
    paths = [p.path for p in caught.value.problems]
    if path is None:
        path = f"factors[{len(data['factors']) - 1}]"
    assert path in paths
    problem = next(p for p in caught.value.problems if p.path == path)
    if breakage not in ("negative measure", "non-numeric measure"):
        assert problem.allowed, breakage


def test_kb_fixture_is_the_module_base(kb: KnowledgeBase) -> None:
    assert kb.version == KB.version
