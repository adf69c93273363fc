"""expert/json_text.py: the CLI's fast JSON is json.dumps(ensure_ascii=False, indent=2), byte
for byte, whatever the data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from expert.json_text import dumps

GOLDEN = Path(__file__).resolve().parent / "golden"


def slow(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# every character, lone surrogates and controls included
TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-10**500, 10**500)
           | st.floats() | st.sampled_from([1e16, 1e-5, 1e-7, 1e22, 5e-324, -0.0, 0.1, 2.7])
           | TEXT)
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(TEXT, inner, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_the_same_text_as_json_dumps(data: Any) -> None:
    assert dumps(data) == slow(data)


def test_the_golden_results_and_the_awkward_values() -> None:
    for path in GOLDEN.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert dumps(document) == slow(document)
    for value in (float("nan"), float("inf"), [float("-inf")], {"a": "\ud800"}, [[], {}, [[]]],
                  {"é": "😀\u2028\x7f\x1f\"\\"}, 10**400, {1: 2, None: 3, 1.5: 4}):
        assert dumps(value) == slow(value)
