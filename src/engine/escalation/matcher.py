"""Matching facts against escalation rules, behind one small interface.

Two implementations give the same answer (a differential test holds them to it):

* :class:`PythonMatcher` — each condition compiled to a list of Python checks;
* :class:`DurableMatcher` — the rules compiled into a durable-rules ruleset; facts are
  asserted in sessions of at most 5,000, every rule hands its action all its matches of a
  session at once (``cap``; one action per match made durable-rules' Python side, a closure and
  two JSON round trips per call, half the matcher's time) and the action only records
  ``(fact, rule)`` pairs.

Both see only the fields the rules test: facts are projected onto those fields, de-duplicated
and remembered (:class:`_Memo`), so a day's thousands of occurrences become a few hundred
distinct facts and a year's simulation posts each distinct fact once (durable-rules does about
15k facts/s; this keeps it off the critical path).

durable-rules traps handled here (``docs/dependencies.md``): one Host per ruleset,
built once and reused (a Host per day leaks threads); its timer threads are disabled so that
actions run in the caller; every rule is guarded by ``$ex`` on a field every fact has, and a
catch-all rule makes every fact "handled"; sessions are deleted after use.
"""

from __future__ import annotations

import copy
import itertools
import operator
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol

from durable import engine as durable_engine

from engine.escalation.facts import Fact, fact_key
from engine.escalation.rules import EscalationRule, Test

Check = Callable[[dict[str, Any]], bool]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
    "eq": operator.eq,
    "ne": operator.ne,
    "in": lambda value, options: value in options,
    "not_in": lambda value, options: value not in options,
}
_DURABLE_OPS = {"gte": "$gte", "gt": "$gt", "lte": "$lte", "lt": "$lt", "ne": "$neq"}
_CHUNK = 5000
_CATCH_ALL = "_handled"


class Matcher(Protocol):
    """For each fact, the ids of the rules it matches."""

    def match(self, facts: Sequence[dict[str, Any]]) -> list[set[str]]: ...

    def fired(self, facts: Iterable[Fact]) -> list[tuple[Fact, frozenset[str]]]: ...

    def rule_sets(self, facts: Sequence[Fact]) -> list[frozenset[str]]: ...


def used_fields(rules: Sequence[EscalationRule]) -> tuple[str, ...]:
    return tuple(sorted({name for rule in rules for name in rule.when}))


def _normalised(test: Test) -> list[tuple[str, Any]]:
    """A test as (operator, operand) pairs; lists become ``in``."""
    if isinstance(test, dict):
        return [(op, tuple(v) if isinstance(v, list) else v) for op, v in test.items()]
    if isinstance(test, list):
        return [("in", tuple(test))]
    return [("eq", test)]


class _NoValue:
    """The kind of a test whose options mix types: no value is of it, so it never matches."""


def _kind(operand: Any) -> type | None:
    """The one type a value must have for a test against ``operand`` to be tried: never
    compare across types (a bool is not an int here, a number is not a string). For a tuple of
    options every option must be of the value's type: options of mixed types never match, and
    an empty tuple accepts any type (None)."""
    if not isinstance(operand, tuple):
        return type(operand)
    kinds = {type(option) for option in operand}
    if len(kinds) > 1:
        return _NoValue
    return kinds.pop() if kinds else None


class _Memo:
    """Matching through a memo of projected facts: a fact is matched once per matcher.

    Facts are projected onto the fields the rules test and de-duplicated; a projection seen
    before (the same day re-run, or tomorrow's unchanged occurrence) is answered from memory.
    The rules of a matcher never change, so the memo is always right; it is bounded.
    """

    LIMIT = 500_000
    #: Facts keyed at a time by :meth:`fired` (bounds what a large day holds at once).
    BATCH = 50_000

    def __init__(self, rules: Sequence[EscalationRule]):
        self.fields = used_fields(rules)
        self._memo: dict[tuple, frozenset[str]] = {}
        self._key = fact_key(self.fields)
        self._keyed: dict[Hashable, frozenset[str]] = {}

    def _match_distinct(self, facts: list[dict[str, Any]]) -> list[set[str]]:
        raise NotImplementedError

    def match(self, facts: Sequence[dict[str, Any]]) -> list[set[str]]:
        """The rules each fact matches. A fact is seen as its values of :attr:`fields` (None
        where it has none: a field whose value is None is absent, and absent never matches)."""
        fields, memo = self.fields, self._memo
        signatures = [tuple(map(f.get, fields)) for f in facts]
        unknown = list(dict.fromkeys(s for s in signatures if s not in memo))
        if unknown:
            if len(memo) + len(unknown) > self.LIMIT:
                memo.clear()
            projected = [
                {n: v for n, v in zip(fields, s, strict=True) if v is not None} for s in unknown
            ]
            for signature, matched in zip(unknown, self._match_distinct(projected), strict=True):
                memo[signature] = frozenset(matched)
        return [set(memo[s]) for s in signatures]

    def fired(self, facts: Iterable[Fact]) -> list[tuple[Fact, frozenset[str]]]:
        """The facts that match at least one rule, in order, with the rules they match (taken
        :attr:`BATCH` at a time)."""
        out: list[tuple[Fact, frozenset[str]]] = []
        iterator = iter(facts)
        while batch := list(itertools.islice(iterator, self.BATCH)):
            matched = zip(batch, self.rule_sets(batch), strict=True)
            out.extend((fact, rules) for fact, rules in matched if rules)
        return out

    def rule_sets(self, facts: Sequence[Fact]) -> list[frozenset[str]]:
        """The rules each fact matches.

        Facts are keyed by :func:`~engine.escalation.facts.fact_key` (equal keys, equal
        projections); only a key not seen before has its fact's fields built and matched
        through :meth:`match`, so a fact costs a key."""
        key, keyed = self._key, self._keyed
        keys = [key(fact) for fact in facts]
        unknown = {k: fact for k, fact in zip(keys, facts, strict=True) if k not in keyed}
        if unknown:
            if len(keyed) + len(unknown) > self.LIMIT:
                keyed.clear()
                unknown = dict(zip(keys, facts, strict=True))
            matched = self.match([fact.fields for fact in unknown.values()])
            keyed.update(zip(unknown, map(frozenset, matched), strict=True))
        return [keyed[k] for k in keys]


class PythonMatcher(_Memo):
    def __init__(self, rules: Sequence[EscalationRule]):
        super().__init__(rules)
        self._rules = [(rule.id, self._compile(rule)) for rule in rules]

    @staticmethod
    def _compile(
        rule: EscalationRule,
    ) -> list[tuple[str, type | None, Callable[[Any, Any], bool], Any]]:
        """Each condition as (field, the type its value must have (see :func:`_kind`),
        operator, operand)."""
        return [
            (name, _kind(operand), _OPS[op], operand)
            for name, test in rule.when.items()
            for op, operand in _normalised(test)
        ]

    def _match_distinct(self, facts: list[dict[str, Any]]) -> list[set[str]]:
        results = []
        rules = self._rules
        for fact in facts:
            get = fact.get
            matched = set()
            for rule_id, checks in rules:
                for name, kind, check, operand in checks:
                    value = get(name)
                    if (
                        value is None
                        or (kind is not None and type(value) is not kind)
                        or not check(value, operand)
                    ):
                        break
                else:
                    matched.add(rule_id)
            results.append(matched)
        return results


class _QuietHost(durable_engine.Host):
    """A Host without timer threads: actions run in the caller, nothing in the background."""

    def __init__(self, definitions: dict[str, Any], actions: dict[str, Callable[[Any], None]]):
        self._named_actions = actions
        super().__init__(copy.deepcopy(definitions))

    def _run(self) -> None:  # the timers that dispatch queued work are not needed
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._named_actions[action_name]


class DurableMatcher(_Memo):
    RULESET = "escalation"

    def __init__(self, rules: Sequence[EscalationRule]):
        super().__init__(rules)
        self._hits: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        definitions = {self.RULESET: {rule.id: self._rule(rule) for rule in rules}}
        definitions[self.RULESET][_CATCH_ALL] = {
            "all": [{"m": {"$ex": {"_i": 1}}}],
            "run": _CATCH_ALL,
            "cap": _CHUNK,
        }
        actions = {rule.id: self._recorder(rule.id) for rule in rules}
        actions[_CATCH_ALL] = lambda context: None
        self._host = _QuietHost(definitions, actions)

    def _recorder(self, rule_id: str) -> Callable[[Any], None]:
        def record(context: Any) -> None:
            self._hits.extend((int(m["_i"]), rule_id) for m in context.m)

        return record

    @staticmethod
    def _rule(rule: EscalationRule) -> dict[str, Any]:
        terms: list[dict[str, Any]] = [{"$ex": {"_i": 1}}]
        for name, test in rule.when.items():
            for op, operand in _normalised(test):
                terms.append(_durable_term(name, op, operand))
        return {"all": [{"m": {"$and": terms}}], "run": rule.id, "cap": _CHUNK}

    def _match_distinct(self, facts: list[dict[str, Any]]) -> list[set[str]]:
        results: list[set[str]] = [set() for _ in facts]
        with self._lock:
            for start in range(0, len(facts), _CHUNK):
                sid = f"s{next(self._sessions)}"
                # durable-rules names a fact without an "id" by a hash of its content, and
                # refuses a second fact whose hash collides ("already observed"): each gets one
                batch = [
                    {**fact, "_i": start + offset, "id": start + offset, "sid": sid}
                    for offset, fact in enumerate(facts[start : start + _CHUNK])
                ]
                self._hits.clear()
                self._host.assert_facts(self.RULESET, batch)
                for position, rule_id in self._hits:
                    results[position].add(rule_id)
                self._host.delete_state(self.RULESET, sid)
        return results


def _durable_term(name: str, op: str, operand: Any) -> dict[str, Any]:
    """One condition as a durable-rules expression (missing fields never match)."""
    if op == "eq":
        return {name: operand}
    if op == "in":
        return {"$or": [{name: value} for value in operand]}
    if op == "not_in":
        return {"$and": [{"$ex": {name: 1}}] + [{"$neq": {name: value}} for value in operand]}
    if op == "ne":
        return {"$and": [{"$ex": {name: 1}}, {"$neq": {name: operand}}]}
    return {_DURABLE_OPS[op]: {name: operand}}
