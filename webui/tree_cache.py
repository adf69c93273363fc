"""Rendered explanation trees, kept per process.

A report page shows every explanation inline (so that it prints whole), and rendering those
trees is most of the page's cost. A stored evaluation never changes (the database refuses
updates), so the HTML of its trees is a function of the evaluation — its database, id and
creation time —, the language, the knowledge base and where the application is mounted: each
tree is rendered once and reused until it falls out of a bounded LRU cache. The rest of the page
(the layout, the language switch with its CSRF token, the WHY-NOT section) is rendered for each
request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, render_template, request
from markupsafe import Markup

from expert import KnowledgeBase

MAX_TREES = 2048

_lock = threading.Lock()
_trees: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()


def tree_renderer(evaluation: Any, report: Any, kb: KnowledgeBase,
                  lang: str) -> Callable[[Mapping[str, Any], str], Markup]:
    """``render(tree, name)``: the HTML of the HOW tree ``name`` (e.g. ``diagnosis:x``) of the
    evaluation's page, from the cache when it was rendered before."""
    page = (current_app.config.get("SQLALCHEMY_DATABASE_URI"), current_app.instance_path,
            evaluation.id, str(evaluation.created_at), lang, kb.version, request.script_root)

    def render(tree: Mapping[str, Any], name: str) -> Markup:
        key = (page, name)
        with _lock:
            html = _trees.get(key)
            if html is not None:
                _trees.move_to_end(key)
                return html
        html = Markup(render_template("partials/how_tree.html", tree=tree, report=report, kb=kb))
        with _lock:
            _trees[key] = html
            while len(_trees) > MAX_TREES:
                _trees.popitem(last=False)
        return html

    return render


def clear() -> None:
    with _lock:
        _trees.clear()
