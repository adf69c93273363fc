"""Read a case (the findings of one assessment) in the vocabulary of ``case-format.md``.

Every problem is collected, with the path as the user wrote it and the allowed values; a case
with any problem raises :class:`CaseError` and nothing is evaluated. Inside a parsed case every
word is canonical English, so an Indonesian case and its English twin are the same case.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from msgspec import Struct, field

from expert.case_messages import case_problem
from expert.errors import MAX_PROBLEMS, CaseError, Problem
from expert.i18n import normalise_word
from expert.kb.model import KnowledgeBase, alias_index
from expert.reader import read_bytes, read_path, read_stream

COMBINED_SOURCE = "combined"
NOT_ASSESSED_WORDS = {normalise_word(w) for w in ("not assessed", "belum dinilai", "tidak dinilai")}

TOP_LEVEL_KEYS = {
    "subject": ("subjek",), "findings": ("temuan",), "factors": ("faktor",),
    "measures": ("ukuran",), "skp": ("predikat_kinerja", "predikat_skp"),
    "notes": ("catatan",),
}
SUBJECT_KEYS = {"name": ("nama",), "kind": ("jenis",), "period": ("periode",),
                "office": ("instansi", "unit_kerja"), "nip": (), "position": ("jabatan",),
                "assessor": ("penilai",)}
GENERAL_NOTE_KEYS = ("general", "umum")
MAX_NAME = 200  # characters of a name, office, position or assessor
MAX_NOTES = 5000  # characters of one note
NIP_DIGITS = 18

MAX_PERIOD = 100
# Control characters other than newline and tab (C0, DEL, C1): they can drive a terminal.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A measure written as text: a plain decimal number, with an Indonesian decimal comma or a point.
DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?\Z")


class SourceFinding(Struct, frozen=True):
    """What one evidence source found for one indicator; ``source`` may be ``combined``."""

    indicator: str
    source: str
    rating: str

    @property
    def path(self) -> str:
        if self.source == COMBINED_SOURCE:
            return f"findings.{self.indicator}"
        return f"findings.{self.indicator}.{self.source}"


class Case(Struct, frozen=True):
    subject_name: str
    subject_kind: str = "unit"
    period: str | None = None
    findings: tuple[SourceFinding, ...] = ()
    factors: tuple[str, ...] = ()
    measures: Mapping[str, float] = field(default_factory=dict)
    notes: str | None = None  # the general note
    office: str | None = None
    nip: str | None = None
    position: str | None = None
    assessor: str | None = None
    skp: str | None = None  # the employee's SKP predicate id
    indicator_notes: Mapping[str, str] = field(default_factory=dict)

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
        for key in ("period", "office", "nip", "position", "assessor"):
            if getattr(self, key) is not None:
                subject[key] = getattr(self, key)
        data: dict[str, Any] = {"subject": subject, "findings": findings,
                                "factors": list(self.factors)}
        if self.measures:
            data["measures"] = {k: _plain_number(v) for k, v in self.measures.items()}
        if self.skp is not None:
            data["skp"] = self.skp
        if self.indicator_notes:
            notes: dict[str, str] = {"general": self.notes} if self.notes else {}
            data["notes"] = notes | dict(self.indicator_notes)
        elif self.notes:
            data["notes"] = self.notes
        return data


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _shown(value: float) -> str:
    """A number for a message: huge integers shortened rather than printed in full."""
    if value == 0 and math.copysign(1.0, value) < 0:
        return "-0"
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:10]}…({len(text)} digits)"


def load_case_text(kb: KnowledgeBase, text: str | bytes, name: str = "case") -> Case:
    """Parse a case from YAML or JSON text (at most 1 MiB; see :mod:`expert.reader`)."""
    return parse_case(kb, read_bytes(text, name=name))


def _invalid_texts(data: Any) -> list[str]:
    """The paths of strings that are not valid Unicode (lone surrogates from JSON escapes)."""
    found = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, node = stack.pop()
        items: list[tuple[Any, Any]] = []
        if isinstance(node, dict):
            items = list(node.items())
        elif isinstance(node, list):
            items = [(f"[{i}]", v) for i, v in enumerate(node)]
        elif isinstance(node, str) and not _encodable(node):
            found.append(path)
        for key, value in items:
            if isinstance(key, str) and not _encodable(key):
                found.append(path or "(document)")
                continue
            step = key if isinstance(key, str) and key.startswith("[") else f".{key}"
            child = f"{path}{step}" if path else str(key)
            stack.append((child, value))
    return sorted(found)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_case_file(kb: KnowledgeBase, path: str | Path) -> Case:
    """Read a case file; a missing, unreadable or oversized file is a CaseError."""
    return parse_case(kb, read_path(path))


def read_case_stream(kb: KnowledgeBase, stream: IO[bytes], name: str) -> Case:
    """Read a case from a binary stream (stdin, an upload), at most 1 MiB of it."""
    return parse_case(kb, read_stream(stream, name))


def parse_case(kb: KnowledgeBase, data: Any) -> Case:
    """Validate an already-decoded case document; raise CaseError listing every problem."""
    return _CaseReader(kb).read(data)


class _CaseReader:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.problems: list[Problem] = []
        self.more = 0  # problems past MAX_PROBLEMS: counted, not built
        self.ratings = alias_index(kb.ratings)
        self.sources = alias_index(kb.sources)
        self.indicators = alias_index(kb.indicators)
        self.factors = alias_index(kb.factors)
        self.measures = alias_index(kb.measures)
        self.kinds = alias_index(kb.subject_kinds)
        self.skp_predicates = alias_index(kb.skp_predicates)

    def problem(self, path: str, code: str, allowed: tuple[str, ...] | list[str] = (),
                **params: Any) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
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
        invalid = _invalid_texts(data)
        if invalid:
            raise CaseError([case_problem(path, "invalid_text") for path in invalid])
        top = self.keys(data, "", TOP_LEVEL_KEYS)
        name, kind, period, details = self.subject(top.get("subject"))
        findings = self.findings(top.get("findings"))
        factors = self.factor_list(top.get("factors"))
        measures = self.measure_map(top.get("measures"))
        skp = self.skp(top.get("skp"))
        notes, indicator_notes = self.notes(top.get("notes"))
        if self.problems:
            raise CaseError(self.problems, self.more)
        return Case(name, kind, period, findings, factors, measures, notes, skp=skp,
                    indicator_notes=indicator_notes, **details)

    def note_text(self, raw: Any, path: str) -> str | None:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            self.problem(path, "must_be_text")
            return None
        return self.text(str(raw), path, MAX_NOTES)

    def notes(self, entry: tuple[str, Any] | None) -> tuple[str | None, dict[str, str]]:
        """Free text, or a mapping of ``general`` and per-indicator notes."""
        if entry is None or entry[1] is None:
            return None, {}
        key, node = entry
        if not isinstance(node, Mapping):
            return self.note_text(node, key), {}
        general: str | None = None
        per_indicator: dict[str, str] = {}
        general_words = {normalise_word(w) for w in GENERAL_NOTE_KEYS}
        for raw_key, value in node.items():
            path = f"{key}.{raw_key}"
            word = normalise_word(str(raw_key))
            indicator = self.indicators.get(word)
            if word in general_words:
                if general is not None:
                    self.problem(path, "given_twice", word="general")
                    continue
                general = self.note_text(value, path) if value is not None else None
            elif indicator is None:
                self.problem(path, "unknown_note_key", ["general", *self.kb.indicators])
            elif indicator in per_indicator:
                self.problem(path, "given_twice", word=indicator)
            elif value is not None:
                text = self.note_text(value, path)
                if text is not None:
                    per_indicator[indicator] = text
        return general, per_indicator

    def skp(self, entry: tuple[str, Any] | None) -> str | None:
        if entry is None or entry[1] is None:
            return None
        key, raw = entry
        found = self.skp_predicates.get(normalise_word(raw)) if isinstance(raw, str) else None
        if found is None:
            self.problem(key, "unknown_skp", list(self.kb.skp_predicates), value=raw)
        return found

    def short_text(self, fields: Mapping[str, tuple[str, Any]], name: str, path: str
                   ) -> str | None:
        """An optional name-like field: text of at most MAX_NAME characters."""
        if name not in fields or fields[name][1] is None:
            return None
        raw_key, raw = fields[name]
        where = f"{path}.{raw_key}"
        if not isinstance(raw, str) or not raw.strip():
            self.problem(where, "non_empty_text")
            return None
        return self.text(raw.strip(), where, MAX_NAME)

    def nip(self, fields: Mapping[str, tuple[str, Any]], path: str) -> str | None:
        if "nip" not in fields or fields["nip"][1] is None:
            return None
        raw_key, raw = fields["nip"]
        text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) \
            else ""
        if len(text) != NIP_DIGITS or not all(c in "0123456789" for c in text):
            self.problem(f"{path}.{raw_key}", "nip_format", digits=NIP_DIGITS)
            return None
        return text

    def subject(self, entry: tuple[str, Any] | None
                ) -> tuple[str, str, str | None, dict[str, str | None]]:
        if entry is None:
            self.problem("subject", "subject_required")
            return "", "unit", None, {}
        key, node = entry
        if not isinstance(node, Mapping):
            self.problem(key, "subject_mapping", list(SUBJECT_KEYS))
            return "", "unit", None, {}
        fields = self.keys(node, key, SUBJECT_KEYS)
        details = {name: self.short_text(fields, name, key)
                   for name in ("office", "position", "assessor")}
        details["nip"] = self.nip(fields, key)
        name = ""
        if "name" not in fields:
            self.problem(f"{key}.name", "required")
        else:
            name_key, raw_name = fields["name"]
            if not isinstance(raw_name, str) or not raw_name.strip():
                self.problem(f"{key}.{name_key}", "non_empty_text")
            else:
                name = self.text(raw_name.strip(), f"{key}.{name_key}", MAX_NAME) or ""
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
            # a YAML float would lose digits (2024.10 reads as 2024.1): text or an integer only
            if isinstance(raw_period, Mapping | list | bool | float):
                self.problem(f"{key}.{period_key}", "period_text")
            else:
                period = self.text(str(raw_period), f"{key}.{period_key}", MAX_PERIOD)
        return name, kind, period, details

    def text(self, value: str, path: str, limit: int) -> str | None:
        """Free text as given, or None with a problem: no control characters, bounded."""
        control = CONTROL.search(value)
        if control:
            self.problem(path, "control_character", char=f"U+{ord(control.group()):04X}")
            return None
        if len(value) > limit:
            self.problem(path, "too_long", limit=limit, length=len(value))
            return None
        return value

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
            number = self.number(value, path, measure.maximum is None)
            if number is None:
                continue
            shown = _shown(value) if not isinstance(value, str) else value
            if number < 0 or math.copysign(1.0, number) < 0:  # -0 too: a sign is a mistake
                self.problem(path, "negative", value=shown)
                continue
            if measure.maximum is not None and number > measure.maximum:
                limit = _plain_number(measure.maximum)
                self.problem(path, "too_large", limit=limit, value=shown)
                continue
            if measure.integer and not number.is_integer():
                self.problem(path, "not_whole", value=shown)
                continue
            result[measure_id] = number
        return result

    def number(self, value: Any, path: str, unbounded: bool) -> float | None:
        """A measure's number: a plain decimal (an int or float the reader resolved, or text
        such as "19,5"); booleans, non-finite values and every other text are refused."""
        if isinstance(value, str) and DECIMAL_TEXT.match(value.strip()):
            return float(value.strip().replace(",", "."))
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, "not_number", value=value)
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer past any float: past any measure's bound too
            number = math.inf
        if math.isnan(number) or (math.isinf(number) and isinstance(value, float)):
            self.problem(path, "not_number", value=value)
            return None
        if math.isinf(number) and unbounded:
            self.problem(path, "not_number", value=_shown(value))
            return None
        return number
