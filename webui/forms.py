"""The assessment form: request fields → a case document, with errors beside their fields.

Field names: ``subject_name``, ``subject_kind``, ``period``, ``subject_office``,
``subject_nip``, ``subject_position``, ``subject_assessor``, ``skp``, ``notes``; per indicator
``rating-<indicator>-<source>`` (one per evidence source, plus ``combined`` for a single
rating without sources) and ``note-<indicator>``; ``factor`` (repeated checkboxes);
``measure-<measure>``. The form checks what it can say best in the user's language (required
name, numbers, choices); everything else is the case parser's, whose problems are mapped back
to the fields by their case path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from expert import Case, CaseError, KnowledgeBase, parse_case
from expert.case import COMBINED_SOURCE, CONTROL, MAX_NAME, MAX_NOTES, MAX_PERIOD
from expert.i18n import DEFAULT_LANGUAGE

MAX_NOTE = 2000
# A field's value is kept (to show the form again) up to this many characters: enough for the
# "too long" error, never a megabyte echoed back into a page.
MAX_KEPT = MAX_NOTES + 1
NOT_ASSESSED = ""
FORM_LEVEL = "_form"
SUBJECT_DETAILS = ("office", "nip", "position", "assessor")  # case v2: subject.<detail>

Translate = Callable[..., str]


def rating_name(indicator: str, source: str) -> str:
    return f"rating-{indicator}-{source}"


def all_sources_name(indicator: str) -> str:
    """The one control that gives every evidence source of an indicator the same rating."""
    return f"rating-{indicator}-all"


def note_name(indicator: str) -> str:
    return f"note-{indicator}"


def measure_name(measure: str) -> str:
    return f"measure-{measure}"


def field_for_path(path: str) -> str:
    """The form field a case path names (``findings.ability.interview`` → its select)."""
    parts = re.split(r"[.\[]", path)
    head = parts[0]
    if head == "subject" and len(parts) > 1:
        details = {d: f"subject_{d}" for d in SUBJECT_DETAILS}
        return {"name": "subject_name", "kind": "subject_kind", "period": "period",
                **details}.get(parts[1], "subject_name")
    if head == "skp":
        return "skp"
    if head == "findings" and len(parts) == 3:
        return rating_name(parts[1], parts[2])
    if head == "findings" and len(parts) == 2:
        return rating_name(parts[1], COMBINED_SOURCE)
    if head == "factors":
        return "factor"
    if head == "measures" and len(parts) == 2:
        return measure_name(parts[1])
    if head == "notes" and len(parts) == 2 and parts[1] not in ("general", "umum"):
        return note_name(parts[1])
    if head == "notes":
        return "notes"
    return FORM_LEVEL


def field_label(kb: KnowledgeBase, name: str, t: Translate, lang: str) -> str:
    """The label of a form field, so that an error can name it ("Nama subjek: Wajib diisi.")."""
    subject_fields = {"subject_name": "form.subject_name", "subject_kind": "form.subject_kind",
                      "period": "form.period", "notes": "form.notes", "factor": "form.factors",
                      "skp": "form.skp",
                      **{f"subject_{d}": f"form.subject_{d}" for d in SUBJECT_DETAILS}}
    if name in subject_fields:
        return t(subject_fields[name])
    parts = name.split("-")
    if parts[0] == "rating" and len(parts) == 3 and parts[1] in kb.indicators:
        source = parts[2]
        which = (t("source.combined") if source == COMBINED_SOURCE else
                 t("form.all_sources") if source == "all" else kb.label("sources", source, lang))
        return f"{kb.label('indicators', parts[1], lang)} — {which}"
    if parts[0] == "note" and len(parts) == 2 and parts[1] in kb.indicators:
        return f"{kb.label('indicators', parts[1], lang)} — {t('form.indicator_note')}"
    if parts[0] == "measure" and len(parts) == 2 and parts[1] in kb.measures:
        return kb.label("measures", parts[1], lang)
    return ""


def parse_number(text: str) -> float | None:
    """A number as people write it: '4', '2.5', Indonesian '2,5'; None if it is not one."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _field_text(value: str) -> str:
    """A browser's line breaks (CR LF) as the case format's (LF)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() else value


@dataclass
class AssessmentForm:
    kb: KnowledgeBase
    values: dict[str, str] = field(default_factory=dict)
    factors: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def blank(cls, kb: KnowledgeBase) -> AssessmentForm:
        return cls(kb, {"subject_kind": next(iter(kb.subject_kinds))})

    @classmethod
    def from_request(cls, kb: KnowledgeBase, form: MultiDict[str, str]) -> AssessmentForm:
        values = {key: _field_text(form.get(key, "")) for key in form
                  if key not in ("factor", "csrf_token")}
        return cls(kb, values, list(dict.fromkeys(form.getlist("factor"))))

    @classmethod
    def from_case(cls, kb: KnowledgeBase, case: Mapping[str, Any],
                  indicator_notes: Mapping[str, str] | None = None) -> AssessmentForm:
        """A form filled from a stored (canonical) case document."""
        subject = case.get("subject", {})
        notes = case.get("notes")
        # notes are free text, or (case format v2) `general` and per-indicator notes
        general = notes.get("general") if isinstance(notes, Mapping) else notes
        values: dict[str, str] = {
            "subject_name": str(subject.get("name", "")),
            "subject_kind": str(subject.get("kind", next(iter(kb.subject_kinds)))),
            "period": str(subject.get("period") or ""),
            "skp": str(case.get("skp") or ""),
            "notes": str(general or ""),
        }
        for detail in SUBJECT_DETAILS:
            values[f"subject_{detail}"] = str(subject.get(detail) or "")
        if isinstance(notes, Mapping):
            for indicator, note in notes.items():
                if indicator != "general" and note:
                    values[note_name(str(indicator))] = str(note)
        for indicator, finding in (case.get("findings") or {}).items():
            if isinstance(finding, Mapping):
                for source, rating in finding.items():
                    values[rating_name(indicator, source)] = str(rating)
            elif finding is not None:
                values[rating_name(indicator, COMBINED_SOURCE)] = str(finding)
        for measure, value in (case.get("measures") or {}).items():
            values[measure_name(measure)] = str(value)
        for indicator, note in (indicator_notes or {}).items():
            values[note_name(indicator)] = note
        return cls(kb, values, [str(f) for f in case.get("factors") or ()])

    # -- reading -----------------------------------------------------------------------------
    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    @property
    def form_errors(self) -> list[str]:
        return self.errors.get(FORM_LEVEL, [])

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def indicator_notes(self) -> dict[str, str]:
        notes = {}
        for indicator in self.kb.indicators:
            note = self.value(note_name(indicator)).strip()
            if note:
                notes[indicator] = note
        return notes

    # -- validation --------------------------------------------------------------------------
    def validate(self, t: Translate, lang: str = DEFAULT_LANGUAGE) -> Case | None:
        """The case, or None with ``errors`` filled in (every problem, beside its field)."""
        self.errors = {}
        document = self._document(t)
        checked = set(self.errors)
        try:
            case = parse_case(self.kb, document)
        except CaseError as error:
            for problem in error.problems:
                name = field_for_path(problem.path)
                if name in checked:  # the form has said it already, in the user's language
                    continue
                message = problem.text(lang)
                if problem.allowed:
                    message += " (" + ", ".join(problem.allowed) + ")"
                self.add_error(name, message)
            self._keep_safely()
            return None
        if self.errors:
            self._keep_safely()
            return None
        return case

    def _keep_safely(self) -> None:
        """The input shown again with its errors: bounded, control characters replaced (the
        error beside the field says what was wrong)."""
        for name, value in self.values.items():
            self.values[name] = CONTROL.sub("\ufffd", value[:MAX_KEPT])

    def _text(self, name: str, limit: int, t: Translate, required: bool = False) -> str | None:
        text = self.value(name).strip()
        if required and not text:
            self.add_error(name, t("error.required"))
            return None
        if len(text) > limit:
            self.add_error(name, t("error.too_long", limit=limit))
            return None
        if CONTROL.search(text):
            self.add_error(name, t("error.control"))
            return None
        return text or None

    def _choice(self, name: str, allowed: Mapping[str, Any], t: Translate) -> str | None:
        value = self.value(name)
        if value == NOT_ASSESSED:
            return None
        if value not in allowed:
            self.add_error(name, t("error.choice"))
            return None
        return value

    def _document(self, t: Translate) -> dict[str, Any]:
        kb = self.kb
        subject: dict[str, Any] = {"name": self._text("subject_name", MAX_NAME, t, True) or ""}
        kind = self._choice("subject_kind", kb.subject_kinds, t)
        if kind is not None:
            subject["kind"] = kind
        period = self._text("period", MAX_PERIOD, t)
        if period is not None:
            subject["period"] = period
        for detail in SUBJECT_DETAILS:
            text = self._text(f"subject_{detail}", MAX_NAME, t)
            if text is not None:
                subject[detail] = text
        findings: dict[str, Any] = {}
        for indicator in kb.indicators:
            sources = {}
            every = self._choice(all_sources_name(indicator), kb.ratings, t)
            for source in kb.sources:
                rating = self._choice(rating_name(indicator, source), kb.ratings, t)
                if rating is None and every is not None:  # "all sources" fills the empty ones
                    rating = every
                if rating is not None:
                    sources[source] = rating
            combined_field = rating_name(indicator, COMBINED_SOURCE)
            combined = self._choice(combined_field, kb.ratings, t)
            if combined is not None and sources:
                self.add_error(combined_field, t("error.combined_and_sources"))
            elif combined is not None:
                findings[indicator] = combined
            elif sources:
                findings[indicator] = sources
            self._text(note_name(indicator), MAX_NOTE, t)
        factors = []
        for factor in self.factors:
            if factor in kb.factors:
                factors.append(factor)
            else:
                self.add_error("factor", t("error.choice"))
        measures: dict[str, Any] = {}
        for measure_id, measure in kb.measures.items():
            name = measure_name(measure_id)
            text = self.value(name).strip()
            if not text:
                continue
            number = parse_number(text)
            if number is None:
                self.add_error(name, t("error.number"))
            elif number < 0:
                self.add_error(name, t("error.negative"))
            elif measure.integer and not number.is_integer():
                self.add_error(name, t("error.whole_number"))
            elif measure.maximum is not None and number > measure.maximum:
                self.add_error(name, t("error.maximum", maximum=_plain(measure.maximum)))
            else:
                measures[measure_id] = _plain(number)
        document: dict[str, Any] = {"subject": subject, "findings": findings,
                                    "factors": factors, "measures": measures}
        skp = self._choice("skp", kb.skp_predicates, t)
        if skp is not None:
            document["skp"] = skp
        notes = self._text("notes", MAX_NOTES, t)
        if notes is not None:
            document["notes"] = notes
        return document


def case_document(case: Mapping[str, Any], indicator_notes: Mapping[str, str],
                  heading: str) -> dict[str, Any]:
    """The case to download: the stored document, with the notes per indicator as the case
    format's notes mapping (``general`` and one note per indicator). ``heading`` is kept for
    callers of the version-1 form, which appended them to the free text."""
    document = dict(case)
    if indicator_notes:
        notes = document.get("notes")
        mapping: dict[str, str] = dict(notes) if isinstance(notes, Mapping) else (
            {"general": str(notes)} if notes else {})
        for indicator, note in indicator_notes.items():
            mapping.setdefault(indicator, note)
        document["notes"] = mapping
    return document
