"""The YAML half of :mod:`expert.reader`: plain data built from PyYAML's parser events (libyaml's
where installed), refusing anchors, aliases, tags, merge keys, several documents and repeated
keys as they are met, with scalars read as YAML 1.2's JSON schema reads them.

A module of its own so that PyYAML is imported only when a YAML document is read.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from expert import yaml_loader
from expert.case_messages import case_problem
from expert.errors import CaseError, Problem
from expert.reader import MAX_DEPTH, MAX_NUMBER_CHARS, MAX_VALUES, _join, _json_number

__all__ = ["read_yaml"]

# YAML 1.2 JSON-schema scalars (plain style only); everything else is text.
_NULL = {"null", "Null", "NULL", "~", ""}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")

# -- building ------------------------------------------------------------------------------------

_NOT_TEXT_START = frozenset("-0123456789nNtTfF~")


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    if not event.implicit[0]:  # quoted: always text
        return value
    if value and value[0] not in _NOT_TEXT_START:  # most words: text, no further test
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if len(value) <= MAX_NUMBER_CHARS and _FLOAT.match(value):
        return _json_number(value)
    return value


class _Frame:
    __slots__ = ("container", "key", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: str):
        self.container = container
        self.path = path
        self.key: str | None = None  # a mapping's key waiting for its value


def read_yaml(text: str, name: str) -> Any:
    """The document in YAML ``text`` as plain data (see :mod:`expert.reader`); raises
    CaseError."""
    builder = _Builder(name)
    try:
        for event in yaml.parse(text, Loader=yaml_loader.SafeLoader):
            builder.feed(event)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark else \
            {"line": 1, "column": 1}
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in detail:  # libyaml's own limit, met while scanning ahead
            raise CaseError([case_problem("", "too_deep", name=name, limit=MAX_DEPTH)]) from None
        raise CaseError([case_problem("", "not_yaml", name=name, detail=detail,
                                      **where)]) from None
    if builder.problems:
        raise CaseError(builder.problems)
    return builder.result


class _Builder:
    """Plain data from parser events, refusing what a case never needs as it is met."""

    def __init__(self, name: str):
        self.name = name
        self.stack: list[_Frame] = []
        self.result: Any = None
        self.documents = 0
        self.values = 0
        self.problems: list[Problem] = []  # keys given twice: all reported together

    def place(self) -> str:
        if not self.stack:
            return ""
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return f"{frame.path}[{len(frame.container)}]"
        return _join(frame.path, frame.key) if frame.key is not None else frame.path

    def refuse(self, code: str, event: yaml.Event, **params: Any) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 1
        raise CaseError([case_problem(self.place(), code, line=line, **params)])

    def feed(self, event: yaml.Event) -> None:
        if (type(event) is yaml.ScalarEvent and event.anchor is None
                and event.tag is None):
            self.values += 1  # the common case first: a plain or quoted scalar
            if self.values > MAX_VALUES:
                self.refuse("too_many_values", event, name=self.name, limit=MAX_VALUES)
            self.add(event, _scalar(event))
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.refuse("several_documents", event)
            return
        if isinstance(event, yaml.AliasEvent):
            self.refuse("yaml_alias", event)
        if isinstance(event, yaml.NodeEvent):
            if event.anchor is not None:
                self.refuse("yaml_anchor", event)
            tag: str | None = getattr(event, "tag", None)
            if tag is not None:
                self.refuse("yaml_tag", event, tag=tag)
        if isinstance(event, yaml.ScalarEvent):
            self.add(event, _scalar(event))
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self.refuse("too_deep", event, name=self.name, limit=MAX_DEPTH)
            self.values += 1
            if self.values > MAX_VALUES:
                self.refuse("too_many_values", event, name=self.name, limit=MAX_VALUES)
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else [])
            if self.stack and isinstance(self.stack[-1].container, dict) \
                    and self.stack[-1].key is None:
                self.refuse("key_not_text", event)
            path = self.place()
            self.add(event, container)
            self.stack.append(_Frame(container, path))
        elif isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()

    def add(self, event: yaml.Event, value: Any) -> None:
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
        elif frame.key is None:  # this scalar is a key: always the text as written
            key = event.value if isinstance(event, yaml.ScalarEvent) else str(value)
            if key == "<<" and isinstance(event, yaml.ScalarEvent) and event.implicit[0]:
                self.refuse("yaml_merge", event)
            frame.key = key
        else:
            if frame.key in frame.container:
                self.problems.append(case_problem(_join(frame.path, frame.key), "given_twice",
                                                  word=frame.key))
            else:
                frame.container[frame.key] = value
            frame.key = None
