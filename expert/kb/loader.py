"""Load and validate the knowledge base folder; every problem names its file and key path."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from expert.errors import KnowledgeBaseError, Problem
from expert.i18n import LANGUAGES, normalise_word
from expert.kb.development import read_development
from expert.kb.location import default_knowledge_dir
from expert.kb.model import (
    CONCLUSION_KINDS,
    GENERIC_KINDS,
    MONITOR_SCOPES,
    Conclusion,
    Condition,
    Diagnosis,
    Dimension,
    Factor,
    Indicator,
    KnowledgeBase,
    Measure,
    Monitor,
    Recommendation,
    Reference,
    Rule,
    Term,
)
from expert.rules.conditions import BUILT_IN_VOCABULARIES, parse_condition
from expert.yaml_loader import safe_load

__all__ = ["default_knowledge_dir", "load_knowledge_base", "read_knowledge_base"]

VOCABULARIES = (
    "ratings", "sources", "subject_kinds", "agreements", "audiences", "topics", "priorities",
    "timeframes", "skp_predicates",
)
FACTOR_KINDS = ("inhibiting", "supporting")
FACTOR_SCOPES = ("individual", "environmental")
REFERENCE_KINDS = ("study", "book", "regulation", "guidance")
EVIDENCE_LEVELS = ("primary", "secondary")
AGGREGATION_METHODS = ("mean_score",)
COMBINE_METHODS = ("lower_median",)


def load_knowledge_base(directory: str | Path | None = None) -> KnowledgeBase:
    """Read, validate and index the knowledge base.

    Raises KnowledgeBaseError listing every problem found, each with its file and key path.
    """
    return read_knowledge_base(directory)[0]


def read_knowledge_base(directory: str | Path | None = None
                        ) -> tuple[KnowledgeBase, dict[str, bytes | None]]:
    """:func:`load_knowledge_base`, and every file it asked for with its bytes (None: absent),
    in the order it read them."""
    root = Path(directory) if directory is not None else default_knowledge_dir()
    reader = _Reader(root)
    return reader.load(), reader.files


class _Document(dict[Any, Any]):
    """A file's top-level mapping that remembers which keys the loader looked at: any other
    key is a typo or a section this version does not know, and is reported, not ignored."""

    def __init__(self, data: Mapping[Any, Any]):
        super().__init__(data)
        self.seen: set[Any] = set()

    def __getitem__(self, key: Any) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.seen.add(key)
        return super().__contains__(key)


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.file = ""
        self.digest = hashlib.sha256()
        self.documents: dict[str, _Document] = {}
        # every file asked for, in order, with its bytes (None: absent): what the base was
        # made of, which the cache (expert.cache) compares before it trusts a saved base
        self.files: dict[str, bytes | None] = {}

    # -- reporting ---------------------------------------------------------------------------
    def problem(self, path: str, message: str, allowed: Iterable[str] = ()) -> None:
        self.problems.append(Problem(path, message, tuple(allowed), self.file))

    # -- files -------------------------------------------------------------------------------
    def read(self, relative: str, required: bool = True) -> Any:
        self.file = relative
        path = self.root / relative
        self.files[relative] = None
        if not path.is_file():
            if required:
                self.problem("", "file is missing")
            return None
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problem("", f"cannot read the file: {exc.strerror or exc}")
            return None
        self.files[relative] = raw
        self.digest.update(relative.encode() + b"\0" + raw + b"\0")
        try:
            data = safe_load(raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problem("", f"not valid YAML: {exc}".splitlines()[0])
            return None
        if isinstance(data, Mapping):
            data = self.documents[relative] = _Document(data)
        return data

    def check_top_level(self) -> None:
        """Every file's top-level keys that nothing read: reported with the ones it knows."""
        for relative, document in self.documents.items():
            self.file = relative
            known = sorted(str(k) for k in document.seen if k in document.keys())
            for key in document.keys():
                if key not in document.seen:
                    self.problem(str(key), "not a top-level key of this file", known)

    def section(self, document: Any, key: str) -> list[Any]:
        if document is None:
            return []
        if not isinstance(document, Mapping) or key not in document:
            self.problem(key, f"the file must have a top-level '{key}' list")
            return []
        items = document[key]
        if not isinstance(items, list):
            self.problem(key, "must be a list")
            return []
        return items

    # -- field readers -----------------------------------------------------------------------
    def mapping(self, node: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(node, Mapping):
            self.problem(path, "must be a mapping")
            return None
        return node

    def check_keys(self, node: Mapping[str, Any], path: str, required: Iterable[str],
                   optional: Iterable[str] = ()) -> None:
        required = tuple(required)
        allowed = required + tuple(optional)
        for key in node:
            if key not in allowed:
                self.problem(f"{path}.{key}", "unknown key", allowed)
        for key in required:
            if key not in node:
                self.problem(f"{path}.{key}", "is required")

    def ident(self, node: Mapping[str, Any], path: str) -> str:
        value = node.get("id")
        if not isinstance(value, str) or not value.replace("_", "").replace(".", "").isalnum():
            self.problem(f"{path}.id", "must be an id of letters, digits, '_' and '.'")
            return f"<invalid:{path}>"
        return value

    def text(self, node: Mapping[str, Any], key: str, path: str, required: bool = True) -> dict:
        value = node.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping) or set(value) - set(LANGUAGES) or not all(
            isinstance(value.get(lang), str) and str(value[lang]).strip() for lang in LANGUAGES
        ):  # an extra key is most often a comma inside an unquoted {id: …, en: …} text
            self.problem(f"{path}.{key}", "must be a text in both languages: {id: ..., en: ...}")
            return dict(value) if isinstance(value, Mapping) else {}
        return {lang: value[lang].strip() for lang in LANGUAGES}

    def strings(self, node: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = node.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{path}.{key}", "must be a list of strings")
            return ()
        return tuple(value)

    def choice(self, node: Mapping[str, Any], key: str, path: str, allowed: Iterable[str],
               required: bool = True) -> str:
        allowed = tuple(allowed)
        value = node.get(key)
        if value is None and not required:
            return ""
        if value not in allowed:
            self.problem(f"{path}.{key}", f"unknown value {value!r}", allowed)
            return allowed[0] if allowed else ""
        return str(value)

    def number(self, node: Mapping[str, Any], key: str, path: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            self.problem(f"{path}.{key}", "must be a finite number")
            return None
        return float(value)

    def whole(self, node: Mapping[str, Any], key: str, path: str) -> int | None:
        value = self.number(node, key, path)
        if value is not None and not value.is_integer():
            self.problem(f"{path}.{key}", "must be a whole number")
            return None
        return int(value) if value is not None else None

    def entries(self, items: list[Any], path: str, build: Callable[[Mapping[str, Any], str], Any]
                ) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for index, raw in enumerate(items):
            item_path = f"{path}[{index}]"
            node = self.mapping(raw, item_path)
            if node is None:
                continue
            entry = build(node, item_path)
            if entry is None:
                continue
            if entry.id in table:
                self.problem(f"{item_path}.id", f"duplicate id '{entry.id}'")
            table[entry.id] = entry
        return table

    # -- whole base --------------------------------------------------------------------------
    def load(self) -> KnowledgeBase:
        if not self.root.is_dir():
            raise KnowledgeBaseError([Problem("", f"knowledge directory not found: {self.root}")])
        # references first: every other file cites them, and is checked as it is read
        references = self.entries(self.section(self.read("references.yaml"), "references"),
                                  "references", self.reference)
        self.reference_ids = tuple(references)
        model = self.read("model.yaml")
        vocab: dict[str, dict[str, Term]] = {}
        for name in VOCABULARIES:
            vocab[name] = self.entries(self.section(model, name), name, self.term)
        dimensions = self.entries(self.section(model, "dimensions"), "dimensions", self.dimension)
        self.dimension_ids = tuple(dimensions)
        indicators = self.entries(self.section(model, "indicators"), "indicators", self.indicator)
        self.check_model(vocab)
        for name in ("ratings", "sources", "subject_kinds", "skp_predicates"):
            self.check_words(vocab[name], name)
        self.check_words(indicators, "indicators")
        self.vocab = vocab
        factors = self.entries(self.section(self.read("factors.yaml"), "factors"), "factors",
                               self.factor)
        self.check_words(factors, "factors")
        measures = self.entries(self.section(self.read("measures.yaml"), "measures"), "measures",
                                self.measure)
        self.check_words(measures, "measures")
        diagnoses = self.entries(self.section(self.read("diagnoses.yaml"), "diagnoses"),
                                 "diagnoses", self.diagnosis)
        self.indicator_ids = tuple(indicators)
        self.measure_ids = tuple(measures)
        recommendations = self.entries(
            self.section(self.read("recommendations.yaml"), "recommendations"), "recommendations",
            self.recommendation)
        self.known = {
            "indicator": tuple(indicators), "dimension": tuple(dimensions),
            "factor": tuple(factors), "measure": tuple(measures), "diagnosis": tuple(diagnoses),
            "recommendation": tuple(recommendations), "source": tuple(vocab["sources"]),
            "rating": tuple(vocab["ratings"]), "agreement": tuple(vocab["agreements"]),
            "subject_kind": tuple(vocab["subject_kinds"]),
            "priority": tuple(vocab["priorities"]),
            "skp_predicate": tuple(vocab["skp_predicates"]), **BUILT_IN_VOCABULARIES,
        }
        rules: dict[str, Rule] = {}
        rule_files = sorted((self.root / "rules").glob("*.yaml"))
        if not rule_files:
            self.file = "rules/"
            self.problem("", "no rule files (rules/*.yaml)")
        for rule_file in rule_files:
            relative = f"rules/{rule_file.name}"
            document = self.read(relative)
            for rule_id, rule in self.entries(self.section(document, "rules"), "rules",
                                              self.rule).items():
                if rule_id in rules:
                    self.problem("rules", f"rule id '{rule_id}' is also in {rules[rule_id].file}")
                rules[rule_id] = rule
        for kind in GENERIC_KINDS:
            count = sum(1 for r in rules.values() if r.kind == kind)
            if count != 1:
                self.file = "rules/"
                self.problem("", f"exactly one rule of kind '{kind}' is needed, found {count}")
        development = read_development(self, self.known, tuple(vocab["topics"]),
                                       tuple(vocab["timeframes"]))
        self.check_top_level()
        if self.problems:
            raise KnowledgeBaseError(self.problems)
        return KnowledgeBase(
            directory=self.root, version="sha256:" + self.digest.hexdigest(),
            dimensions=dimensions, indicators=indicators, factors=factors, measures=measures,
            diagnoses=diagnoses, recommendations=recommendations, references=references,
            rules=rules, development=development, **vocab,
        )

    def check_model(self, vocab: Mapping[str, Mapping[str, Term]]) -> None:
        self.file = "model.yaml"
        for rating in vocab["ratings"].values():
            if rating.score is None:
                self.problem(f"ratings[{rating.id}].score", "every rating needs a score")
        for priority in vocab["priorities"].values():
            if priority.rank is None:
                self.problem(f"priorities[{priority.id}].rank", "every priority needs a rank")

    def check_words(self, table: Mapping[str, Any], section: str) -> None:
        """Every id and alias of a vocabulary must read as one entry only, or a case word
        would silently change meaning; and none may read as 'not assessed'."""
        from expert.case import NOT_ASSESSED_WORDS

        owner: dict[str, str] = {}
        for entry in table.values():
            for word in (entry.id, *entry.aliases):
                normal = normalise_word(word)
                if normal in NOT_ASSESSED_WORDS:
                    self.problem(f"{section}[{entry.id}].aliases",
                                 f"'{word}' means 'not assessed' in a case")
                elif owner.get(normal, entry.id) != entry.id:
                    self.problem(f"{section}[{entry.id}].aliases",
                                 f"'{word}' also names '{owner[normal]}'")
                owner.setdefault(normal, entry.id)

    def cited(self, node: Mapping[str, Any], path: str) -> tuple[str, ...]:
        """An entry's references, each of which must be in references.yaml."""
        cited = self.strings(node, "references", path)
        for index, ref in enumerate(cited):
            if ref not in self.reference_ids:
                self.problem(f"{path}.references[{index}]", f"unknown reference '{ref}'",
                             self.reference_ids)
        return cited

    # -- entry builders ----------------------------------------------------------------------
    def term(self, node: Mapping[str, Any], path: str) -> Term:
        self.check_keys(node, path, ("id", "label"), ("aliases", "score", "rank"))
        return Term(
            id=self.ident(node, path), label=self.text(node, "label", path),
            aliases=self.strings(node, "aliases", path),
            score=self.whole(node, "score", path), rank=self.whole(node, "rank", path),
        )

    def dimension(self, node: Mapping[str, Any], path: str) -> Dimension:
        self.check_keys(node, path, ("id", "label", "definition"), ("references",))
        return Dimension(self.ident(node, path), self.text(node, "label", path),
                         self.text(node, "definition", path), self.cited(node, path))

    def indicator(self, node: Mapping[str, Any], path: str) -> Indicator:
        self.check_keys(node, path, ("id", "dimension", "label", "definition"), ("aliases",))
        if node.get("dimension") not in self.dimension_ids:
            self.problem(f"{path}.dimension", f"unknown dimension {node.get('dimension')!r}",
                         self.dimension_ids)
        return Indicator(self.ident(node, path), str(node.get("dimension")),
                         self.text(node, "label", path), self.text(node, "definition", path),
                         self.strings(node, "aliases", path))

    def factor(self, node: Mapping[str, Any], path: str) -> Factor:
        self.check_keys(node, path, ("id", "kind", "scope", "label", "description"),
                        ("aliases", "references"))
        return Factor(self.ident(node, path), self.choice(node, "kind", path, FACTOR_KINDS),
                      self.choice(node, "scope", path, FACTOR_SCOPES),
                      self.text(node, "label", path), self.text(node, "description", path),
                      self.strings(node, "aliases", path), self.cited(node, path))

    def measure(self, node: Mapping[str, Any], path: str) -> Measure:
        self.check_keys(node, path, ("id", "label", "description", "unit"),
                        ("integer", "max", "aliases", "references"))
        integer = node.get("integer", False)
        if not isinstance(integer, bool):
            self.problem(f"{path}.integer", "must be true or false")
        maximum = self.number(node, "max", path)
        if maximum is not None and maximum < 0:
            self.problem(f"{path}.max", "must not be negative: measures are never below 0")
        return Measure(self.ident(node, path), self.text(node, "label", path),
                       self.text(node, "description", path), self.text(node, "unit", path),
                       bool(integer), maximum,
                       self.strings(node, "aliases", path), self.cited(node, path))

    def diagnosis(self, node: Mapping[str, Any], path: str) -> Diagnosis:
        self.check_keys(node, path, ("id", "title", "description"))
        return Diagnosis(self.ident(node, path), self.text(node, "title", path),
                         self.text(node, "description", path))

    def recommendation(self, node: Mapping[str, Any], path: str) -> Recommendation:
        self.check_keys(node, path, ("id", "title", "description", "audience", "topics",
                                     "priority", "timeframe", "monitor"), ("references",))
        audience = self.strings(node, "audience", path)
        topics = self.strings(node, "topics", path)
        for key, values, vocabulary in (("audience", audience, "audiences"),
                                        ("topics", topics, "topics")):
            if not values:
                self.problem(f"{path}.{key}", "must name at least one", self.vocab[vocabulary])
            for value in values:
                if value not in self.vocab[vocabulary]:
                    self.problem(f"{path}.{key}", f"unknown value '{value}'",
                                 self.vocab[vocabulary])
        return Recommendation(
            id=self.ident(node, path), title=self.text(node, "title", path),
            description=self.text(node, "description", path), audience=audience, topics=topics,
            priority=self.choice(node, "priority", path, self.vocab["priorities"]),
            timeframe=self.choice(node, "timeframe", path, self.vocab["timeframes"]),
            monitor=self.monitor(node.get("monitor"), f"{path}.monitor"),
            references=self.cited(node, path),
        )

    def monitor(self, raw: Any, path: str) -> Monitor:
        node = self.mapping(raw, path) or {}
        subjects = ("indicator", "dimension", "measure") + MONITOR_SCOPES
        self.check_keys(node, path, ("target",), subjects)
        indicator = node.get("indicator")
        measure = node.get("measure")
        dimension = node.get("dimension")
        if sum(1 for key in subjects if key in node) != 1:
            self.problem(path, "name exactly one of", subjects)
        scope = next((key for key in MONITOR_SCOPES if key in node), None)
        if scope is not None and node[scope] is not True:
            self.problem(f"{path}.{scope}", "must be true")
        if dimension is not None and dimension not in self.dimension_ids:
            self.problem(f"{path}.dimension", f"unknown dimension '{dimension}'",
                         self.dimension_ids)
        if indicator is not None and indicator not in self.indicator_ids:
            self.problem(f"{path}.indicator", f"unknown indicator '{indicator}'",
                         self.indicator_ids)
        if measure is not None and measure not in self.measure_ids:
            self.problem(f"{path}.measure", f"unknown measure '{measure}'", self.measure_ids)
        return Monitor(indicator, measure, self.text(node, "target", path), dimension, scope)

    def reference(self, node: Mapping[str, Any], path: str) -> Reference:
        self.check_keys(node, path, ("id", "kind", "evidence", "citation"), ("note",))
        citation = node.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            self.problem(f"{path}.citation", "must be a non-empty string")
        return Reference(self.ident(node, path), self.choice(node, "kind", path, REFERENCE_KINDS),
                         self.choice(node, "evidence", path, EVIDENCE_LEVELS), str(citation),
                         self.text(node, "note", path, required=False))

    def rule(self, node: Mapping[str, Any], path: str) -> Rule:
        kind = node.get("kind", "pattern")
        common = ("id", "title", "justification", "references")
        if kind in GENERIC_KINDS:
            self.check_keys(node, path, common + ("kind", "policy"))
            policy = self.policy(kind, node.get("policy"), f"{path}.policy")
            when: tuple[Condition, ...] = ()
            then = None
        else:
            if kind != "pattern":
                self.problem(f"{path}.kind", f"unknown rule kind {kind!r}",
                             ("pattern",) + GENERIC_KINDS)
            self.check_keys(node, path, common + ("when", "then"), ("kind",))
            policy = {}
            raw_when = node.get("when")
            if not isinstance(raw_when, list) or not raw_when:
                self.problem(f"{path}.when", "must be a non-empty list of conditions")
                raw_when = []
            parsed = [self.condition(raw, f"{path}.when[{i}]") for i, raw in enumerate(raw_when)]
            when = tuple(c for c in parsed if c is not None)
            then = self.conclusion(node.get("then"), f"{path}.then")
        references = self.cited(node, path)
        return Rule(id=self.ident(node, path), kind=str(kind), title=self.text(node, "title", path),
                    justification=self.text(node, "justification", path), references=references,
                    when=when, then=then, policy=policy, file=self.file)

    def policy(self, kind: str, raw: Any, path: str) -> dict[str, Any]:
        node = self.mapping(raw, path)
        if node is None:
            return {}
        if kind == "triangulation":
            self.check_keys(node, path, ("combine",))
            self.choice(node, "combine", path, COMBINE_METHODS)
            return dict(node)
        self.check_keys(node, path, ("method", "bands"),
                        ("coverage",) if kind == "overall_aggregation" else ())
        coverage = self.coverage_policy(node.get("coverage"), f"{path}.coverage")
        self.choice(node, "method", path, AGGREGATION_METHODS)
        bands = node.get("bands")
        clean: list[dict[str, Any]] = []
        if not isinstance(bands, list) or not bands:
            self.problem(f"{path}.bands", "must be a non-empty list")
            bands = []
        previous = float("inf")
        for index, raw_band in enumerate(bands):
            band_path = f"{path}.bands[{index}]"
            band = self.mapping(raw_band, band_path)
            if band is None:
                continue
            self.check_keys(band, band_path, ("rating",), ("min_score",))
            rating = self.choice(band, "rating", band_path, self.vocab["ratings"])
            minimum = self.number(band, "min_score", band_path)
            last = index == len(bands) - 1
            if minimum is None and not last:
                self.problem(f"{band_path}.min_score", "only the last band may omit min_score")
            if minimum is not None and minimum >= previous:
                self.problem(f"{band_path}.min_score", "bands must be in descending order")
            if last and minimum is not None:
                self.problem(f"{band_path}.min_score", "the last band catches the rest: omit it")
            previous = minimum if minimum is not None else previous
            clean.append({"rating": rating, "min_score": minimum})
        scores = [self.vocab["ratings"][b["rating"]].score or 0 for b in clean
                  if b["rating"] in self.vocab["ratings"]]
        if scores != sorted(scores, reverse=True):
            self.problem(f"{path}.bands", "higher bands must give better ratings (monotone)")
        return {"method": node.get("method"), "bands": clean, **coverage}

    def coverage_policy(self, raw: Any, path: str) -> dict[str, Any]:
        """The minimum evidence behind an overall verdict: a share of the model's indicators,
        and optionally at least one indicator of every dimension."""
        if raw is None:
            return {}
        node = self.mapping(raw, path)
        if node is None:
            return {}
        self.check_keys(node, path, ("min_share",), ("every_dimension",))
        share = self.number(node, "min_share", path)
        if share is not None and not 0 <= share <= 1:
            self.problem(f"{path}.min_share", "must be a share between 0 and 1")
        every = node.get("every_dimension", False)
        if not isinstance(every, bool):
            self.problem(f"{path}.every_dimension", "must be true or false")
        return {"coverage": {"min_share": share or 0.0, "every_dimension": every is True}}

    def conclusion(self, raw: Any, path: str) -> Conclusion | None:
        node = self.mapping(raw, path)
        if node is None:
            return None
        kinds = [k for k in CONCLUSION_KINDS if k in node]
        self.check_keys(node, path, (), CONCLUSION_KINDS + ("priority",))
        if len(kinds) != 1:
            self.problem(path, "must conclude exactly one of", CONCLUSION_KINDS)
            return None
        kind = kinds[0]
        target = node[kind]
        if target not in self.known[kind]:
            self.problem(f"{path}.{kind}", f"unknown {kind} '{target}'", self.known[kind])
        priority = node.get("priority")
        if priority is not None:
            if kind != "recommendation":
                self.problem(f"{path}.priority", "only a recommendation takes a priority")
            elif priority not in self.known["priority"]:
                self.problem(f"{path}.priority", f"unknown priority {priority!r}",
                             self.known["priority"])
        return Conclusion(kind, str(target), priority)

    def condition(self, raw: Any, path: str) -> Condition | None:
        return parse_condition(self, raw, path)
