"""The one bounded reader: bytes, a stream, a path or stdin → plain Python data, or a CaseError.

Every door (the CLI, the upload form, the API) reads a case through here, so the same bytes always
give the same answer. What it guarantees, whatever the input:

- at most ``MAX_BYTES`` (1 MiB) are read from any source, devices and pipes included;
- YAML anchors, aliases, tags and merge keys are refused at the event level, before anything is
  built (an alias bomb costs nothing); nesting deeper than ``MAX_DEPTH`` is refused, for JSON
  without recursion;
- scalars are read as YAML 1.2's JSON schema does: only JSON-like numbers, ``true``/``false`` and
  ``null`` are not text, so ``1:30``, ``0x10``, ``1_000``, ``.inf``, ``yes`` stay text;
- mapping keys are always text, as written; a key given twice is refused, in JSON too;
- a document that starts like JSON (``{`` or ``[``) and is not JSON is read as YAML, unless it
  holds a JSON quirk (a comment, a single-quoted string, a trailing comma): that is refused with
  the quirk named, at every door.

PyYAML's event parser (libyaml's where installed) does the tokenising; the data is built from
events (:mod:`expert.reader_yaml`), because PyYAML's constructors resolve YAML 1.1 scalars and
expand aliases. PyYAML is imported with the first YAML document: a JSON case never needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

from expert.case_messages import case_problem
from expert.errors import CaseError, Problem

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "read_bytes", "read_path", "read_stream"]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
# Values (scalars, lists, mappings) in one document: a real case has a few hundred; the bound
# keeps the read of any 1 MiB input well under a second (a YAML event costs a few microseconds
# of Python; a 1 MiB flow list holds half a million of them).
MAX_VALUES = 20_000
# A number written with more characters than this is kept as text: no measure needs it, and
# Python refuses to convert integers past 4,300 digits.
MAX_NUMBER_CHARS = 400


_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")

# JSON text without its double-quoted strings, to look for brackets and quirks outside them.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_QUIRKS = (
    ("json_comment", re.compile(r"//|/\*")),
    ("json_single_quote", re.compile(r"'")),
    ("json_trailing_comma", re.compile(r",\s*[}\]]")),
)


# -- reading bytes ---------------------------------------------------------------------------

def _bounded(stream: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to know the source is too large, never more."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(limit + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_stream(stream: IO[bytes], name: str, limit: int = MAX_BYTES) -> Any:
    """The document in a binary stream (stdin, an upload), read to at most ``limit`` bytes."""
    try:
        raw = _bounded(stream, limit)
    except OSError as exc:
        raise CaseError([case_problem("", "unreadable", name=name,
                                      detail=exc.strerror or str(exc))]) from None
    return read_bytes(raw, name, limit)


def read_path(path: str | Path, name: str | None = None, limit: int = MAX_BYTES) -> Any:
    """The document in a file (or a device: /dev/zero stops at the limit like any file)."""
    shown = name or str(path)
    try:
        with open(path, "rb") as stream:
            return read_stream(stream, shown, limit)
    except OSError as exc:
        raise CaseError([case_problem("", "unreadable", name=shown,
                                      detail=exc.strerror or str(exc))]) from None


def read_bytes(raw: bytes | str, name: str = "case", limit: int = MAX_BYTES) -> Any:
    """The document in ``raw`` (YAML or JSON, UTF-8) as plain data: dicts with text keys,
    lists, text, int, float, bool and None. Raises CaseError; never anything else."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > limit:
        raise CaseError([case_problem("", "too_big", name=name, limit=limit // 1024)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError([case_problem("", "not_utf8", name=name)]) from None
    stripped = text.lstrip()
    if not stripped:
        raise CaseError([case_problem("", "empty", name=name)])
    if stripped[0] in "{[":
        data = _json_or_flow_yaml(text, name)
    else:
        data = _yaml(text, name)
    if data is None:
        raise CaseError([case_problem("", "empty", name=name)])
    return data


# -- JSON ------------------------------------------------------------------------------------

class _Pairs(dict[str, Any]):
    """A JSON object that remembers the keys written more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Pairs:
    mapping = _Pairs()
    repeated = []
    for key, value in pairs:
        if key in mapping:
            repeated.append(key)
        else:
            mapping[key] = value
    if repeated:
        mapping.duplicates = tuple(repeated)
    return mapping


def _json_number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        return text
    if _INT.match(text):
        return -0.0 if text == "-0" else int(text)
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else text


# Numbers the json module's own (fast) conversion would change: -0 (its sign), very long
# digit runs (Python's int limit), large exponents (infinity). Only then the slow hooks run.
_SPECIAL_NUMBER = re.compile(
    r"-0(?![0-9.eE])|[0-9]{" + str(MAX_NUMBER_CHARS) + r"}|[eE][-+]?[0-9]{3}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json_depth(outside: str) -> int:
    """The deepest nesting of brackets outside strings, counted without recursion."""
    brackets = re.sub(r"[^\[\]{}]", "", outside)
    if len(brackets) <= 2 * MAX_DEPTH:
        return len(brackets) // 2
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _json_or_flow_yaml(text: str, name: str) -> Any:
    outside = _JSON_STRING.sub('""', text)  # the text with every string emptied
    if _json_depth(outside) > MAX_DEPTH:
        raise CaseError([case_problem("", "too_deep", name=name, limit=MAX_DEPTH)])
    if outside.count(",") + 1 > MAX_VALUES:
        raise CaseError([case_problem("", "too_many_values", name=name, limit=MAX_VALUES)])
    hooks: dict[str, Any] = {}
    if _SPECIAL_NUMBER.search(outside):
        hooks = {"parse_int": _json_number, "parse_float": _json_number}
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant,
                          **hooks)
    except json.JSONDecodeError as exc:
        _refuse_quirks(text, name)
        try:  # flow-style YAML starts with a brace too
            return _yaml(text, name)
        except CaseError:
            raise CaseError([case_problem("", "not_json", name=name, line=exc.lineno,
                                          column=exc.colno, detail=exc.msg)]) from None
    except ValueError as exc:  # NaN, Infinity
        raise CaseError([case_problem("", "not_json", name=name, line=1, column=1,
                                      detail=str(exc))]) from None
    problems = list(_json_duplicates(data))
    if problems:
        raise CaseError(problems)
    return data


def _refuse_quirks(text: str, name: str) -> None:
    """JSON with a comment, a single quote or a trailing comma: refused by name everywhere."""
    outside = _JSON_STRING.sub(lambda m: " " * len(m.group()), text)
    for code, pattern in _QUIRKS:
        found = pattern.search(outside)
        if found:
            line, column = _line_col(text, found.start())
            raise CaseError([case_problem("", code, name=name, line=line, column=column)])


def _json_duplicates(data: Any) -> Iterator[Problem]:
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key in getattr(node, "duplicates", ()):
                yield case_problem(_join(path, key), "given_twice", word=key)
            stack.extend((_join(path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(node))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- YAML ------------------------------------------------------------------------------------

def _yaml(text: str, name: str) -> Any:
    from expert.reader_yaml import read_yaml  # PyYAML's import: only for a YAML document

    return read_yaml(text, name)
