"""``kinerja what-if CASE --set PATH=VALUE ... [--format text|json] [--lang id|en]``.

Evaluates the case as given and as changed (nothing is stored) and prints what differs: the
inputs changed, the verdicts changed, the recommendations added (each with its HOW), removed
or given another priority.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from expert.compare import Comparison, comparison_document
from expert.i18n import DEFAULT_LANGUAGE, LANGUAGES
from expert.result import HowNode, Premise

WORDS = {
    "id": {"title": "Bagaimana jika: {changes}", "inputs": "Masukan yang diubah",
           "verdicts": "Penilaian yang berubah", "added": "Saran yang bertambah",
           "removed": "Saran yang hilang", "reprioritised": "Prioritas yang berubah",
           "nothing": "Tidak ada yang berubah pada hasilnya.", "not_entered": "tidak diisi",
           "how": "Bagaimana", "rule": "Aturan", "because": "karena", "priority": "prioritas",
           "better": "lebih baik", "worse": "lebih buruk", "assessed": "berubah"},
    "en": {"title": "What if: {changes}", "inputs": "Inputs changed",
           "verdicts": "Verdicts changed", "added": "Recommendations added",
           "removed": "Recommendations removed", "reprioritised": "Priorities changed",
           "nothing": "Nothing in the result changes.", "not_entered": "not entered",
           "how": "How", "rule": "Rule", "because": "because", "priority": "priority",
           "better": "better", "worse": "worse", "assessed": "changed"},
}


def add_parser(commands: Any) -> None:
    what_if = commands.add_parser(
        "what-if", help="evaluate a case with some inputs changed, without saving, and show "
        "what would change")
    what_if.add_argument("case", help="case file (YAML or JSON); - for stdin")
    what_if.add_argument("--set", dest="changes", metavar="PATH=VALUE", action="append",
                         required=True,
                         help="a change, e.g. findings.ability=good, "
                         "measures.training_hours_last_year=24, factors.minimal_training=remove "
                         "(repeatable)")
    what_if.add_argument("--format", choices=("text", "json"), default="text")
    what_if.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)


def run(args: argparse.Namespace, kb: Any, case: Any,
        write: Callable[..., object] | None = None) -> int:
    """``write(text, json_text=False)`` prints (the CLI's, which escapes control characters)."""
    from expert.whatif import parse_assignments, what_if

    if write is None:
        def write(text: str, json_text: bool = False) -> object:
            return sys.stdout.write(text)

    result = what_if(kb, case, parse_assignments(args.changes), args.lang)
    if args.format == "json":
        document = {"changes": dict(result.changes),
                    "before": {"overall": asdict(result.before.overall)},
                    "after": {"overall": asdict(result.after.overall)},
                    **comparison_document(result.comparison)}
        write(json.dumps(document, ensure_ascii=False, indent=2) + "\n", json_text=True)
    else:
        write(render_comparison(result.comparison, args.lang,
                                           ", ".join(args.changes), kb))
    return 0


def premise_words(premise: Premise, kb: Any, lang: str) -> str:
    """An input premise by its labels ("Ability — Interview: Fair"), not its case path."""
    if not premise.input or kb is None:
        return premise.text
    if premise.type == "finding" and premise.indicator and premise.rating:
        source = (kb.label("sources", premise.source, lang)
                  if premise.source and premise.source in kb.sources else None)
        name = kb.label("indicators", premise.indicator, lang)
        return (f"{name} — {source}" if source else name) + \
            f": {kb.label('ratings', premise.rating, lang)}"
    if premise.type == "factor" and premise.id:
        return str(kb.label("factors", premise.id, lang))
    return premise.text.split(": ", 1)[-1]


def _how(node: HowNode, words: dict[str, str], depth: int, lines: list[str], kb: Any,
         lang: str) -> None:
    pad = "  " * depth
    lines.append(f"{pad}{words['rule']}: {node.title}")
    if node.because:
        lines.append(f"{pad}  {words['because']}: {node.because}")
    for premise in node.premises:
        if premise.explanation is not None:
            lines.append(f"{pad}  ← {premise.text}")
            _how(premise.explanation, words, depth + 2, lines, kb, lang)
        else:
            lines.append(f"{pad}  • {premise_words(premise, kb, lang)}")


def render_comparison(comparison: Comparison, lang: str, changes: str, kb: Any = None) -> str:
    words = WORDS.get(lang, WORDS["en"])
    lines = [words["title"].format(changes=changes), ""]
    if comparison.inputs:
        lines.append(words["inputs"] + ":")
        for change in comparison.inputs:
            lines.append(f"  {change.label}: {change.before or words['not_entered']} → "
                         f"{change.after or words['not_entered']}")
        lines.append("")
    if comparison.verdicts:
        lines.append(words["verdicts"] + ":")
        for verdict in comparison.verdicts:
            trend = {1: words["better"], -1: words["worse"], 0: words["assessed"]}
            lines.append(f"  {verdict.label}: {verdict.before_label} → {verdict.after_label} "
                         f"({trend[verdict.direction]})")
        lines.append("")
    if comparison.added:
        lines.append(words["added"] + ":")
        for rec in comparison.added:
            lines.append(f"  + {rec.title} ({words['priority']} {rec.priority_label}, "
                         f"{rec.timeframe_label})")
            lines.append(f"    {words['how']}:")
            _how(rec.explanation, words, 3, lines, kb, lang)
        lines.append("")
    if comparison.removed:
        lines.append(words["removed"] + ":")
        lines += [f"  - {rec.title}" for rec in comparison.removed]
        lines.append("")
    if comparison.reprioritised:
        lines.append(words["reprioritised"] + ":")
        lines += [f"  {p.recommendation.title}: {p.before_label} → {p.after_label}"
                  for p in comparison.reprioritised]
        lines.append("")
    if comparison.verdicts == () and not (comparison.added or comparison.removed
                                          or comparison.reprioritised):
        lines += [words["nothing"], ""]
    return "\n".join(lines)
