"""The columns of an import table (XLSX or CSV), derived from the knowledge base.

One row is one subject. Headers are Indonesian words the case format already accepts, joined
with `` / ``: ``nama``, ``kemampuan / wawancara``, ``faktor / minim_pelatihan``,
``ukuran / jam_pelatihan``. English words and canonical ids are accepted too, so a table made
by another tool (``ability / interview``) reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from expert.case import COMBINED_SOURCE, SUBJECT_KEYS, TOP_LEVEL_KEYS, Case
from expert.i18n import Text, normalise_word, tr
from expert.kb.model import KnowledgeBase

__all__ = ["YES_WORDS", "NO_WORDS", "Column", "Layout", "layout_for"]

# A factor column is a tick box: these words mean "observed", those "not observed".
YES_WORDS = ("ya", "yes", "y", "x", "v", "✓", "ada", "benar", "true", "1")
NO_WORDS = ("tidak", "no", "n", "t", "-", "tidak ada", "false", "0")
COMBINED_WORDS = {"id": "gabungan", "en": "combined"}
GROUP_WORDS = {"factor": ("faktor", "factor", "factors"), "measure": ("ukuran", "measure",
               "measures"), "note": ("catatan", "notes", "note"), "subject": ("subjek", "subject")}
# Indonesian header words of the subject's keys, where the case format has none of its own
SUBJECT_WORDS = {"name": "nama", "kind": "jenis", "period": "periode"}


@dataclass(frozen=True)
class Column:
    """One column: what it fills in the case (``kind`` and ``key``) and what it accepts."""

    header: str  # as the template writes it (Indonesian)
    kind: str  # subject | finding | factor | measure | skp | note
    key: str  # subject key, indicator, factor or measure id; "" for the general note
    source: str | None = None  # for a finding: a source id or "combined"
    label: Text | None = None  # a longer description for the instructions and cell comments
    allowed: tuple[str, ...] = ()  # the drop-down list; empty for free text and numbers
    required: bool = False

    @property
    def case_path(self) -> str:
        """Where the case reader reports this column's problems."""
        if self.kind == "subject":
            return f"subject.{self.key}"
        if self.kind == "finding":
            suffix = "" if self.source == COMBINED_SOURCE else f".{self.source}"
            return f"findings.{self.key}{suffix}"
        if self.kind == "measure":
            return f"measures.{self.key}"
        if self.kind == "note":
            return f"notes.{self.key}" if self.key else "notes"
        return self.kind


def _word(entry_id: str, aliases: Iterable[str]) -> str:
    """The Indonesian word of an entry: its first alias, or its id."""
    return next(iter(aliases), entry_id).replace(" ", "_")


def _choice(entry: object) -> str:
    """The word a drop-down offers for a vocabulary entry: its Indonesian label when the case
    reader accepts that, else its first alias, else its id."""
    label = tr(getattr(entry, "label", None), "id")
    entry_id = str(getattr(entry, "id", ""))
    aliases = tuple(getattr(entry, "aliases", ()))
    if normalise_word(label) in {normalise_word(w) for w in (entry_id, *aliases)}:
        return label
    return aliases[0] if aliases else entry_id


def _header_key(text: str) -> tuple[str, ...]:
    return tuple(normalise_word(part) for part in str(text).split("/"))


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    index: Mapping[tuple[str, ...], Column]

    def resolve(self, header: str) -> Column | None:
        return self.index.get(_header_key(header))

    @property
    def accepted_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def supports_indicator_notes() -> bool:
    """Whether the case format reads notes per indicator (case-format version 2)."""
    return "indicator_notes" in Case.__struct_fields__


_LAYOUTS: dict[str, Layout] = {}


def layout_for(kb: KnowledgeBase) -> Layout:
    """The template's columns for ``kb`` and every header spelling they answer to."""
    if kb.version not in _LAYOUTS:
        _LAYOUTS[kb.version] = _build_layout(kb)
    return _LAYOUTS[kb.version]


def _build_layout(kb: KnowledgeBase) -> Layout:
    columns: list[Column] = []
    index: dict[tuple[str, ...], Column] = {}

    def add(column: Column, *spellings: tuple[str, ...]) -> None:
        columns.append(column)
        for spelling in (_header_key(column.header), *spellings):
            index.setdefault(tuple(normalise_word(p) for p in spelling), column)

    kinds = tuple(_choice(k) for k in kb.subject_kinds.values())
    for key, aliases in SUBJECT_KEYS.items():
        word = SUBJECT_WORDS.get(key) or _word(key, aliases)
        column = Column(word, "subject", key, label={"id": word, "en": key},
                        allowed=kinds if key == "kind" else (), required=key == "name")
        spellings = [(key,), ("subject", key), ("subjek", word)] + [(a,) for a in aliases]
        add(column, *spellings)
    predicates = getattr(kb, "skp_predicates", None)
    if "skp" in TOP_LEVEL_KEYS and predicates:
        add(Column("predikat_kinerja", "skp", "skp", label={"id": "Predikat SKP",
                   "en": "SKP predicate"}, allowed=tuple(_choice(p) for p in predicates.values())),
            ("skp",), *[(a,) for a in TOP_LEVEL_KEYS["skp"]])
    ratings = tuple(_choice(r) for r in kb.ratings.values()) + ("Belum dinilai",)
    sources = [(s.id, _word(s.id, s.aliases), s.aliases, s.label) for s in kb.sources.values()]
    sources.append((COMBINED_SOURCE, COMBINED_WORDS["id"], (COMBINED_WORDS["id"],),
                    {"id": "gabungan (satu nilai)", "en": "combined (one rating)"}))
    for indicator in kb.indicators.values():
        word = _word(indicator.id, indicator.aliases)
        for source_id, source_word, source_aliases, source_label in sources:
            label = {lang: f"{tr(indicator.label, lang)} — {tr(source_label, lang)}"
                     for lang in ("id", "en")}
            spellings = [(i, s) for i in (indicator.id, *indicator.aliases)
                         for s in (source_id, *source_aliases)]
            add(Column(f"{word} / {source_word}", "finding", indicator.id, source_id, label,
                       ratings), *spellings)
    for factor in kb.factors.values():
        word = _word(factor.id, factor.aliases)
        spellings = [(g, w) for g in GROUP_WORDS["factor"] for w in (factor.id, *factor.aliases)]
        add(Column(f"faktor / {word}", "factor", factor.id, label=factor.label,
                   allowed=("ya", "tidak")), *spellings)
    for measure in kb.measures.values():
        word = _word(measure.id, measure.aliases)
        spellings = [(g, w) for g in GROUP_WORDS["measure"]
                     for w in (measure.id, *measure.aliases)]
        add(Column(f"ukuran / {word}", "measure", measure.id, label=measure.label), *spellings)
    add(Column("catatan", "note", "", label={"id": "Catatan umum", "en": "General notes"}),
        *[(w,) for w in GROUP_WORDS["note"]])
    if supports_indicator_notes():
        for indicator in kb.indicators.values():
            word = _word(indicator.id, indicator.aliases)
            spellings = [(g, w) for g in GROUP_WORDS["note"]
                         for w in (indicator.id, *indicator.aliases)]
            add(Column(f"catatan / {word}", "note", indicator.id,
                       label={lang: f"{tr(indicator.label, lang)} — catatan"
                              for lang in ("id", "en")}), *spellings)
    return Layout(tuple(columns), index)
