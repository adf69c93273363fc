"""Read a case (the findings of one assessment) in the vocabulary of ``case-format.md``.

Every problem is collected, with the path as the user wrote it and the allowed values; a case
with any problem raises :class:`CaseError` and nothing is evaluated. Inside a parsed case every
word is canonical English, so an Indonesian case and its English twin are the same case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from expert.case_messages import case_problem
from expert.errors import CaseError, Problem
from expert.i18n import normalise_word
from expert.kb.model import KnowledgeBase, alias_index

COMBINED_SOURCE = "combined"
NOT_ASSESSED_WORDS = {normalise_word(w) for w in ("not assessed", "belum dinilai", "tidak dinilai")}

TOP_LEVEL_KEYS = {
    "subject": ("subjek",), "findings": ("temuan",), "factors": ("faktor",),
    "measures": ("ukuran",), "notes": ("catatan",),
}
SUBJECT_KEYS = {"name": ("nama",), "kind": ("jenis",), "period": ("periode",)}


@dataclass(frozen=True)
class SourceFinding:
    """What one evidence source found for one indicator; ``source`` may be ``combined``."""

    indicator: str
    source: str
    rating: str

    @property
    def path(self) -> str:
        if self.source == COMBINED_SOURCE:
            return f"findings.{self.indicator}"
        return f"findings.{self.indicator}.{self.source}"


@dataclass(frozen=True)
class Case:
    subject_name: str
    subject_kind: str = "unit"
    period: str | None = None
    findings: tuple[SourceFinding, ...] = ()
    factors: tuple[str, ...] = ()
    measures: Mapping[str, float] = field(default_factory=dict)
    notes: str | None = None

    def assessed_indicators(self) -> list[str]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            seen.setdefault(finding.indicator, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """The canonical (English) case document, ready for YAML or JSON."""
        findings: dict[str, Any] = {}
        for item in self.findings:
            if item.source == COMBINED_SOURCE:
                findings[item.indicator] = item.rating
            else:
                findings.setdefault(item.indicator, {})[item.source] = item.rating
        subject: dict[str, Any] = {"name": self.subject_name, "kind": self.subject_kind}
        if self.period is not None:
            subject["period"] = self.period
        data: dict[str, Any] = {"subject": subject, "findings": findings,
                                "factors": list(self.factors)}
        if self.measures:
            data["measures"] = {k: _plain_number(v) for k, v in self.measures.items()}
        if self.notes:
            data["notes"] = self.notes
        return data


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def load_case_text(kb: KnowledgeBase, text: str | bytes, name: str = "case") -> Case:
    """Parse a case from YAML or JSON text."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CaseError([case_problem("", "not_utf8", name=name)]) from None
    if not text.strip():
        raise CaseError([case_problem("", "empty", name=name)])
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CaseError([case_problem("", "not_yaml", name=name, detail=first_line)]) from None
    if data is None:
        raise CaseError([case_problem("", "empty", name=name)])
    return parse_case(kb, data)


def read_case_file(kb: KnowledgeBase, path: str | Path) -> Case:
    """Read a case file; a missing or unreadable file is a CaseError, not a traceback."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = case_problem("", "unreadable", name=str(path), detail=exc.strerror)
        raise CaseError([problem]) from None
    return load_case_text(kb, raw, name=str(path))


def parse_case(kb: KnowledgeBase, data: Any) -> Case:
    """Validate an already-decoded case document; raise CaseError listing every problem."""
    return _CaseReader(kb).read(data)


class _CaseReader:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.problems: list[Problem] = []
        self.ratings = alias_index(kb.ratings)
        self.sources = alias_index(kb.sources)
        self.indicators = alias_index(kb.indicators)
        self.factors = alias_index(kb.factors)
        self.measures = alias_index(kb.measures)
        self.kinds = alias_index(kb.subject_kinds)

    def problem(self, path: str, code: str, allowed: tuple[str, ...] | list[str] = (),
                **params: Any) -> None:
        self.problems.append(case_problem(path, code, allowed, **params))

    def keys(self, node: Mapping[Any, Any], path: str, table: Mapping[str, tuple[str, ...]]
             ) -> dict[str, tuple[str, Any]]:
        """Map the user's keys to canonical ones; report unknown and repeated keys."""
        index: dict[str, str] = {normalise_word(k): k for k in table}
        for word, aliases in table.items():
            index.update({normalise_word(a): word for a in aliases})
        found: dict[str, tuple[str, Any]] = {}
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            canonical = index.get(normalise_word(str(key)))
            if canonical is None:
                self.problem(where, "unknown_key", list(table))
            elif canonical in found:
                self.problem(where, "given_twice", word=canonical)
            else:
                found[canonical] = (str(key), value)
        return found

    def read(self, data: Any) -> Case:
        if not isinstance(data, Mapping):
            raise CaseError([case_problem("", "not_a_case", tuple(TOP_LEVEL_KEYS))])
        top = self.keys(data, "", TOP_LEVEL_KEYS)
        name, kind, period = self.subject(top.get("subject"))
        findings = self.findings(top.get("findings"))
        factors = self.factor_list(top.get("factors"))
        measures = self.measure_map(top.get("measures"))
        notes = None
        if "notes" in top and top["notes"][1] is not None:
            raw_notes = top["notes"][1]
            if not isinstance(raw_notes, str | int | float) or isinstance(raw_notes, bool):
                self.problem(top["notes"][0], "must_be_text")
            else:
                notes = str(raw_notes)
        if self.problems:
            raise CaseError(self.problems)
        return Case(name, kind, period, findings, factors, measures, notes)

    def subject(self, entry: tuple[str, Any] | None) -> tuple[str, str, str | None]:
        if entry is None:
            self.problem("subject", "subject_required")
            return "", "unit", None
        key, node = entry
        if not isinstance(node, Mapping):
            self.problem(key, "subject_mapping", list(SUBJECT_KEYS))
            return "", "unit", None
        fields = self.keys(node, key, SUBJECT_KEYS)
        name = ""
        if "name" not in fields:
            self.problem(f"{key}.name", "required")
        else:
            name_key, raw_name = fields["name"]
            if not isinstance(raw_name, str) or not raw_name.strip():
                self.problem(f"{key}.{name_key}", "non_empty_text")
            else:
                name = raw_name.strip()
        kind = "unit"
        if "kind" in fields:
            kind_key, raw_kind = fields["kind"]
            found = self.kinds.get(normalise_word(str(raw_kind))) if raw_kind is not None else None
            if found is None:
                self.problem(f"{key}.{kind_key}", "unknown_kind", list(self.kb.subject_kinds),
                             value=raw_kind)
            else:
                kind = found
        period = None
        if "period" in fields and fields["period"][1] is not None:
            period_key, raw_period = fields["period"]
            if isinstance(raw_period, Mapping | list) or isinstance(raw_period, bool):
                self.problem(f"{key}.{period_key}", "period_text")
            else:
                period = str(raw_period)
        return name, kind, period

    def rating(self, raw: Any, path: str) -> str | None:
        """A canonical rating, None for an explicit 'not assessed', or a reported problem."""
        if raw is None or (isinstance(raw, str) and normalise_word(raw) in NOT_ASSESSED_WORDS):
            return None
        found = self.ratings.get(normalise_word(raw)) if isinstance(raw, str) else None
        if found is None:
            self.problem(path, "rating_outside", list(self.kb.ratings), value=raw)
            return None
        return found

    def findings(self, entry: tuple[str, Any] | None) -> tuple[SourceFinding, ...]:
        if entry is None or entry[1] is None:
            return ()
        key, node = entry
        if not isinstance(node, Mapping):
            self.problem(key, "findings_mapping", list(self.kb.indicators))
            return ()
        result: list[SourceFinding] = []
        seen: set[str] = set()
        for raw_indicator, value in node.items():
            path = f"{key}.{raw_indicator}"
            indicator = self.indicators.get(normalise_word(str(raw_indicator)))
            if indicator is None:
                self.problem(path, "unknown_indicator", list(self.kb.indicators))
                continue
            if indicator in seen:
                self.problem(path, "given_twice", word=indicator)
                continue
            seen.add(indicator)
            if isinstance(value, Mapping):
                result.extend(self.sources_of(indicator, value, path))
            elif isinstance(value, list):
                self.problem(path, "finding_shape", list(self.kb.sources))
            else:
                rating = self.rating(value, path)
                if rating is not None:
                    result.append(SourceFinding(indicator, COMBINED_SOURCE, rating))
        return tuple(result)

    def sources_of(self, indicator: str, node: Mapping[Any, Any], path: str
                   ) -> list[SourceFinding]:
        result: list[SourceFinding] = []
        seen: set[str] = set()
        for raw_source, raw_rating in node.items():
            source_path = f"{path}.{raw_source}"
            source = self.sources.get(normalise_word(str(raw_source)))
            if source is None:
                self.problem(source_path, "unknown_source", list(self.kb.sources))
                continue
            if source in seen:
                self.problem(source_path, "given_twice", word=source)
                continue
            seen.add(source)
            rating = self.rating(raw_rating, source_path)
            if rating is not None:
                result.append(SourceFinding(indicator, source, rating))
        return result

    def factor_list(self, entry: tuple[str, Any] | None) -> tuple[str, ...]:
        if entry is None or entry[1] is None:
            return ()
        key, node = entry
        if not isinstance(node, list):
            self.problem(key, "factors_list", list(self.kb.factors))
            return ()
        result: list[str] = []
        for index, raw in enumerate(node):
            path = f"{key}[{index}]"
            factor = self.factors.get(normalise_word(raw)) if isinstance(raw, str) else None
            if factor is None:
                self.problem(path, "unknown_factor", list(self.kb.factors), value=raw)
            elif factor in result:
                self.problem(path, "listed_twice", word=factor)
            else:
                result.append(factor)
        return tuple(result)

    def measure_map(self, entry: tuple[str, Any] | None) -> dict[str, float]:
        if entry is None or entry[1] is None:
            return {}
        key, node = entry
        if not isinstance(node, Mapping):
            self.problem(key, "measures_mapping", list(self.kb.measures))
            return {}
        result: dict[str, float] = {}
        for raw_measure, value in node.items():
            path = f"{key}.{raw_measure}"
            measure_id = self.measures.get(normalise_word(str(raw_measure)))
            if measure_id is None:
                self.problem(path, "unknown_measure", list(self.kb.measures))
                continue
            if measure_id in result:
                self.problem(path, "given_twice", word=measure_id)
                continue
            measure = self.kb.measures[measure_id]
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value):
                self.problem(path, "not_number", value=value)
                continue
            if value < 0:
                self.problem(path, "negative", value=value)
                continue
            if measure.integer and not float(value).is_integer():
                self.problem(path, "not_whole", value=value)
                continue
            if measure.maximum is not None and value > measure.maximum:
                limit = _plain_number(measure.maximum)
                self.problem(path, "too_large", limit=limit, value=value)
                continue
            result[measure_id] = float(value)
        return result
