"""Readable renderings of an evaluation and of explanations: terminal text and Markdown."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

MESSAGES = {
    "id": {
        "title": "Hasil penilaian kinerja", "subject": "Subjek", "period": "Periode",
        "overall": "Penilaian keseluruhan", "dimension": "Dimensi", "indicator": "Indikator",
        "rating": "Nilai", "agreement": "Kesepakatan sumber", "not_assessed": "Belum dinilai",
        "diagnoses": "Diagnosis", "recommendations": "Rekomendasi", "for": "Untuk",
        "priority": "Prioritas", "timeframe": "Jangka waktu", "monitor": "Tolok ukur",
        "because": "karena", "rule": "Aturan", "references": "Rujukan",
        "fired": "Aturan yang terpicu", "none": "(tidak ada)", "kb": "Basis pengetahuan",
        "why_not": "Mengapa tidak", "not_reached": "tidak tercapai", "met": "terpenuhi",
        "unmet": "tidak terpenuhi",
        "not_entered": "tidak diisi dalam kasus",
        "no_rule": "Tidak ada aturan yang dapat menyimpulkannya.",
        "how": "Bagaimana", "reached": "tercapai", "also": "Juga didukung oleh",
        "not_assessed_target": "Indikator/dimensi ini belum dinilai dalam kasus ini.",
        "caveat": "Catatan sumber", "provisional": "sementara: cakupan penilaian belum memadai",
        "coverage": "Cakupan penilaian", "indicators_assessed": "indikator dinilai",
    },
    "en": {
        "title": "Performance assessment result", "subject": "Subject", "period": "Period",
        "overall": "Overall verdict", "dimension": "Dimension", "indicator": "Indicator",
        "rating": "Rating", "agreement": "Source agreement", "not_assessed": "Not assessed",
        "diagnoses": "Diagnoses", "recommendations": "Recommendations", "for": "For",
        "priority": "Priority", "timeframe": "Timeframe", "monitor": "Monitor",
        "because": "because", "rule": "Rule", "references": "References",
        "fired": "Rules fired", "none": "(none)", "kb": "Knowledge base",
        "why_not": "Why not", "not_reached": "not reached", "met": "met", "unmet": "not met",
        "not_entered": "not entered in the case",
        "no_rule": "No rule can conclude it.", "how": "How", "reached": "reached",
        "also": "Also supported by",
        "not_assessed_target": "This indicator or dimension was not assessed in this case.",
        "caveat": "Source caveat", "provisional": "provisional: too little of the model assessed",
        "coverage": "Assessment coverage", "indicators_assessed": "indicators assessed",
    },
}


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _grouped_recommendations(result: dict[str, Any], audiences: dict[str, str]
                             ) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for audience_id, audience_label in audiences.items():
        items = [r for r in result["recommendations"] if audience_id in r["audience"]]
        if items:
            groups.append((audience_label, items))
    return groups


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False) or [indent.rstrip()]


def render_text(result: dict[str, Any], audiences: dict[str, str], width: int | None = None
                ) -> str:
    """The evaluation for a terminal: a verdict table, then recommendations by audience,
    wrapped to the terminal's width."""
    width = width or _terminal_width()
    m = MESSAGES[result["lang"]]
    subject = result["subject"]
    lines = [m["title"], "=" * len(m["title"]),
             f"{m['subject']}: {subject['name']} ({subject['kind_label']})"]
    if subject.get("period"):
        lines.append(f"{m['period']}: {subject['period']}")
    overall = f"{m['overall']}: {result['overall']['label'].upper()}"
    if result["overall"].get("provisional"):
        overall += f" ({m['provisional']})"
    lines += ["", overall]
    if "coverage" in result:
        coverage = result["coverage"]
        lines.append(f"{m['coverage']}: {coverage['assessed']}/{coverage['total']} "
                     f"{m['indicators_assessed']}")
    lines.append("")
    indicators = {i["id"]: i for i in result["indicators"]}
    rows = [[m["dimension"], m["indicator"], m["rating"], m["agreement"]]]
    for dimension in result["dimensions"]:
        first = True
        for indicator_id in dimension["indicators"]:
            ind = indicators.get(indicator_id)
            label = f"{dimension['label']} [{dimension['rating_label']}]" if first else ""
            first = False
            if ind is None:
                rows.append([label, indicator_id, m["not_assessed"], ""])
            else:
                rows.append([label, _short(ind["label"]), ind["rating_label"],
                             ind["agreement_label"]])
    lines += _table(rows)
    lines += ["", f"{m['diagnoses']}:"]
    lines += [f"  - {d['title']}" for d in result["diagnoses"]] or [f"  {m['none']}"]
    if result["not_assessed"]:
        lines += ["", f"{m['not_assessed']}: {', '.join(result['not_assessed'])}"]
    lines += ["", f"{m['recommendations']}:"]
    groups = _grouped_recommendations(result, audiences)
    if not groups:
        lines.append(f"  {m['none']}")
    for audience_label, items in groups:
        lines += ["", f"  {m['for']} {audience_label}:"]
        for number, rec in enumerate(items, 1):
            lines += _wrap(f"{number}. [{rec['priority_label']}] {rec['title']}", "  ", width)
            lines += _wrap(rec["description"], "     ", width)
            lines += _wrap(f"{m['timeframe']}: {rec['timeframe_label']}; "
                           f"{m['monitor']}: {rec['monitor']['target']}", "     ", width)
            lines += _wrap(f"{m['rule']}: {rec['explanation']['rule']} — "
                           f"{m['references']}: {', '.join(rec['references'])}", "     ", width)
            if rec.get("caveat"):
                lines += _wrap(f"{m['caveat']}: {rec['caveat']}", "     ", width)
    lines += ["", f"{m['fired']}: {len(result['fired_rules'])}; "
              f"{m['kb']}: {result['knowledge_base']['version'][:19]}…"]
    return "\n".join(lines) + "\n"


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_markdown(result: dict[str, Any], audiences: dict[str, str]) -> str:
    m = MESSAGES[result["lang"]]
    subject = result["subject"]
    lines = [f"# {m['title']}", "", f"**{m['subject']}:** {subject['name']} "
             f"({subject['kind_label']})"]
    if subject.get("period"):
        lines.append(f"  \n**{m['period']}:** {subject['period']}")
    provisional = f" ({m['provisional']})" if result["overall"].get("provisional") else ""
    lines += ["", f"**{m['overall']}: {result['overall']['label']}**{provisional}", "",
              f"| {m['dimension']} | {m['indicator']} | {m['rating']} | {m['agreement']} |",
              "|---|---|---|---|"]
    indicators = {i["id"]: i for i in result["indicators"]}
    for dimension in result["dimensions"]:
        for indicator_id in dimension["indicators"]:
            ind = indicators.get(indicator_id)
            dim = f"{dimension['label']} ({dimension['rating_label']})"
            if ind is None:
                lines.append(f"| {dim} | {indicator_id} | {m['not_assessed']} | |")
            else:
                lines.append(f"| {dim} | {ind['label']} | {ind['rating_label']} | "
                             f"{ind['agreement_label']} |")
    lines += ["", f"## {m['diagnoses']}", ""]
    lines += [f"- **{d['title']}** — {d['description']}" for d in result["diagnoses"]] or [
        m["none"]]
    lines += ["", f"## {m['recommendations']}"]
    for audience_label, items in _grouped_recommendations(result, audiences):
        lines += ["", f"### {m['for']} {audience_label}", ""]
        for number, rec in enumerate(items, 1):
            lines.append(f"{number}. **{rec['title']}** ({m['priority']}: "
                         f"{rec['priority_label']}; {m['timeframe']}: {rec['timeframe_label']})  ")
            lines.append(f"   {rec['description']}  ")
            lines.append(f"   *{m['rule']}:* `{rec['explanation']['rule']}` — "
                         f"{rec['explanation']['because']}  ")
            if rec.get("caveat"):
                lines.append(f"   *{m['caveat']}:* {rec['caveat']}")
    lines += ["", f"## {m['fired']}", ""]
    lines += [f"{f['seq']}. `{f['rule']}` ← {', '.join(f['facts']) or '—'}"
              for f in result["fired_rules"]]
    return "\n".join(lines) + "\n"


def _terminal_width() -> int:
    return min(shutil.get_terminal_size((100, 24)).columns, 120)


def render_tree(tree: dict[str, Any], lang: str, indent: int = 0) -> list[str]:
    """A HOW tree as indented lines, down to the input facts."""
    m = MESSAGES[lang]
    pad = "  " * indent
    because = _wrap(f"{m['because']}: {tree['because']}", pad + "  ",
                    max(_terminal_width(), len(pad) + 40))
    lines = [f"{pad}{m['rule']} {tree['rule']}: {tree['title']}", *because,
             f"{pad}  {m['references']}: {', '.join(tree['references'])}"]
    for premise in tree["premises"]:
        marker = "•" if premise.get("input") else "←"
        also = f"  ({m['also'].lower()}: {', '.join(premise['also_by'])})" \
            if premise.get("also_by") else ""
        lines.append(f"{pad}  {marker} {premise['text']}{also}")
        if "explanation" in premise:
            lines += render_tree(premise["explanation"], lang, indent + 2)
    return lines


def render_why_not(result: dict[str, Any], lang: str, indent: int = 0) -> list[str]:
    m = MESSAGES[lang]
    pad = "  " * indent
    lines = []
    if not result["rules"]:
        lines.append(f"{pad}{m['no_rule']}")
    for rule in result["rules"]:
        lines.append(f"{pad}{m['rule']} {rule['rule']}: {rule['title']}")
        for check in rule["conditions"]:
            state = check.get("status", "met" if check["met"] else "not_met")
            status = {"met": m["met"], "not_met": m["unmet"]}.get(state, m["not_entered"])
            mark = {"met": "✓", "not_met": "✗"}.get(state, "?")
            lines.append(f"{pad}  {mark} {check['condition']} — {status}")
            for fact in check["facts"]:
                lines.append(f"{pad}      {fact}")
            if "why_not" in check:
                lines += render_why_not(check["why_not"], lang, indent + 3)
    return lines


def render_explanation(result: dict[str, Any], lang: str) -> str:
    m = MESSAGES[lang]
    if result["reached"]:
        lines = [f"{m['how']}: {result['text']} ({m['reached']})", ""]
        lines += render_tree(result["explanation"], lang)
        for extra in result.get("support", []):
            lines += ["", f"{m['also']}:"] + render_tree(extra, lang, 1)
    elif result.get("not_assessed"):
        lines = [m["not_assessed_target"]]
    else:
        lines = [f"{m['why_not']}: {result.get('title') or result['target']} "
                 f"({m['not_reached']})", ""]
        lines += render_why_not(result, lang)
    return "\n".join(lines) + "\n"


REFERENCE_WORDS = {
    "id": {"study": "studi", "book": "buku", "regulation": "peraturan", "guidance": "pedoman",
           "primary": "sumber primer", "secondary": "sumber sekunder"},
    "en": {"study": "study", "book": "book", "regulation": "regulation", "guidance": "guidance",
           "primary": "primary source", "secondary": "secondary source"},
}

RULE_WORDS = {
    "id": {"fed_by": "Diumpan oleh", "leads_to": "Mengarah ke", "recommendations":
           "Rekomendasi yang dapat dicapai", "input": "masukan dari kasus",
           "file": "Berkas", "none": "(tidak ada)"},
    "en": {"fed_by": "Fed by", "leads_to": "Leads to", "recommendations":
           "Recommendations it can lead to", "input": "input from the case", "file": "File",
           "none": "(none)"},
}


def render_rule(kb: Any, rule: Any, lang: str) -> str:
    """A rule for an auditor: IF … THEN …, why, on what sources, and its place in the chain."""
    from expert.kb import readable

    m, w = MESSAGES[lang], RULE_WORDS[lang]
    text = readable.rule_text(kb, rule, lang)
    width = _terminal_width()
    lines = [f"{m['rule']} {rule.id}: {text.title}", f"{w['file']}: {rule.file}", ""]
    for index, condition in enumerate(text.conditions):
        keyword = text.keyword_if if index == 0 else text.keyword_and
        lines += _wrap(f"{keyword} {condition}", "  ", width)
    lines += [f"  {line}" for line in text.policy]
    lines += _wrap(f"{text.keyword_then} {text.conclusion}", "  ", width)
    lines += ["", *_wrap(f"{m['because']}: {text.justification}", "", width), "",
              f"{m['references']}:"]
    for ref_id in rule.references:
        reference = kb.references[ref_id]
        kind = REFERENCE_WORDS[lang].get(reference.kind, reference.kind)
        evidence = REFERENCE_WORDS[lang].get(reference.evidence, reference.evidence)
        lines += _wrap(f"[{ref_id}] {reference.citation} ({kind}, {evidence})", "  ", width)
    lines += ["", f"{w['fed_by']}:"]
    needs = readable.consumes(rule)
    for condition_text, needed in zip(text.conditions or text.policy[:1], needs, strict=False):
        feeders = readable.feeders_of(kb, needed, exclude=rule.id)
        names = ", ".join(f.id for f in feeders) if feeders else w["input"]
        lines += _wrap(f"- {condition_text} ← {names}", "  ", width)
    consumers = readable.consumers_of(kb, rule)
    lines += ["", f"{w['leads_to']}: " + (", ".join(r.id for r in consumers) or w["none"])]
    reachable = readable.reachable_recommendations(kb, rule)
    lines += [f"{w['recommendations']}: " + (", ".join(reachable) or w["none"])]
    return "\n".join(lines) + "\n"
