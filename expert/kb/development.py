"""Competency development as knowledge: the forms Peraturan LAN 10/2018 names and the
programmes that close diagnosed gaps (``knowledge/development.yaml``).

The classes live here and the loader builds them with :func:`read_development`, so the
needs analysis, ``kb check`` and the web read one validated catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from expert.i18n import Text

if TYPE_CHECKING:  # the loader imports this module; only its type is needed here
    from expert.kb.loader import _Reader

FORM_CATEGORIES = ("classical", "non_classical")
DEVELOPMENT_FILE = "development.yaml"


class DevelopmentForm(Struct, frozen=True):
    """A form of competency development (pelatihan, coaching, magang, …)."""

    id: str
    category: str  # classical | non_classical
    label: Text
    description: Text
    references: tuple[str, ...] = ()


class Programme(Struct, frozen=True):
    """A development programme: the gaps (diagnoses) it closes and the forms it uses."""

    id: str
    title: Text
    description: Text
    diagnoses: tuple[str, ...]
    recommendations: tuple[str, ...]
    topic: str
    forms: tuple[str, ...]
    hours: float  # JP target per participant
    priority: str
    timeframe: str
    references: tuple[str, ...] = ()


class DevelopmentCatalogue(Struct, frozen=True):
    minimum_hours: float = 20.0
    minimum_hours_references: tuple[str, ...] = ()
    forms: Mapping[str, DevelopmentForm] = field(default_factory=dict)
    programmes: Mapping[str, Programme] = field(default_factory=dict)

    def programme_of(self, diagnosis: str) -> Programme | None:
        """The programme that closes ``diagnosis``; None when training does not close it."""
        for programme in self.programmes.values():
            if diagnosis in programme.diagnoses:
                return programme
        return None

    @property
    def need_diagnoses(self) -> tuple[str, ...]:
        """Every diagnosis that is a competency-development need, in catalogue order."""
        return tuple(d for p in self.programmes.values() for d in p.diagnoses)


def read_development(reader: _Reader, known: Mapping[str, tuple[str, ...]],
                     topics: tuple[str, ...], timeframes: tuple[str, ...]
                     ) -> DevelopmentCatalogue:
    """Build the catalogue from ``development.yaml`` (optional: without it there are no
    programmes, and the needs analysis lists gaps without forms)."""
    document = reader.read(DEVELOPMENT_FILE, required=False)
    if document is None:
        return DevelopmentCatalogue()
    if not isinstance(document, Mapping):
        reader.problem("", "must be a mapping with 'minimum_hours', 'forms' and 'programmes'")
        return DevelopmentCatalogue()
    reader.check_keys(document, "", ("forms", "programmes"), ("minimum_hours",))
    minimum: float = 20.0
    minimum_refs: tuple[str, ...] = ()
    if "minimum_hours" in document:
        node = reader.mapping(document["minimum_hours"], "minimum_hours") or {}
        reader.check_keys(node, "minimum_hours", ("value",), ("references",))
        value = reader.number(node, "value", "minimum_hours")
        if value is not None and value <= 0:
            reader.problem("minimum_hours.value", "must be more than 0")
        minimum = value if value is not None and value > 0 else minimum
        minimum_refs = reader.cited(node, "minimum_hours")

    def form(node: Mapping[str, Any], path: str) -> DevelopmentForm:
        reader.check_keys(node, path, ("id", "category", "label", "description"),
                          ("references",))
        return DevelopmentForm(reader.ident(node, path),
                               reader.choice(node, "category", path, FORM_CATEGORIES),
                               reader.text(node, "label", path),
                               reader.text(node, "description", path), reader.cited(node, path))

    forms = reader.entries(reader.section(document, "forms"), "forms", form)
    claimed: dict[str, str] = {}

    def ids(node: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...]
            ) -> tuple[str, ...]:
        values = reader.strings(node, key, path)
        if not values:
            reader.problem(f"{path}.{key}", "must name at least one", allowed)
        for index, value in enumerate(values):
            if value not in allowed:
                reader.problem(f"{path}.{key}[{index}]", f"unknown id '{value}'", allowed)
        return values

    def programme(node: Mapping[str, Any], path: str) -> Programme:
        reader.check_keys(node, path, ("id", "title", "description", "diagnoses", "topic",
                                       "forms", "hours", "priority", "timeframe"),
                          ("recommendations", "references"))
        programme_id = reader.ident(node, path)
        diagnoses = ids(node, "diagnoses", path, known["diagnosis"])
        for index, diagnosis in enumerate(diagnoses):
            if diagnosis in claimed:  # one gap, one programme: a need is counted once
                reader.problem(f"{path}.diagnoses[{index}]",
                               f"'{diagnosis}' is already in programme '{claimed[diagnosis]}'")
            claimed.setdefault(diagnosis, programme_id)
        recommendations = reader.strings(node, "recommendations", path)
        for index, rec in enumerate(recommendations):
            if rec not in known["recommendation"]:
                reader.problem(f"{path}.recommendations[{index}]",
                               f"unknown recommendation '{rec}'", known["recommendation"])
        hours = reader.number(node, "hours", path)
        if hours is not None and hours <= 0:
            reader.problem(f"{path}.hours", "must be more than 0 (JP per participant)")
        return Programme(
            id=programme_id, title=reader.text(node, "title", path),
            description=reader.text(node, "description", path), diagnoses=diagnoses,
            recommendations=recommendations, topic=reader.choice(node, "topic", path, topics),
            forms=ids(node, "forms", path, tuple(forms)), hours=hours or 0.0,
            priority=reader.choice(node, "priority", path, known["priority"]),
            timeframe=reader.choice(node, "timeframe", path, timeframes),
            references=reader.cited(node, path))

    programmes = reader.entries(reader.section(document, "programmes"), "programmes", programme)
    return DevelopmentCatalogue(minimum, tuple(minimum_refs), forms, programmes)
