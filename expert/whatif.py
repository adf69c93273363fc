"""WHAT-IF: change some inputs of a case, evaluate again without saving, and say what differs.

Changes are case paths with new values, as a head would say them:

- ``findings.ability=good`` — the indicator rated *good* on every evidence source entered for
  it (its one combined rating if it was entered that way, or if it was not assessed);
  ``findings.ability.interview=fair`` — one source; ``none`` / ``belum dinilai`` / an empty
  value takes the finding out;
- ``measures.training_hours_last_year=24`` (``19,5`` is read as 19.5); empty takes it out;
- ``factors.minimal_training=remove`` (or ``no``, ``hapus``, ``tidak``, ``false``) and
  ``factors.adequate_facilities=add`` (``yes``, ``tambah``, ``ya``, ``true``).

Paths and values accept the case format's vocabulary (``temuan.kemampuan=baik``). Every
problem is collected (:class:`~expert.errors.CaseError`), then the changed case goes through the
case reader like any other case. The result is a :class:`~expert.compare.Comparison` of the
case as it was and as changed; an added recommendation carries its derivation (HOW).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from expert.case import NOT_ASSESSED_WORDS, TOP_LEVEL_KEYS, Case, parse_case
from expert.compare import Comparison, compare
from expert.errors import CaseError, Problem
from expert.i18n import normalise_word
from expert.kb.model import KnowledgeBase, alias_index
from expert.result import Result, read_result

__all__ = ["WhatIf", "apply_changes", "parse_assignments", "what_if"]

CHANGEABLE = ("findings", "measures", "factors")
ADD_WORDS = {normalise_word(w) for w in ("add", "yes", "true", "tambah", "ya", "ada", "1")}
REMOVE_WORDS = {normalise_word(w) for w in ("remove", "no", "false", "hapus", "tidak",
                                              "tidak ada", "0")}
EMPTY_WORDS = NOT_ASSESSED_WORDS | {normalise_word(w) for w in ("none", "null", "kosong")}

MESSAGES: dict[str, dict[str, str]] = {
    "assignment": {"en": "write a change as PATH=VALUE, for example findings.ability=good",
                   "id": "tulis perubahan sebagai JALUR=NILAI, misalnya temuan.kemampuan=baik"},
    "unknown_part": {"en": "only findings, measures and factors can be changed",
                     "id": "hanya temuan (findings), ukuran (measures), dan faktor (factors) "
                           "yang dapat diubah"},
    "path_shape": {"en": "name one item: {example}", "id": "sebutkan satu butir: {example}"},
    "unknown_indicator": {"en": "unknown indicator", "id": "indikator tidak dikenal"},
    "unknown_source": {"en": "unknown evidence source", "id": "sumber bukti tidak dikenal"},
    "unknown_factor": {"en": "unknown factor", "id": "faktor tidak dikenal"},
    "unknown_measure": {"en": "unknown measure", "id": "ukuran tidak dikenal"},
    "rating": {"en": "{value!r} is not a rating", "id": "{value!r} bukan nilai penilaian"},
    "factor_value": {"en": "{value!r}: say add or remove",
                     "id": "{value!r}: tulis tambah atau hapus"},
    "number": {"en": "must be a number, not {value!r}",
               "id": "harus berupa angka, bukan {value!r}"},
    "twice": {"en": "changed twice", "id": "diubah dua kali"},
    "no_changes": {"en": "no change given", "id": "tidak ada perubahan yang diberikan"},
    "changes_mapping": {"en": "must map case paths to new values",
                        "id": "harus memetakan jalur kasus ke nilai baru"},
}


def _problem(path: str, code: str, allowed: tuple[str, ...] | list[str] = (),
             **params: Any) -> Problem:
    texts = {lang: text.format(**params) for lang, text in MESSAGES[code].items()}
    return Problem(path, texts["en"], tuple(allowed), translations=tuple(texts.items()))


@dataclass(frozen=True)
class WhatIf:
    changes: Mapping[str, Any]  # canonical path → value as given
    case: dict[str, Any]  # the case as changed (canonical document)
    before: Result
    after: Result
    comparison: Comparison


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """``["findings.ability=good", …]`` (the CLI's ``--set``) → a changes mapping."""
    changes: dict[str, str] = {}
    problems = []
    for n, text in enumerate(assignments, start=1):
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            problems.append(_problem(f"--set #{n}", "assignment"))
            continue
        changes[path.strip()] = value.strip()
    if problems:
        raise CaseError(problems)
    return changes


def _number(raw: Any) -> float | None:
    """A finite number, from a JSON number or text ("19,5" is 19.5); None otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    text = str(raw).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if len(text) > 40:  # no measure needs more; float() of a huge integer overflows
        return None
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def apply_changes(kb: KnowledgeBase, case: Mapping[str, Any],
                  changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The canonical case document with ``changes`` applied, and the changes by canonical path.

    Raises :class:`CaseError` with every problem of the changes, or of the changed case."""
    if not isinstance(changes, Mapping):
        raise CaseError([_problem("changes", "changes_mapping")])
    if not changes:
        raise CaseError([_problem("changes", "no_changes")])
    document = copy.deepcopy(dict(case))
    findings: dict[str, Any] = document.setdefault("findings", {})
    measures: dict[str, Any] = document.setdefault("measures", {})
    factors: list[str] = document.setdefault("factors", [])
    tops = {normalise_word(k): k for k in CHANGEABLE}
    for canonical, aliases in TOP_LEVEL_KEYS.items():
        if canonical in CHANGEABLE:
            tops.update({normalise_word(a): canonical for a in aliases})
    indicators, sources = alias_index(kb.indicators), alias_index(kb.sources)
    factor_ids, measure_ids = alias_index(kb.factors), alias_index(kb.measures)
    ratings = alias_index(kb.ratings)
    problems: list[Problem] = []
    applied: dict[str, Any] = {}

    for raw_path, value in changes.items():
        parts = str(raw_path).strip().split(".")
        top = tops.get(normalise_word(parts[0]))
        if top is None:
            problems.append(_problem(str(raw_path), "unknown_part", CHANGEABLE))
            continue
        word = normalise_word(value) if isinstance(value, str) else None
        if top == "findings":
            if len(parts) not in (2, 3):
                problems.append(_problem(str(raw_path), "path_shape",
                                         example="findings.ability[.interview]"))
                continue
            indicator = indicators.get(normalise_word(parts[1]))
            if indicator is None:
                problems.append(_problem(str(raw_path), "unknown_indicator", list(kb.indicators)))
                continue
            source = None
            if len(parts) == 3:
                source = sources.get(normalise_word(parts[2]))
                if source is None:
                    problems.append(_problem(str(raw_path), "unknown_source", list(kb.sources)))
                    continue
            rating: str | None = None
            if value is not None and word not in EMPTY_WORDS and word != "":
                rating = ratings.get(word) if word is not None else None
                if rating is None:
                    problems.append(_problem(str(raw_path), "rating", list(kb.ratings),
                                             value=value))
                    continue
            path = f"findings.{indicator}" + (f".{source}" if source else "")
            if path in applied:
                problems.append(_problem(str(raw_path), "twice"))
                continue
            applied[path] = rating
            current = findings.get(indicator)
            if source is None:
                if rating is None:
                    findings.pop(indicator, None)
                elif isinstance(current, Mapping) and current:
                    findings[indicator] = {s: rating for s in current}
                else:
                    findings[indicator] = rating
            else:
                entry = dict(current) if isinstance(current, Mapping) else {}
                if isinstance(current, str):  # a combined rating becomes per-source
                    entry = {}
                if rating is None:
                    entry.pop(source, None)
                else:
                    entry[source] = rating
                if entry:
                    findings[indicator] = entry
                else:
                    findings.pop(indicator, None)
        elif top == "measures":
            measure = measure_ids.get(normalise_word(parts[1])) if len(parts) == 2 else None
            if len(parts) != 2:
                problems.append(_problem(str(raw_path), "path_shape",
                                         example="measures.training_hours_last_year"))
                continue
            if measure is None:
                problems.append(_problem(str(raw_path), "unknown_measure", list(kb.measures)))
                continue
            path = f"measures.{measure}"
            if path in applied:
                problems.append(_problem(str(raw_path), "twice"))
                continue
            if value is None or word in EMPTY_WORDS or word == "":
                measures.pop(measure, None)
                applied[path] = None
                continue
            number = _number(value)
            if number is None:
                problems.append(_problem(str(raw_path), "number", value=value))
                continue
            measures[measure] = int(number) if number.is_integer() else number
            applied[path] = measures[measure]
        else:
            factor = factor_ids.get(normalise_word(parts[1])) if len(parts) == 2 else None
            if len(parts) != 2:
                problems.append(_problem(str(raw_path), "path_shape",
                                         example="factors.minimal_training"))
                continue
            if factor is None:
                problems.append(_problem(str(raw_path), "unknown_factor", list(kb.factors)))
                continue
            path = f"factors.{factor}"
            if path in applied:
                problems.append(_problem(str(raw_path), "twice"))
                continue
            add = value is True or (word is not None and word in ADD_WORDS)
            remove = value is False or (word is not None and word in REMOVE_WORDS)
            if not (add or remove):
                problems.append(_problem(str(raw_path), "factor_value",
                                         ("add", "remove", "tambah", "hapus"), value=value))
                continue
            applied[path] = add
            if add and factor not in factors:
                factors.append(factor)
            elif remove and factor in factors:
                factors.remove(factor)
    if problems:
        raise CaseError(problems)
    if not measures:
        document.pop("measures")
    return document, applied


def what_if(kb: KnowledgeBase, case: Case, changes: Mapping[str, Any],
            lang: str) -> WhatIf:
    """Evaluate ``case`` as given and as changed; nothing is stored."""
    from expert import evaluate  # the package's entry point; imported here to avoid a cycle

    base = case.to_dict()
    document, applied = apply_changes(kb, base, changes)
    changed = parse_case(kb, document)
    before = read_result(evaluate(kb, case).to_dict(lang))
    after = read_result(evaluate(kb, changed).to_dict(lang))
    comparison = compare(kb, base, before, changed.to_dict(), after)
    return WhatIf(changes=applied, case=changed.to_dict(), before=before, after=after,
                  comparison=comparison)

