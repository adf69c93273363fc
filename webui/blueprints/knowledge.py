"""The knowledge base, readable: the model, factors, measures, diagnoses, recommendations,
references, and every rule in plain language with what feeds it and what it leads to."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, abort, render_template

from expert.kb import readable as kv
from webui.expert_ext import knowledge_base
from webui.i18n import get_lang

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")


@bp.get("/")
def index() -> str:
    return render_template("knowledge/index.html", kb=knowledge_base())


@bp.get("/factors")
def factors() -> str:
    kb = knowledge_base()
    used = {f: kv.rules_using(kb, "factor", f) for f in kb.factors}
    return render_template("knowledge/factors.html", kb=kb, used=used)


@bp.get("/measures")
def measures() -> str:
    kb = knowledge_base()
    used = {m: kv.rules_using(kb, "measure", m) for m in kb.measures}
    return render_template("knowledge/measures.html", kb=kb, used=used)


@bp.get("/diagnoses")
def diagnoses() -> str:
    kb = knowledge_base()
    concluded = {d: kb.rules_concluding("diagnosis", d) for d in kb.diagnoses}
    used = {d: kv.rules_using(kb, "diagnosis", d) for d in kb.diagnoses}
    return render_template("knowledge/diagnoses.html", kb=kb, concluded=concluded, used=used)


@bp.get("/recommendations")
def recommendations() -> str:
    kb = knowledge_base()
    concluded = {r: kb.rules_concluding("recommendation", r) for r in kb.recommendations}
    return render_template("knowledge/recommendations.html", kb=kb, concluded=concluded)


@bp.get("/references")
def references() -> str:
    kb = knowledge_base()
    cited_by = {ref: [r for r in kb.rules.values() if ref in r.references]
                for ref in kb.references}
    return render_template("knowledge/references.html", kb=kb, cited_by=cited_by)


@bp.get("/rules")
def rules() -> str:
    kb = knowledge_base()
    lang = get_lang()
    files: dict[str, list[tuple[object, kv.RuleText]]] = {}
    for rule in kb.rules.values():
        files.setdefault(rule.file, []).append((rule, kv.rule_text(kb, rule, lang)))
    return render_template("knowledge/rules.html", kb=kb, files=files)


@bp.get("/rules/<rule_id>")
def rule(rule_id: str) -> str:
    kb = knowledge_base()
    found = kb.rules.get(rule_id)
    if found is None:
        abort(404)
    lang = get_lang()
    texts = kv.rule_texts(kb, found)
    if found.is_generic:
        needs = [(texts[lang].policy[0], kv.GENERIC_CONSUMES[found.kind])]
    else:
        needs = [(text, kv.condition_needs(c)) for text, c in zip(texts[lang].conditions,
                                                                   found.when, strict=True)]
    fed_by = [(text, need[0] in kv.INPUT_KINDS, kv.feeders_of(kb, need, exclude=found.id))
              for text, need in needs]
    return render_template(
        "knowledge/rule.html", kb=kb, rule=found, text=texts[lang],
        other=[t for code, t in texts.items() if code != lang], fed_by=fed_by,
        consumers=kv.consumers_of(kb, found),
        reachable=kv.reachable_recommendations(kb, found))


GLOSSARY_FILE = Path(__file__).parent.parent / "content" / "glossary.yaml"


@cache
def glossary_entries() -> list[dict[str, Any]]:
    with GLOSSARY_FILE.open(encoding="utf-8") as handle:
        entries: list[dict[str, Any]] = yaml.safe_load(handle)
    return entries


@bp.get("/glossary")
def glossary() -> str:
    return render_template("knowledge/glossary.html", entries=glossary_entries())
