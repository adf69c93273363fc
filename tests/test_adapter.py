"""The experta adapter: the indexed alpha network matches exactly what experta's own network
matches, layered firing refuses rules that are not layered, and no other module reaches into
experta."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from expert.kb.model import KnowledgeBase
from expert.rules.adapter import NOT, Fact, LayeredEngine, Match, P, Rule, experta

ROOT = Path(__file__).resolve().parents[1]


class Item(Fact):
    pass


class Tag(Fact):
    pass


def _rules() -> dict[str, Rule]:
    """Literal, predicate, binding, negation and join patterns over two fact types."""
    patterns = [
        [Item(kind="a")],
        [Item(kind="a", size=3)],
        [Item(kind="b", size=P(lambda s: s > 2))],
        [Item(kind=experta.MATCH.k), Tag(kind=experta.MATCH.k)],
        [Item(kind="a"), NOT(Tag(kind="a"))],
        [Tag(name="x", kind="b")],
        [Item(size=3)],
        [Item(flag=True)],
        [Item(size=1)],
    ]
    rules = {}
    for order, lhs in enumerate(patterns):
        action = type("Action", (), {"order": order, "__name__": f"r{order}",
                                     "__call__": lambda self, *a, **k: None})()
        rules[f"rule_{order}"] = Rule(*lhs)(action)
    return rules


FACTS = [Item(kind="a", size=3), Item(kind="b", size=5), Item(kind="a"), Tag(kind="a"),
         Tag(name="x", kind="b"), Item(kind=("a",)), Item(size=3.0), Item(size=True),
         Item(flag=1), Item(kind=["unhashable"], size=1), Tag(kind="c")]


def _activations(matcher: type | None) -> set[tuple[str, frozenset[int]]]:
    attrs: dict[str, object] = dict(_rules())
    if matcher is not None:
        attrs["__matcher__"] = matcher
    engine = type("Probe", (experta.KnowledgeEngine,), attrs)()
    engine.reset()
    engine.declare(*FACTS)
    return {(a.rule._wrapped.__name__, frozenset(f["__factid__"] for f in a.facts))
            for a in engine.agenda.activations}


def test_indexed_network_matches_what_experta_matches() -> None:
    from expert.rules.adapter import IndexedReteMatcher

    plain = _activations(None)
    assert plain  # the probe is not vacuous
    assert _activations(IndexedReteMatcher) == plain


def test_a_rule_fed_by_its_own_layer_is_refused() -> None:
    class Chain(LayeredEngine):
        def fire(self, match: Match) -> None:
            self.declare(Tag(kind=match.facts[-1]["kind"] + "!"))

    action = type("Action", (), {"order": 0, "__call__": lambda self, *a, **k: None})()
    chain = type("ChainRules", (Chain,), {"r": Rule(Tag(kind=P(str)))(action)})()
    chain.start()
    chain.declare_all([Tag(kind="a")])
    with pytest.raises(RuntimeError, match="not layered"):
        chain.run()


def test_layers_fire_in_depth_order_and_see_earlier_conclusions() -> None:
    fired: list[str] = []

    class Layers(LayeredEngine):
        def fire(self, match: Match) -> None:
            fired.append(match.action.__name__)
            if match.action.__name__ == "first":
                self.declare(Tag(kind="derived"))

    def action(name: str, order: int) -> object:
        return type("Action", (), {"order": order, "__name__": name,
                                   "__call__": lambda self, *a, **k: None})()

    engine = type("LayerRules", (Layers,), {
        "a": Rule(Item(kind="a"), salience=0)(action("first", 0)),
        "b": Rule(Tag(kind="derived"), salience=-10)(action("second", 1)),
        "c": Rule(Item(kind="a"), NOT(Tag(kind="derived")), salience=-10)(action("never", 2)),
    })()
    for _ in range(2):  # and again after start(): a reused engine forgets the last run
        fired.clear()
        engine.start()
        engine.declare_all([Item(kind="a")])
        engine.run()
        assert fired == ["first", "second"]


def _python_files() -> list[Path]:
    return sorted([*(ROOT / "expert").rglob("*.py"), *(ROOT / "webui").rglob("*.py")])


def test_only_the_adapter_touches_experta() -> None:
    adapter = ROOT / "expert" / "rules" / "adapter.py"
    offenders: list[str] = []
    for path in _python_files():
        if path == adapter:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "experta" or n.startswith("experta.") for n in names):
                offenders.append(f"{path.relative_to(ROOT)} imports experta")
            if isinstance(node, ast.Attribute) and node.attr in ("_wrapped", "agenda", "matcher"):
                offenders.append(f"{path.relative_to(ROOT)} reaches {node.attr}")
    assert offenders == []


def test_the_token_copy_patch_copies_like_experta() -> None:
    from experta.matchers.rete.token import Token

    original = Token.valid({Item(kind="a")}, {"k": 1})
    copy = original.copy()
    assert type(copy) is Token and copy == original and copy.is_valid()
    assert copy.data is not original.data and copy.context is not original.context
    copy.context["k"] = 2
    copy.data.add(Tag(kind="b"))
    assert original.context == {"k": 1} and len(original.data) == 1
    assert Token.invalid({Item(kind="a")}).copy().is_valid() is False


def test_a_fast_fact_is_the_fact_experta_makes() -> None:
    from expert.rules.adapter import fact

    made, reference = fact(Item, kind="a", size=3, note=None), Item(kind="a", size=3, note=None)
    assert type(made) is Item and made == reference and hash(made) == hash(reference)
    assert made.as_dict() == reference.as_dict() and made.copy() == reference.copy()
    nested = fact(Item, kind="a", sizes=[1, 2])  # not plain: experta's constructor freezes it
    assert nested == Item(kind="a", sizes=[1, 2]) and hash(nested)


def test_a_network_pickled_before_use_restores_an_engine_that_fires_the_same(
        kb: KnowledgeBase) -> None:
    import io

    from benchmarks.cases import random_cases
    from expert import evaluate
    from expert.engine import KinerjaEngine
    from expert.rules.adapter import NetworkPickler, NetworkUnpickler

    built = KinerjaEngine(kb)
    stream = io.BytesIO()
    NetworkPickler(stream).dump((kb, built.network))
    kb_copy, network = NetworkUnpickler(io.BytesIO(stream.getvalue())).load()
    assert kb_copy == kb
    restored = KinerjaEngine(kb_copy, network=network)
    with pytest.raises(TypeError):  # a network serves one engine
        KinerjaEngine(kb_copy, network=network)
    for case in random_cases(kb, 60, seed=7):
        expected = evaluate(kb, case, built)
        got = evaluate(kb_copy, case, restored)
        assert [(f.rule, f.premises) for f in got.trace.firings] == [
            (f.rule, f.premises) for f in expected.trace.firings]
        assert got.to_dict("id") == expected.to_dict("id")


def test_experta_is_imported_without_schema_which_loads_on_first_use() -> None:
    import subprocess
    import sys

    script = """
import sys
import expert.rules.adapter
assert "schema" not in sys.modules, "schema imported with experta"
from experta import Fact, Field
class Typed(Fact):
    x = Field(int, mandatory=True)
Typed(x=1).validate()
try:
    Typed(x="one").validate()
except ValueError:
    pass
else:
    raise SystemExit("a Field was not validated")
import schema
assert isinstance(Typed.__fields__["x"].validator, schema.Schema)
"""
    subprocess.run([sys.executable, "-c", script], check=True)
