"""expert/reader.py: the one bounded reader, attacked (issue 6).

Each hostile input the issue lists is here as a regression test: the reader answers with a
CaseError that names the place, quickly and without building anything large.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from expert import CaseError, KnowledgeBase, load_case_text, read_case_file, read_case_stream
from expert.reader import MAX_BYTES, MAX_DEPTH, read_bytes, read_path, read_stream
from tests.fuzzing import examples


def refused(raw: bytes | str) -> CaseError:
    with pytest.raises(CaseError) as caught:
        read_bytes(raw, name="case")
    return caught.value


def alias_bomb(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


# -- aliases, anchors, tags, merge keys ------------------------------------------------------

def test_an_alias_bomb_is_refused_before_anything_is_built() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 1000  # the 597-byte case of 10 nested anchor levels
    error = refused(bomb)
    assert error.problems[0].path == "a0" and "anchors" in error.problems[0].message


@pytest.mark.parametrize("text, path, word", [
    ("subject: {name: x}\nfindings: *a\n", "findings", "aliases"),
    ("subject: &s {name: x}\n", "subject", "anchors"),
    ("subject: !!python/object {name: x}\n", "subject", "tags"),
    ("subject: {name: !!str x}\n", "subject.name", "tags"),
    ("subject: {name: x}\nmeasures:\n  <<: {unexcused_absence_days: 1}\n", "measures",
     "merge keys"),
    ("subject: {name: x}\n---\nsubject: {name: y}\n", "", "second YAML document"),
])
def test_yaml_features_a_case_never_needs_are_refused_with_their_place(
        text: str, path: str, word: str) -> None:
    problem = refused(text).problems[0]
    assert problem.path == path and word in problem.message
    assert "line" in problem.message


# -- nesting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    "{" + '"a":{' * 1000 + "}" * 1001,
    "subject: " + "[" * 3000 + "]" * 3000,
    "".join("  " * i + "- \n" for i in range(40)),
    '{"s": "[[[[' + "[" * 100 + '"}',  # brackets inside a string are text, not nesting
])
def test_deep_nesting_is_refused_without_recursion(text: str) -> None:
    if text.startswith('{"s"'):
        assert read_bytes(text) == {"s": "[[[[" + "[" * 100}
        return
    assert "nested deeper than 32" in str(refused(text))


def test_nesting_up_to_the_limit_is_read() -> None:
    assert read_bytes("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert "nested deeper" in str(refused("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)))


# -- duplicate keys --------------------------------------------------------------------------

@pytest.mark.parametrize("text, path", [
    ('{"subject": {"name": "x"}, "findings": {"ability": "good", "ability": "poor"}}',
     "findings.ability"),
    ("subject: {name: x}\nfindings: {ability: good, ability: poor}\n", "findings.ability"),
    ('{"a": [{"b": 1, "b": 2}]}', "a[0].b"),
])
def test_duplicate_keys_are_refused_in_json_and_yaml(text: str, path: str) -> None:
    problem = refused(text).problems[0]
    assert (problem.path, "given twice") == (path, problem.message[-11:])


def test_keys_are_text_as_written() -> None:
    assert read_bytes("1: a\ntrue: b\nnull: c\n1.0: d\n") == {"1": "a", "true": "b",
                                                              "null": "c", "1.0": "d"}


# -- YAML 1.2 scalars ------------------------------------------------------------------------

@pytest.mark.parametrize("written, value", [
    ("4", 4), ("19.5", 19.5), ("-3", -3), ("1e3", 1000.0), ("true", True), ("null", None),
    ("~", None), ("1:30", "1:30"), ("0x10", "0x10"), ("0o17", "0o17"), ("1_000", "1_000"),
    (".inf", ".inf"), (".nan", ".nan"), ("NaN", "NaN"), ("yes", "yes"), ("no", "no"),
    ("on", "on"), ("2024-01-01", "2024-01-01"), ("+1", "+1"), (".5", ".5"), ("010", "010"),
    ("'4'", "4"), ('"true"', "true"), ("١٢", "١٢"),
])
def test_scalars_are_read_as_yaml_1_2_json_schema(written: str, value: Any) -> None:
    assert read_bytes(f"v: {written}\n") == {"v": value}


def test_negative_zero_keeps_its_sign_so_it_can_be_refused() -> None:
    import math

    for text in ("v: -0\n", '{"v": -0}', '{"v": -0.0}'):
        number = read_bytes(text)["v"]
        assert number == 0 and math.copysign(1.0, number) < 0


# -- JSON quirks: one answer at every door ---------------------------------------------------

@pytest.mark.parametrize("text, word", [
    ('{"subject": {"name": "x"} // a comment\n}', "comments"),
    ('{"subject": {"name": "x"} /* a comment */}', "comments"),
    ("{'subject': {'name': 'x'}}", "double quotes"),
    ('{"subject": {"name": "x"},}', "comma before a closing bracket"),
    ('{"factors": ["a", "b",], "subject": {"name": "x"}}', "comma before a closing bracket"),
])
def test_json_quirks_are_refused_by_name_in_both_languages(text: str, word: str) -> None:
    problem = refused(text).problems[0]
    assert word in problem.text("en") and "line 1" in problem.text("en")
    assert "bukan JSON yang sah" in problem.text("id")


def test_flow_style_yaml_that_starts_with_a_brace_is_still_yaml() -> None:
    assert read_bytes("{subject: {name: x}, factors: [a, b]}") == {
        "subject": {"name": "x"}, "factors": ["a", "b"]}


@pytest.mark.parametrize("text", ['{"v": NaN}', '{"v": Infinity}', '{"v": -Infinity}'])
def test_json_constants_outside_json_are_refused(text: str) -> None:
    assert "not valid JSON" in str(refused(text))


# -- bounded reading -------------------------------------------------------------------------

class CountingStream(io.RawIOBase):
    """An endless stream of spaces that counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        buffer[:size] = b" " * size
        self.read_bytes += size
        return size


def test_an_endless_stream_is_read_to_the_limit_only() -> None:
    stream = CountingStream()
    with pytest.raises(CaseError) as caught:
        read_stream(stream, "stdin")
    assert stream.read_bytes == MAX_BYTES + 1
    assert "larger than 1024 KiB" in str(caught.value)


def test_dev_zero_is_refused_after_one_mebibyte() -> None:
    with pytest.raises(CaseError) as caught:
        read_path("/dev/zero")
    assert "/dev/zero is larger than 1024 KiB" in str(caught.value)


def test_a_case_of_exactly_the_limit_is_read(kb: KnowledgeBase) -> None:
    head = "subject: {name: x}\nnotes: x\n"
    padding = "#" + " " * (MAX_BYTES - len(head) - 2) + "\n"
    assert len((head + padding).encode()) == MAX_BYTES
    assert load_case_text(kb, head + padding).notes == "x"
    assert "larger than" in str(refused(head + padding + " "))


def test_a_folder_or_missing_file_is_a_case_error(kb: KnowledgeBase, tmp_path: Any) -> None:
    for path in (tmp_path, tmp_path / "missing.yaml"):
        with pytest.raises(CaseError) as caught:
            read_case_file(kb, path)
        assert "cannot read" in str(caught.value)


def test_a_stream_and_bytes_give_the_same_answer(kb: KnowledgeBase) -> None:
    text = b"subject: {name: x}\nfindings: {kemampuan: cukup}\n"
    assert read_case_stream(kb, io.BytesIO(text), "x") == load_case_text(kb, text)


# -- the fuzzer: any bytes in, plain data or a CaseError out ---------------------------------

PLAIN = (dict, list, str, int, float, bool, type(None))


def _plain(value: Any, depth: int = 0) -> bool:
    assert depth <= MAX_DEPTH + 1
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    return isinstance(value, PLAIN)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30)

yaml_fragments = st.lists(st.sampled_from([
    "subject:", " name:", " x", "\n", "  ", "- ", "[", "]", "{", "}", ",", ":", "&a", "*a", "!!",
    "<<", "'", '"', "#", "---", "1:30", "0x1", ".inf", "~", "?", "|", ">", "\t", "\\", "é",
    "\x00", "\x1b", "findings:", "ability", "baik", "-0",
]), max_size=40).map("".join)


@settings(max_examples=examples(ci=700, dev=100))
@given(st.binary(max_size=300) | yaml_fragments.map(str.encode))
def test_fuzz_any_bytes_give_plain_data_or_a_case_error(raw: bytes) -> None:
    try:
        data = read_bytes(raw)
    except CaseError as error:
        assert error.problems and len(str(error)) < 64 * 1024
        return
    assert _plain(data)


@settings(max_examples=examples(ci=500, dev=100))
@given(json_values)
def test_fuzz_json_and_its_yaml_twin_read_alike(value: Any) -> None:
    document = {"v": value}
    text = json.dumps(document)
    assert read_bytes(text) == json.loads(text)
    as_yaml = yaml.safe_dump(document, allow_unicode=True)
    try:
        from_yaml = read_bytes(as_yaml)
    except CaseError:
        return  # PyYAML writes some floats YAML 1.1's way (1.0e+20): refused as measures later
    assert isinstance(from_yaml, dict)


@pytest.mark.parametrize("text, path", [
    ("f: [" + "a," * 500_000 + "a]", "f["),
    ("factors:\n" + "- a\n" * 250_000, "factors["),
    ('{"f": [' + "1," * 500_000 + "1]}", ""),
])
def test_a_document_of_more_values_than_any_case_is_refused_early(text: str, path: str) -> None:
    """At most 20,000 values: a 1 MiB list of half a million would cost the YAML parser
    seconds of Python objects; it stops at the bound instead."""
    assert len(text.encode()) <= MAX_BYTES
    problem = refused(text).problems[0]
    assert problem.path.startswith(path) and "more than 20000 values" in problem.message
