"""The experta adapter: the one module that knows experta's internals.

Everything else sees a ``LayeredEngine`` with ``start()``, ``declare_all()``, ``run()`` and a
``fire(match)`` hook that receives a :class:`Match` (the wrapped action and the matched facts in
declaration order); no other module touches activations, tokens, the agenda or ``Rule._wrapped``.

These make experta's RETE network fast enough without changing its semantics (vendor/experta's
files stay unmodified; the runtime patches, to ``Token.copy`` and experta's import of
``schema``, are documented below):

* **An indexed alpha network.** experta sends every fact to every type-test node, and every
  fact of a type to every literal test below it (26 ``id ==`` nodes for one diagnosis).
  :class:`IndexedReteMatcher` builds the network the experta way, then compiles the alpha part
  into a dispatch tree: by fact type, then by the value of each field that sibling nodes test
  against a literal. A fact reaches exactly the nodes whose tests it passes; the tests that are
  not plain literals (predicates, bindings, captures) still run as experta's own nodes.
* **One match pass per salience layer.** experta re-matches after every firing. When the rules
  are *layered* — no firing can create, or remove, an activation at its own salience or above,
  which the compiler guarantees by giving a rule a lower salience than every rule concluding a
  fact it tests — all activations of the top salience fire in agenda order, their conclusions
  are matched in one pass, and the next layer follows. The firing sequence is unchanged.
* **No per-reset reflection.** experta finds deffacts with ``inspect.getmembers`` on every
  ``reset()``; the engine's only deffact, the initial fact, is declared directly.
* **A built network can be saved and restored** (:class:`NetworkPickler`,
  :class:`NetworkUnpickler`), for the CLI's persistent cache: unpickling a network is a tenth of
  building it. experta's checks hold closures, and its tuple types validate their arguments in
  ``__new__``, so each is pickled as what rebuilds it exactly: a check from its field and
  constraint (``FeatureCheck(what, how)``, interned as experta interns it), a tuple or fact
  from its items and attributes.

The conflict resolution strategy also lives here: experta's depth strategy with the rule's
position in the knowledge base as the last tie-breaker, so that the order is total.
"""

from __future__ import annotations

import inspect
import logging
import pickle
import sys
import types
from collections.abc import Iterable, Sequence
from typing import Any

from msgspec import Struct


def _import_experta() -> Any:
    """Import experta without letting its module-level ``logging.basicConfig()`` configure
    the host application's root logger, and without importing ``schema`` (see below)."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    stand_in = None
    if "schema" not in sys.modules:
        stand_in = sys.modules["schema"] = _SchemaOnFirstUse("schema")
    try:
        import experta
    finally:
        root.removeHandler(guard)
        if stand_in is not None and sys.modules.get("schema") is stand_in:
            del sys.modules["schema"]
    return experta


class _SchemaOnFirstUse(types.ModuleType):
    """Stands in for the ``schema`` module while experta is imported. experta.fact binds
    ``from schema import Schema`` for the validators of declared ``Field``s, which Kinerja's
    facts never have; importing schema costs a few percent of a ``kinerja evaluate`` process.
    ``Schema`` here imports the real module on its first call and returns a real Schema."""

    @staticmethod
    def Schema(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - the name experta imports
        from schema import Schema

        return Schema(*args, **kwargs)


experta = _import_experta()

from experta.agenda import Agenda  # noqa: E402  (after the guarded experta import)
from experta.conditionalelement import ConditionalElement  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.fieldconstraint import L  # noqa: E402
from experta.matchers.rete import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import (  # noqa: E402
    FactCapture,
    FeatureCheck,
    TypeCheck,
    WhereCheck,
)
from experta.matchers.rete.mixins import NoMemory  # noqa: E402
from experta.matchers.rete.nodes import FeatureTesterNode  # noqa: E402
from experta.matchers.rete.token import Token  # noqa: E402
from experta.strategies import DepthStrategy  # noqa: E402

# experta's rule language, for the compiler and the fact types: importing it from here keeps
# experta's import guarded, whichever module is imported first
Fact = experta.Fact
InitialFact = experta.InitialFact
NOT = experta.NOT
P = experta.P
Rule = experta.Rule

__all__ = ["NOT", "P", "Action", "Fact", "IndexedReteMatcher", "InitialFact", "LayeredEngine",
           "Match", "NetworkPickler", "NetworkUnpickler", "OrderedDepthStrategy", "Rule", "fact"]

# -- patches to experta (each documented here and tested in tests/test_adapter.py) ----------
# experta copies a token on entry to every node, and Token's constructor re-checks on each copy
# that the tag is a TagType and every fact a Fact (an ABC isinstance per fact): a tenth of a
# consultation. A copy of a checked token needs no new check; the copy stays what experta's
# was: the same tag, and its own set of facts and dict of bindings.


def _copy_token(token: Any) -> Any:
    return tuple.__new__(Token, (token.tag, token.data.copy(), token.context.copy()))


Token.copy = _copy_token
_VALID, _INVALID = Token.TagType.VALID, Token.TagType.INVALID


def _new_token(tag: Any, fact: Any) -> Any:
    """A token for one declared fact (a Fact by construction: FactList checked it)."""
    return tuple.__new__(Token, (tag, {fact}, {}))


_PLAIN = (str, int, float, bool, type(None))


def fact(fact_type: type, **fields: Any) -> Any:
    """A fact of ``fact_type`` with plain values (str, numbers, None), made without experta's
    per-field ``freeze`` dispatch, which is a tenth of a consultation: plain values are frozen
    already, and the fact is what experta's constructor would make. Anything else goes through
    the constructor."""
    if not all(type(value) in _PLAIN for value in fields.values()):
        return fact_type(**fields)
    made: Any = dict.__new__(fact_type)
    dict.update(made, fields)
    made._Fact__defaults = {}  # what Fact.__init__ sets (name-mangled)
    return made


# literal types whose == agrees with dict look-up (hash-consistent and reflexive; no NaN)
_INDEXABLE = (str, int, bool)


class Match(Struct, frozen=True):
    """One firing as the rest of the product sees it: the action the rule wraps (what the
    compiler gave ``Rule(...)(action)``) and the facts it matched, oldest first."""

    action: Any
    facts: tuple[Any, ...]

    def fact_of(self, fact_type: type) -> Any:
        return next(f for f in self.facts if isinstance(f, fact_type))


class Action:
    """The base of what a compiled rule wraps (``Rule(...)(action)``). ``order`` is the rule's
    position, the strategy's last tie-breaker; ``LayeredEngine.fire`` receives the action in
    its :class:`Match`, so experta never calls it.

    experta reads the wrapped callable's signature each time it rewrites a rule (hundreds of
    times while building a network, half the build time); a declared one is read at once.
    """

    __signature__ = inspect.Signature(
        [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])
    order: int = 0

    def __call__(self, **_kwargs: Any) -> None:
        raise RuntimeError("rules fire through LayeredEngine.fire")


def _literal_test(node: Any) -> tuple[str, Any] | None:
    """(field, value) if ``node`` only tests that a plain field equals a literal, else None."""
    if not isinstance(node, FeatureTesterNode):
        return None
    check = node.matcher
    if not isinstance(check, FeatureCheck) or not isinstance(check.how, L):
        return None
    what, literal = check.what, check.how
    if (not isinstance(what, str) or "__" in what or literal.__bind__ is not None
            or type(literal.value) not in _INDEXABLE):
        return None
    return what, literal.value


class _Dispatch:
    """A compiled level of the alpha network: children tested the experta way (``plain``) and
    children reached by field value look-up (``indexed``: field → value → next level)."""

    __slots__ = ("plain", "indexed")

    def __init__(self, children: Iterable[Any]):
        self.plain: list[Any] = []
        grouped: dict[str, dict[Any, list[Any]]] = {}
        for child in children:
            test = _literal_test(child.node) if child.callback == child.node.activate else None
            if test is None:
                self.plain.append(child.callback)
            else:
                what, value = test
                grouped.setdefault(what, {}).setdefault(value, []).extend(child.node.children)
        self.indexed: tuple[tuple[str, dict[Any, _Dispatch]], ...] = tuple(
            (what, {value: _Dispatch(kids) for value, kids in table.items()})
            for what, table in grouped.items())

    def send(self, token: Any, fact: Any) -> None:
        # every callback is a node's activate*, which copies the token: sharing it is safe
        for callback in self.plain:
            callback(token)
        for what, table in self.indexed:
            try:
                level = table.get(fact[what])
            except (KeyError, TypeError):  # no such field, or an unhashable value: no literal
                continue
            if level is not None:
                level.send(token, fact)


class IndexedReteMatcher(ReteMatcher):  # type: ignore[misc]
    """experta's RETE matcher with its alpha network compiled into a dispatch tree."""

    def build_network(self) -> None:
        super().build_network()
        by_type: dict[type, list[Any]] = {}
        others: list[Any] = []
        for child in self.root_node.children:
            node = child.node
            if (isinstance(node, FeatureTesterNode) and isinstance(node.matcher, TypeCheck)
                    and child.callback == node.activate):
                by_type.setdefault(node.matcher.fact_type, []).extend(node.children)
            else:
                others.append(child)
        self._by_type = {fact_type: _Dispatch(kids) for fact_type, kids in by_type.items()}
        self._others = _Dispatch(others)
        self._no_children = _Dispatch(())
        self._memories = _nodes_with_memory(self.root_node)

    def reset(self) -> None:
        # experta resets recursively, visiting shared nodes once per path; each node once will do
        for node in self._memories:
            node._reset()

    def _send(self, token: Any, fact: Any) -> None:
        # experta's type test is ``type(fact) == fact_type``: exact types, no subclasses
        self._by_type.get(type(fact), self._no_children).send(token, fact)
        self._others.send(token, fact)

    def changes(self, adding: Sequence[Any] | None = None,
                deleting: Sequence[Any] | None = None) -> tuple[list[Any], list[Any]]:
        for fact in deleting or ():
            self._send(_new_token(_INVALID, fact), fact)
        for fact in adding or ():
            self._send(_new_token(_VALID, fact), fact)
        added: list[Any] = []
        removed: list[Any] = []
        for node in self._get_conflict_set_nodes():
            if node.added or node.removed:  # most rules did not change: skip their empty sets
                node_added, node_removed = node.get_activations()
                added.extend(node_added)
                removed.extend(node_removed)
        return added, removed


class OrderedDepthStrategy(DepthStrategy):  # type: ignore[misc]
    """experta's depth strategy (salience, then the newest facts) with the knowledge rule's
    position as the last tie-breaker.

    experta leaves ties to the iteration order of sets of rules, which follows memory
    addresses: two engines could fire equally ranked rules in different orders. Its own
    ``get_key`` is also ``lru_cache``d on activations, which a reused engine must not keep.
    The wrapped action must have an ``order`` attribute.
    """

    def get_key(self, activation: Any) -> tuple[Any, ...]:
        salience = activation.rule.salience
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (salience, facts, -activation.rule._wrapped.order)


class LayeredEngine(experta.KnowledgeEngine):  # type: ignore[misc,name-defined]
    """An experta engine for layered rules, with a ``fire`` hook instead of calling the
    rules' actions.

    Subclasses give the rules as class attributes (experta collects them from the class) and
    implement ``fire(match)``. Facts declared while firing are matched after the layer.
    """

    __matcher__ = IndexedReteMatcher
    __strategy__ = OrderedDepthStrategy

    def __init__(self, network: IndexedReteMatcher | None = None):
        """Build the network from the class's rules, or adopt ``network``: one restored by
        :class:`NetworkUnpickler` from a pristine network (never used by another engine)."""
        if network is None:
            super().__init__()
            return
        if not isinstance(network, self.__matcher__) or getattr(network, "engine", 0) is not None:
            raise TypeError("not a restored, unowned network")
        self.running = False
        self.facts = FactList()
        self.agenda = Agenda()
        network.engine = self
        self.matcher = network
        self.strategy = self.__strategy__()

    @property
    def network(self) -> IndexedReteMatcher:
        """The engine's RETE network (pickle it with :class:`NetworkPickler` before the first
        consultation: a used network holds that consultation's tokens)."""
        return self.matcher  # type: ignore[no-any-return]

    def start(self) -> None:
        """experta's ``reset()`` without the reflection: an empty agenda and fact list, and the
        initial fact (the anchor of purely negative rules) matched."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self.running = False
        # into the fact list only: matched with the first batch (declare() warns on an empty list)
        self.facts.declare(experta.InitialFact())

    def declare_all(self, facts: Sequence[Any]) -> None:
        """Declare facts in one batch (outside ``run()`` experta matches after every declare;
        inside, they are matched after the layer). Straight into the fact list: experta's
        ``declare`` also scans every fact for field constraints and ``__`` keys, which facts
        made by the engine never have."""
        for item in facts:
            self.facts.declare(item)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)

    def fire(self, match: Match) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, steps: float = float("inf")) -> None:
        """Fire layer by layer: every activation of the top salience, then one match pass."""
        self.running = True
        agenda = self.agenda.activations
        fired: float | None = None  # the salience of the layer that fired last
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            if fired is not None and any(a.rule.salience >= fired for a in added):
                raise RuntimeError("the rules are not layered: a firing activated a rule of "
                                   "its own salience or above")
            self.strategy.update_agenda(self.agenda, added, removed)
            if not agenda:
                break
            salience = fired = agenda[-1].rule.salience
            while agenda and agenda[-1].rule.salience == salience and steps > 0:
                activation = agenda.pop()
                steps -= 1
                facts = tuple(sorted(activation.facts, key=_fact_id))
                self.fire(Match(activation.rule._wrapped, facts))
        self.running = False


def _nodes_with_memory(root: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = [child.node for child in root.children]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(child.node for child in node.children)
    return [node for node in seen.values() if not isinstance(node, NoMemory)]


def _fact_id(fact: Any) -> int:
    return int(fact["__factid__"])


# -- saving and restoring a built network ----------------------------------------------------
def _tuple_of(cls: type, items: tuple[Any, ...], state: dict[str, Any] | None) -> Any:
    """An experta tuple type (rule, pattern, field constraint) with its items and attributes,
    without its ``__new__``, which takes other arguments than its items."""
    made: Any = tuple.__new__(cls, items)
    if state:
        made.__dict__.update(state)
    return made


def _fact_of(cls: type, items: dict[Any, Any], state: dict[str, Any]) -> Any:
    """A fact (a pattern in a rule) with its fields and attributes, as :func:`fact` makes one."""
    made: Any = dict.__new__(cls)
    dict.update(made, items)
    made.__dict__.update(state)
    return made


class NetworkPickler(pickle.Pickler):
    """Pickles a built network (``engine.network``) and anything it refers to (the knowledge
    base's rules). The engine that owns the network is left out: restored, the network belongs
    to no engine until :class:`LayeredEngine` adopts it."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, experta.KnowledgeEngine):
            return "engine"
        return None

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is FeatureCheck:  # its check function is a closure: made again from these
            return FeatureCheck, (obj.what, obj.how)
        if kind is TypeCheck:
            return TypeCheck, (obj.fact_type,)
        if kind is FactCapture:
            return FactCapture, (obj.bind,)
        if kind is WhereCheck:
            return WhereCheck, (obj.test,)
        if isinstance(obj, experta.Fact):
            return _fact_of, (kind, dict(obj), obj.__dict__)
        if isinstance(obj, ConditionalElement):
            return _tuple_of, (kind, tuple(obj), getattr(obj, "__dict__", None))
        return NotImplemented


# where a restored network's classes may come from: nothing else is ever loaded
_RESTORABLE = ("expert.", "experta.")
_RESTORABLE_BUILTINS = frozenset({"getattr", "frozenset", "set"})


class NetworkUnpickler(pickle.Unpickler):
    """Restores what :class:`NetworkPickler` saved. Only Kinerja's and experta's classes (and
    ``getattr`` for bound methods) are loaded: a file that names anything else is refused."""

    def persistent_load(self, pid: Any) -> Any:
        if pid != "engine":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return None

    def find_class(self, module: str, name: str) -> Any:
        if (module.startswith(_RESTORABLE) or module == "pathlib"
                or (module == "builtins" and name in _RESTORABLE_BUILTINS)):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")
